"""The type checker runs on flyte_nb/ as a test: no errors, and every ``type: ignore`` left
says which error it silences and why.

mypy reads its settings from pyproject.toml's ``[tool.mypy]`` (Python 3.10, the package,
unused ignores reported), so running it by hand gives the same verdict as this test.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "flyte_nb"

#: ``# type: ignore[code]`` or ``# type: ignore[code-a, code-b]``, then anything (a reason)
_CODED = re.compile(r"#\s*type:\s*ignore\[[a-z][a-z-]*(?:,\s*[a-z][a-z-]*)*\](?P<rest>.*)$")
_IGNORE = re.compile(r"#\s*type:\s*ignore")


def unexplained_ignores(source: str) -> list[tuple[int, str]]:
    """The ``type: ignore`` comments of ``source`` that name no error code, or that have no
    reason beside them (more comment on the same line) or on the line above (a comment)."""
    comments: dict[int, list[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments.setdefault(token.start[0], []).append(token.string)
    bad = []
    for line, texts in sorted(comments.items()):
        for text in texts:
            if not _IGNORE.search(text):
                continue
            coded = _CODED.search(text)
            if coded is None:
                bad.append((line, f"names no error code: {text}"))
                continue
            reason_here = coded.group("rest").strip(" #")
            reason_above = any(not _IGNORE.search(t) for t in comments.get(line - 1, []))
            if not (reason_here or reason_above):
                bad.append((line, f"gives no reason (same line or the comment line above): {text}"))
    return bad


def test_mypy_finds_no_error_in_the_package() -> None:
    pytest.importorskip("mypy", reason="mypy comes with the test extra: pip install -e '.[test]'")
    done = subprocess.run(
        [sys.executable, "-m", "mypy"],  # files and settings from pyproject.toml
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"mypy found errors:\n{done.stdout}{done.stderr}"
    assert "no issues found" in done.stdout


def test_every_type_ignore_names_its_code_and_reason() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, what in unexplained_ignores(path.read_text(encoding="utf-8"))
    ]
    assert not bad, "type: ignore without a code or a reason:\n" + "\n".join(bad)


def test_the_ignore_check_flags_bare_codeless_and_unexplained_ignores() -> None:
    source = (
        "a = f()  # type: ignore\n"  # bare: no code
        "b = f()  # type: ignore[attr-defined]\n"  # a code, no reason
        "# the reason, above\n"
        "c = f()  # type: ignore[misc]\n"
        "d = f()  # type: ignore[arg-type, misc]  # the reason, beside it\n"
        "s = '# type: ignore'\n"  # a string, not a comment
    )
    assert [line for line, _ in unexplained_ignores(source)] == [1, 2]
