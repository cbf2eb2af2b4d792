"""Where a run's secrets come from: the kernel's environment, then the user's secrets files.

A secret (``flyte.Secret(key, group=...)``) is looked up, in order, in the kernel's
environment as its ``as_env_var`` name and as the SDK's default name (``GROUP_KEY`` upper
case, ``-`` as ``_``), then in ``secrets.toml`` in the user's config folder, then in the
files the config's ``secrets: {files: [...]}`` names. A secrets file is TOML::

    openai-key = "sk-..."          # a secret without a group

    [my-group]                     # the group's secrets
    db-password = "..."

and must be readable by its owner only (``chmod 600``): a file others may read is refused.
A run finds, when it starts, the secrets of its entry task and of every task that task's
code names (and theirs), so a missing one stops ``flyte.run`` before anything runs; a task
reached another way has its secrets found when its first action starts.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from .._paths import user_config_dir
from ..errors import ConfigError, SecretNotFoundError
from ..model._secret import Secret, SecretValues, default_env_name
from ..model._task import TaskTemplate

#: the user's own secrets file, in the user config folder
SECRETS_FILE_NAME = "secrets.toml"


def user_secrets_file() -> Path:
    """``secrets.toml`` in the user's config folder (``~/.config/flyte_nb`` on Linux)."""
    return user_config_dir() / SECRETS_FILE_NAME


def run_secrets(extra_files: tuple[str, ...] = ()) -> SecretValues:
    """A run's secret values: found on first use, from the environment or the secrets files."""
    files = [user_secrets_file(), *(Path(f).expanduser() for f in extra_files)]
    tables: list[tuple[Path, dict[str, Any]]] | None = None

    def resolve(secret: Secret) -> str:
        nonlocal tables
        for name in _env_names(secret):
            value = os.environ.get(name)
            if value is not None:
                return value
        if tables is None:
            tables = [(path, read_secrets_file(path)) for path in files if path.exists()]
        for path, table in tables:
            value = _in_table(table, secret, path)
            if value is not None:
                if "\0" in value:  # no environment variable can hold it
                    raise ConfigError(f"secret {secret.name!r} in the secrets file {path} holds a NUL character")
                return value
        raise SecretNotFoundError(_missing(secret, files))

    return SecretValues(resolve)


def read_secrets_file(path: Path) -> dict[str, Any]:
    """The secrets in ``path`` (TOML), refused unless only its owner, this user, may read it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(f"cannot read the secrets file {path}: {exc.strerror}") from None
    if info.st_uid != os.geteuid():
        raise ConfigError(
            f"the secrets file {path} belongs to another user (uid {info.st_uid}); a secrets file must be "
            "your own: copy it into a file you own and run: chmod 600 <that file>"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise ConfigError(
            f"the secrets file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):04o}), so flyte_nb "
            f"will not use it; make it yours alone: chmod 600 {path}"
        )
    try:
        with path.open("rb") as f:
            table = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read the secrets file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:  # its message names a line, never a value
        raise ConfigError(
            f'the secrets file {path} is not valid TOML ({exc}); write key = "value" lines, '
            "and [group] above the secrets of a group"
        ) from None
    return table


def _in_table(table: dict[str, Any], secret: Secret, path: Path) -> str | None:
    section: Any = table
    where = "at the top"
    if secret.group is not None:
        section = table.get(secret.group)
        where = f"under [{_toml_key(secret.group)}]"
        if section is None:
            return None
        if not isinstance(section, dict):
            raise ConfigError(
                f"{secret.group!r} in the secrets file {path} must be a [section] of the group's secrets, "
                f'e.g. [{_toml_key(secret.group)}] then {_toml_key(secret.key)} = "..."'
            )
    value = section.get(secret.key)
    if value is None or (isinstance(value, dict) and secret.group is None):
        return None
    if not isinstance(value, str):
        raise ConfigError(
            f"secret {_toml_key(secret.key)} {where} in the secrets file {path} must be a string "
            f'(in quotes), got a {type(value).__name__}; write {_toml_key(secret.key)} = "..."'
        )
    return value


def _env_names(secret: Secret) -> list[str]:
    names = [secret.as_env_var] if secret.as_env_var else []
    default = default_env_name(secret.key, secret.group)
    return names if default in names else [*names, default]


def _missing(secret: Secret, files: list[Path]) -> str:
    section = f"[{_toml_key(secret.group)}]\n    " if secret.group else ""
    where = ", ".join(str(f) for f in files)
    return (
        f"secret {secret.name!r} was not found. Set the environment variable {' or '.join(_env_names(secret))} "
        f"in the environment the kernel starts from, or add it to {files[0]} (a file only you can read: "
        f'chmod 600) as\n    {section}{_toml_key(secret.key)} = "..."\n(looked in: the environment, {where})'
    )


def _toml_key(name: str) -> str:
    bare = name.replace("-", "").replace("_", "")
    return name if bare.isalnum() and bare.isascii() else '"' + name.replace('"', '\\"') + '"'


def secrets_of_run(task: TaskTemplate[Any, Any]) -> list[Secret]:
    """The secrets of ``task`` and of every task its code names (and theirs), each once."""
    found: dict[tuple[str | None, str, str | None, str | None], Secret] = {}
    for each in _named_tasks(task):
        for secret in each.secrets:
            found.setdefault((secret.group, secret.key, secret.as_env_var, secret.file_name), secret)
    return list(found.values())


def _named_tasks(task: TaskTemplate[Any, Any]) -> Iterator[TaskTemplate[Any, Any]]:
    seen: set[int] = set()
    pending = [task]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(_callees(current.func))


def _callees(func: Any) -> list[TaskTemplate[Any, Any]]:
    """Tasks that ``func``'s code names (nested functions included): globals, closure cells,
    and names of code it closes over (a ``%%flyte`` cell's body) in a namespace it closes over."""
    code = getattr(func, "__code__", None)
    closed: list[Any] = []
    for cell in getattr(func, "__closure__", None) or ():
        try:
            closed.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    namespaces = [getattr(func, "__globals__", {})] + [v for v in closed if isinstance(v, dict)]
    names: set[str] = set()
    pending = [c for c in [code, *closed] if isinstance(c, CodeType)]
    while pending:
        current = pending.pop()
        names.update(current.co_names)
        pending.extend(c for c in current.co_consts if isinstance(c, CodeType))
    values = [*closed, *(ns.get(name) for ns in namespaces for name in sorted(names))]
    return [v for v in values if isinstance(v, TaskTemplate)]
