"""flyte_nb: Flyte 2 workflows, run from a Jupyter kernel.

``import flyte_nb as flyte`` and the Flyte 2 programming model works unchanged: async
tasks in a ``TaskEnvironment``, fanouts with ``asyncio.gather``, limits with
``asyncio.Semaphore`` or ``flyte.map(..., concurrency=N)``, groups, traces and runs.
Importing it has no side effects: no threads, no Docker calls, no magics.

The public names load on first use (PEP 562): a container that only runs an action's
function imports the few modules that needs, not the whole package.
"""

import importlib as _importlib
import types as _types
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:
    from . import errors
    from . import io as io
    from ._config import Config, init, init_from_config
    from ._context import current_context
    from ._environment import TaskEnvironment
    from ._group import group
    from ._image import Image
    from ._map import MapCall, map
    from ._policies import Backoff, Cache, Resources, RetryStrategy, ReusePolicy, Timeout
    from ._run import Run, Runner, active_runs, run, with_runcontext
    from ._task import TaskTemplate
    from ._trace import trace
    from .orchestrator import RunSnapshot, State

__all__ = [
    "Backoff",
    "Cache",
    "Config",
    "Image",
    "MapCall",
    "Resources",
    "RetryStrategy",
    "ReusePolicy",
    "Run",
    "RunSnapshot",
    "Runner",
    "State",
    "TaskEnvironment",
    "TaskTemplate",
    "Timeout",
    "__version__",
    "active_runs",
    "current_context",
    "errors",
    "group",
    "init",
    "init_from_config",
    "load_ipython_extension",
    "map",
    "run",
    "trace",
    "with_runcontext",
]

#: public name -> the private module that defines it
_HOMES = {
    "Backoff": "._policies",
    "Cache": "._policies",
    "Config": "._config",
    "Image": "._image",
    "MapCall": "._map",
    "Resources": "._policies",
    "RetryStrategy": "._policies",
    "ReusePolicy": "._policies",
    "Run": "._run",
    "RunSnapshot": ".orchestrator",
    "Runner": "._run",
    "State": ".orchestrator",
    "TaskEnvironment": "._environment",
    "TaskTemplate": "._task",
    "Timeout": "._policies",
    "active_runs": "._run",
    "current_context": "._context",
    "group": "._group",
    "init": "._config",
    "init_from_config": "._config",
    "map": "._map",
    "run": "._run",
    "trace": "._trace",
    "with_runcontext": "._run",
}
#: subpackages reachable as attributes: flyte.errors, flyte.io (File, Directory, DataFrame as in the SDK)
_SUBMODULES = ("errors", "io")


def __getattr__(name: str) -> _typing.Any:
    if name in _SUBMODULES:
        value: _typing.Any = _importlib.import_module(f".{name}", __name__)
    elif name in _HOMES:
        value = getattr(_importlib.import_module(_HOMES[name], __name__), name)
        if isinstance(value, type):
            value.__module__ = __name__  # reprs and docs say flyte_nb.X
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    modules = (name for name, value in globals().items() if isinstance(value, _types.ModuleType))
    loaded = {name for name in modules if not name.startswith("_")}
    return sorted(set(__all__) | set(_SUBMODULES) | loaded)


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext flyte_nb`` registers the ``%%flyte`` and ``%flyte`` magics."""
    from .notebook._magic import load_ipython_extension as load

    load(ipython)
