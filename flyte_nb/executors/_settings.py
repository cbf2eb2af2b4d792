"""What one key of a backend's settings section accepts.

A backend declares its section (``docker: {...}``, ``mybackend: {...}`` in a config file
or ``flyte.init(mybackend={...})``) as a mapping of key to :class:`Setting`; the config
checks every key when it is loaded, so a bad value fails there, naming ``section.key``,
the value given and an example that works. The built-in backends' sections are declared in
:mod:`flyte_nb.session._config_schema`; a third-party backend passes its own to
:func:`flyte_nb.executors.register_backend` (``settings=``) or sets
:attr:`Executor.settings_schema <flyte_nb.executors.Executor.settings_schema>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

__all__ = ["Setting", "SettingsSchema", "checked_schema"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of a backend section: what it must be (in words, e.g. ``"an int >= 1"``),
    the check (True when a value is good) and an example value as written in YAML."""

    kind: str
    check: Callable[[Any], bool]
    example: str


#: a backend's section: key -> what the key accepts
SettingsSchema = Mapping[str, Setting]


def checked_schema(backend: str, schema: object) -> dict[str, Setting]:
    """``schema`` as a dict if it maps non-empty key names to :class:`Setting`; else
    :class:`ConfigError` naming the backend and the entry that is wrong."""
    if not isinstance(schema, Mapping):
        raise ConfigError(
            f"the settings of backend {backend!r} must be a mapping of key to flyte_nb.executors.Setting, "
            f"got {type(schema).__name__}"
        )
    for key, setting in schema.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigError(f"backend {backend!r} declares a setting named {key!r}; a key must be an identifier")
        if not isinstance(setting, Setting):
            raise ConfigError(
                f"backend {backend!r} declares setting {key!r} as {setting!r}; write e.g. "
                f"{key!r}: Setting('an int >= 1', lambda v: type(v) is int and v >= 1, '4')"
            )
    return dict(schema)
