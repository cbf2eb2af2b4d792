"""flyte_nb: Flyte 2 workflows, run from a Jupyter kernel.

``import flyte_nb as flyte`` and the Flyte 2 programming model works unchanged: async
tasks in a ``TaskEnvironment``, fanouts with ``asyncio.gather``, limits with
``asyncio.Semaphore`` or ``flyte.map(..., concurrency=N)``, groups, traces and runs.
Importing it has no side effects: no threads, no Docker calls, no magics.
"""

from . import errors
from . import io as io  # File, Directory, DataFrame: flyte.io as in the SDK (not in __all__: it would shadow io)
from ._config import Config, init, init_from_config
from ._context import current_context
from ._environment import TaskEnvironment
from ._group import group
from ._map import MapCall, map
from ._policies import Backoff, Cache, Resources, RetryStrategy, ReusePolicy, Timeout
from ._run import Run, Runner, active_runs, run, with_runcontext
from ._task import TaskTemplate
from ._trace import trace
from ._version import __version__
from .orchestrator import RunSnapshot, State

__all__ = [
    "Backoff",
    "Cache",
    "Config",
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


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext flyte_nb`` registers the ``%%flyte`` and ``%flyte`` magics."""
    from .notebook._magic import load_ipython_extension as load

    load(ipython)


# Public names report the package as their home, so reprs and docs say flyte_nb.X.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
