"""What image specs read from the host: ``.dockerignore`` patterns, PEP 723 script metadata,
and ``pyproject.toml`` files."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, ImageBuildError


@dataclass(frozen=True)
class IgnorePatterns:
    """``.dockerignore`` patterns (Docker's rules: ``*``, ``?``, ``**``, ``!`` exceptions, the
    last matching pattern wins, a matched folder leaves out all it holds)."""

    patterns: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def ignores(self, relative: str) -> bool:
        """Whether the file or folder at ``relative`` (to the copied folder) is left out."""
        relative = relative.replace(os.sep, "/").strip("/")
        ignored = False
        for pattern in self.patterns:
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            if _matches(body, relative):
                ignored = not negated
        return ignored


def read_ignore_file(path: str) -> IgnorePatterns:
    """The patterns of the ``.dockerignore`` at ``path`` (comments and blank lines dropped)."""
    if not os.path.isfile(path):
        raise ImageBuildError(
            f"The .dockerignore file specified via with_dockerignore() was not found at '{path}'. "
            "Ensure the path points to an existing file."
        )
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle]
    cleaned = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        body = os.path.normpath(line[1:] if negated else line).replace(os.sep, "/").lstrip("/")
        cleaned.append(("!" if negated else "") + body)
    return IgnorePatterns(tuple(cleaned))


def _matches(pattern: str, relative: str) -> bool:
    regex = _compiled(pattern)
    parts = relative.split("/")
    # a pattern matching a folder leaves out everything under it
    return any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))


_COMPILED: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _COMPILED:
        out, i = [], 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif pattern.startswith("**", i):
                out.append(".*")
                i += 2
            elif pattern[i] == "*":
                out.append("[^/]*")
                i += 1
            elif pattern[i] == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(pattern[i]))
                i += 1
        _COMPILED[pattern] = re.compile("".join(out))
    return _COMPILED[pattern]


# ---------------------------------------------------------------------- PEP 723 scripts
_SCRIPT_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


@dataclass(frozen=True)
class ScriptMetadata:
    """A script's PEP 723 ``script`` block: its Python requirement and its dependencies."""

    requires_python: str | None
    dependencies: tuple[str, ...]


def script_metadata(path: str) -> ScriptMetadata:
    """The ``# /// script`` block of the Python script at ``path`` (PEP 723)."""
    if not os.path.isfile(path):
        raise ConfigError(f"Image.from_uv_script: the script {path} does not exist")
    if not path.endswith(".py"):
        raise ConfigError(f"Image.from_uv_script: the script {path} must have a .py extension")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    blocks = [m for m in _SCRIPT_BLOCK.finditer(text) if m.group("type") == "script"]
    if not blocks:
        raise ConfigError(
            f"Image.from_uv_script: {path} has no '# /// script' metadata block (PEP 723); add one, e.g.\n"
            '# /// script\n# dependencies = ["httpx"]\n# ///'
        )
    if len(blocks) > 1:
        raise ConfigError(f"Image.from_uv_script: {path} has more than one '# /// script' block")
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:] for line in blocks[0].group("content").splitlines(keepends=True)
    )
    data = _toml(content, f"the script block of {path}")
    dependencies = data.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise ConfigError(f"Image.from_uv_script: dependencies in {path} must be a list of strings")
    local = [d for d in dependencies if "file://" in d]
    if local:
        raise ConfigError(
            f"Image.from_uv_script: {path} depends on local projects ({', '.join(local)}); flyte_nb builds "
            "images from package names only. Add the project with .with_uv_project(<its pyproject.toml>, "
            "project_install_mode='install_project') instead"
        )
    requires = data.get("requires-python")
    return ScriptMetadata(requires if isinstance(requires, str) else None, tuple(dependencies))


def check_requires_python(requires: str | None, version: tuple[int, int], where: str) -> None:
    """Raise when ``requires`` (a ``requires-python`` specifier) excludes ``version``; needs
    ``packaging`` (without it, nothing is checked)."""
    if not requires:
        return
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # pragma: no cover - packaging is nearly always there
        return
    try:
        allowed = SpecifierSet(requires)
    except InvalidSpecifier as exc:
        raise ConfigError(f"{where}: requires-python {requires!r} is not a version specifier ({exc})") from None
    wanted = f"{version[0]}.{version[1]}"
    if not allowed.contains(wanted, prereleases=True):
        raise ConfigError(
            f"{where} requires Python {requires}, but the image is for Python {wanted} (this kernel's, or "
            f"python_version=...); images run tasks pickled in this kernel, so run the kernel on a Python "
            f"that satisfies {requires}, or widen requires-python"
        )


# ---------------------------------------------------------------------- pyproject.toml
def pyproject_name(path: str) -> str:
    """The project's name in ``pyproject.toml`` (``[project]`` or ``[tool.poetry]``), or its
    folder's name."""
    with open(path, encoding="utf-8") as handle:
        data = _toml(handle.read(), path)
    project = data.get("project") or data.get("tool", {}).get("poetry") or {}
    name = project.get("name") if isinstance(project, dict) else None
    return str(name or os.path.basename(os.path.dirname(path)) or "project")


def _toml(text: str, what: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]  # tomli: 3.10 only
        except ImportError as exc:
            raise ConfigError(f"reading {what} needs tomli on Python 3.10: pip install tomli") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} is not valid TOML: {exc}") from None
