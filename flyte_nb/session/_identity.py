"""``flyte.current_project()``, ``flyte.current_domain()``, ``flyte.version()`` and
``flyte.is_control_plane_available()``.

A Flyte cluster files runs under a project and a domain. flyte_nb runs locally and files
nothing there, but code written for the Flyte 2 SDK reads them: they are what
``flyte.init(project=..., domain=...)`` said, as in the SDK's local mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._version import __version__
from ..errors import InitializationError

_identity: dict[str, str] = {}


def remember_identity(options: Mapping[str, Any]) -> None:
    """Keep the ``project`` and ``domain`` given to ``flyte.init``/``init_from_config``."""
    for key in ("project", "domain"):
        value = options.get(key)
        if isinstance(value, str) and value:
            _identity[key] = value
        else:
            _identity.pop(key, None)


def _named(key: str) -> str:
    value = _identity.get(key)
    if value is None:
        raise InitializationError(
            f"{key.capitalize()}NotInitializedError",
            "user",
            f"{key.capitalize()} has not been initialized. Call flyte.init({key}=...) to name one "
            f"(flyte_nb runs locally: the {key} only names things, nothing is filed under it)",
        )
    return value


def current_project() -> str:
    """The project given to ``flyte.init(project=...)``; ``InitializationError`` when none was."""
    return _named("project")


def current_domain() -> str:
    """The domain given to ``flyte.init(domain=...)``; ``InitializationError`` when none was."""
    return _named("domain")


def version() -> str:
    """flyte_nb's version."""
    return __version__


def is_control_plane_available() -> bool:
    """False: flyte_nb never talks to a Flyte cluster's control plane."""
    return False
