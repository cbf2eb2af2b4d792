"""What each key of a backend section (``local:``, ``docker:``, ``dask:``) accepts.

Sections are checked when the config is loaded (``init_from_config``, ``init(docker=...)``),
so ``pull: 'false'`` or ``network: 42`` fails there, naming ``section.key``, the value given
and a value that works, instead of turning true, or into an engine error at the first
run. A key set to ``null`` means its default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._checks import is_finite_number, is_int_at_least
from ..errors import ConfigError

__all__ = ["BACKEND_SCHEMAS", "Setting", "check_section"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of a backend section: what it must be (in words), the check, an example."""

    kind: str
    check: Callable[[Any], bool]
    example: str


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\0" not in value


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _at_least(low: int) -> Callable[[Any], bool]:
    return lambda value: is_int_at_least(value, low)


def _users(value: Any) -> bool:
    return isinstance(value, Mapping) and all(_text(k) and _text(v) for k, v in value.items())


def _resources(value: Any) -> bool:
    return isinstance(value, Mapping) and all(_text(k) and is_finite_number(v) and v >= 0 for k, v in value.items())


def _memory_limit(value: Any) -> bool:
    return is_int_at_least(value, 1) or _text(value)


def _positive_seconds(value: Any) -> bool:
    return is_finite_number(value) and value > 0


def _one_of(*choices: str) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and value in choices


_BOOL = Setting("a bool (true or false, unquoted)", _is_bool, "true")

BACKEND_SCHEMAS: dict[str, dict[str, Setting]] = {
    "local": {
        "max_threads": Setting("an int >= 1", _at_least(1), "64"),
        "copy_io": _BOOL,
    },
    "docker": {
        "base_image": Setting("an image name (str)", _text, "'flyte-nb-base:bookworm'"),
        "host": Setting("a Docker engine URL (str)", _text, "'unix:///var/run/docker.sock'"),
        "pull": _BOOL,
        "network": Setting("a Docker network name (str)", _text, "'bridge'"),
        "reuse": _BOOL,
        "cleanup": _BOOL,
        "user": Setting("a user for the containers (str: name or uid[:gid])", _text, "'root' or '1000:1000'"),
        "users": Setting(
            "a mapping of image name or tag to a user (str to str)", _users, "{'my-image:latest': 'root'}"
        ),
        "pids_limit": Setting("an int >= 1 (processes per container)", _at_least(1), "512"),
    },
    "dask": {
        "address": Setting("a scheduler address (str)", _text, "'tcp://scheduler:8786'"),
        "n_workers": Setting("an int >= 1", _at_least(1), "4"),
        "threads_per_worker": Setting("an int >= 1", _at_least(1), "16"),
        "memory_limit": Setting("bytes (int >= 1) or a size (str)", _memory_limit, "'4GiB' or 'auto'"),
        "worker_resources": Setting(
            "a mapping of resource name to a number >= 0", _resources, "{'GPU': 1, 'MEMORY': 8e9}"
        ),
        "callback": Setting("one of 'auto', 'unix', 'tcp'", _one_of("auto", "unix", "tcp"), "'auto'"),
        "callback_host": Setting("a host name or address (str)", _text, "'10.0.0.5'"),
        "connect_timeout": Setting("seconds (a number > 0)", _positive_seconds, "30"),
    },
}


def check_section(name: str, section: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The section's settings with ``null`` ones left out, or :class:`ConfigError` naming
    ``name.key``, the value given and the fix."""
    schema = BACKEND_SCHEMAS[name]
    checked: dict[str, Any] = {}
    for key, value in section.items():
        if value is None:
            continue  # null: the backend's default
        setting = schema[key]
        if not setting.check(value):
            raise ConfigError(
                f"{name}.{key} in {source} must be {setting.kind}, got {value!r} ({type(value).__name__}); "
                f"write e.g. {name}: {{{key}: {setting.example}}}"
            )
        checked[key] = value
    return checked
