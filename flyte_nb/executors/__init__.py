"""Backends, looked up by name.

Built-ins are registered by dotted path and imported on first use, so importing
flyte_nb never imports docker or dask. Third parties add a backend with
:func:`register_backend` (a dotted path or a factory) or through the
``flyte_nb.executors`` entry-point group; an existing name is never overwritten.
:mod:`flyte_nb.testing` holds the conformance suite a backend can run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..errors import ConfigError
from ._base import ActionSpec, Executor, ExecutorCapabilities
from ._loop_end import on_loop_end

__all__ = [
    "ActionSpec",
    "Executor",
    "ExecutorCapabilities",
    "available_backends",
    "create_executor",
    "on_loop_end",
    "register_backend",
    "registry",
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
_entry_points_loaded = False

registry: Mapping[str, tuple[Target, str | None]] = MappingProxyType(_registry)
"""Read-only view: backend name -> (dotted path or factory, pip extra that provides its dependencies)."""


def register_backend(name: str, target: Target, *, extra: str | None = None) -> None:
    """Register a backend ``name``, so ``flyte.init(backend=name)`` and config files accept it.

    ``target`` is ``"module:attribute"`` (imported on first use) or the class or factory
    itself; it is called with the backend's settings section as keywords and returns an
    :class:`Executor`. A name already registered raises :class:`ConfigError`.
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"a backend name must be a non-empty string, got {name!r}")
    if name in _registry:
        raise ConfigError(f"a backend named {name!r} is already registered ({_registry[name][0]})")
    if callable(target):
        _registry[name] = (target, extra)
        return
    if not isinstance(target, str) or ":" not in target:
        raise ConfigError(f"backend target must look like 'package.module:ClassName', got {target!r}")
    _registry[name] = (target, extra)


def available_backends() -> tuple[str, ...]:
    _load_entry_points()
    return tuple(sorted(_registry))


def create_executor(name: str, settings: Mapping[str, Any] | None = None) -> Executor:
    """A new executor of backend ``name`` configured with ``settings``."""
    _load_entry_points()
    if name not in _registry:
        raise ConfigError(f"unknown backend {name!r}; available backends: {', '.join(sorted(_registry))}")
    target, extra = _registry[name]
    if callable(target):
        return target(**dict(settings or {}))
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f"pip install 'flyte_nb[{extra}]'" if extra else "check your installation"
        raise ConfigError(f"the {name} backend needs packages that are missing ({exc}); {hint}") from exc
    factory = getattr(module, attribute)
    return factory(**dict(settings or {}))


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for entry in entry_points(group="flyte_nb.executors"):
        if entry.name not in _registry:
            _registry[entry.name] = (entry.value, None)
