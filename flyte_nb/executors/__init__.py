"""Backends, looked up by name.

Built-ins are registered by dotted path and imported on first use, so importing
flyte_nb never imports docker or dask. Third parties add a backend with
:func:`register_backend` (a dotted path or a factory) or through the
``flyte_nb.executors`` entry-point group; an existing name is never overwritten.
A backend with settings of its own declares what each key accepts (``settings=`` or
:attr:`Executor.settings_schema`), and the config checks its section against that.
:mod:`flyte_nb.testing` holds the conformance suite a backend can run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .._runtime._secrets import secrets_present
from ..errors import ConfigError
from ._base import ActionSpec, Executor, ExecutorCapabilities
from ._loop_end import on_loop_end
from ._settings import Setting, SettingsSchema, checked_schema

__all__ = [
    "ActionSpec",
    "Executor",
    "ExecutorCapabilities",
    "Setting",
    "SettingsSchema",
    "available_backends",
    "backend_settings",
    "is_backend",
    "create_executor",
    "on_loop_end",
    "register_backend",
    "registry",
    "secrets_present",
]

#: A backend's implementation: "module:attribute", or the class/factory itself.
Target = str | Callable[..., Executor]

# name -> ("module:attribute" or the object itself: a class or factory taking the backend's
# settings as keywords, pip extra)
_BUILTIN: dict[str, tuple[Target, str | None]] = {
    "local": ("flyte_nb.executors._local:LocalExecutor", None),
    "docker": ("flyte_nb.executors.docker._executor:DockerExecutor", "docker"),
    "dask": ("flyte_nb.executors.dask._executor:DaskExecutor", "dask"),
}
_registry: dict[str, tuple[Target, str | None]] = dict(_BUILTIN)
#: settings declared with register_backend(settings=...): name -> key -> Setting
_declared_settings: dict[str, dict[str, Setting]] = {}
_entry_points_loaded = False

registry: Mapping[str, tuple[Target, str | None]] = MappingProxyType(_registry)
"""Read-only view: backend name -> (dotted path or factory, pip extra that provides its dependencies)."""


def register_backend(
    name: str, target: Target, *, extra: str | None = None, settings: SettingsSchema | None = None
) -> None:
    """Register a backend ``name``, so ``flyte.init(backend=name)`` and config files accept it.

    ``target`` is ``"module:attribute"`` (imported on first use) or the class or factory
    itself; it is called with the backend's settings section as keywords and returns an
    :class:`Executor`. ``settings`` declares that section (key -> :class:`Setting`), so a
    config may hold ``name: {...}`` (or ``flyte.init(name={...})``) and each key is checked
    when the config loads; without it the target's ``settings_schema`` attribute is used,
    and a backend declaring neither takes no section. A name already registered raises
    :class:`ConfigError`.
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"a backend name must be a non-empty string, got {name!r}")
    if name in _registry:
        raise ConfigError(f"a backend named {name!r} is already registered ({_registry[name][0]})")
    if not callable(target) and (not isinstance(target, str) or ":" not in target):
        raise ConfigError(f"backend target must look like 'package.module:ClassName', got {target!r}")
    schema = None if settings is None else checked_schema(name, settings)
    _registry[name] = (target, extra)
    if schema is not None:
        _declared_settings[name] = schema


def available_backends() -> tuple[str, ...]:
    _load_entry_points()
    return tuple(sorted(_registry))


def is_backend(name: object) -> bool:
    """Whether ``name`` is a registered backend. A built-in or registered name is answered
    without reading the installed packages' entry points (that costs tens of milliseconds)."""
    if isinstance(name, str) and name in _registry:
        return True
    _load_entry_points()
    return isinstance(name, str) and name in _registry


def create_executor(name: str, settings: Mapping[str, Any] | None = None) -> Executor:
    """A new executor of backend ``name`` configured with ``settings``."""
    return _factory(name)(**dict(settings or {}))


def backend_settings(name: str) -> dict[str, Setting] | None:
    """What the settings section of a registered backend ``name`` accepts, or None when the
    backend declares no section. A backend registered by dotted path (or entry point) is
    imported to read its ``settings_schema``. The built-in backends' sections are declared
    in the config schema, not here."""
    if name in _declared_settings:
        return dict(_declared_settings[name])
    schema = getattr(_factory(name), "settings_schema", None)
    return None if schema is None else checked_schema(name, schema)


def _factory(name: str) -> Callable[..., Executor]:
    """The class or factory of backend ``name``, imported if registered by dotted path."""
    if name not in _registry:  # entry points never replace a name already registered
        _load_entry_points()
    if name not in _registry:
        raise ConfigError(f"unknown backend {name!r}; available backends: {', '.join(sorted(_registry))}")
    target, extra = _registry[name]
    if callable(target):
        return target
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f"pip install 'flyte_nb[{extra}]'" if extra else "check your installation"
        raise ConfigError(f"the {name} backend needs packages that are missing ({exc}); {hint}") from exc
    factory: Callable[..., Executor] = getattr(module, attribute)
    return factory


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for entry in entry_points(group="flyte_nb.executors"):
        if entry.name not in _registry:
            _registry[entry.name] = (entry.value, None)
