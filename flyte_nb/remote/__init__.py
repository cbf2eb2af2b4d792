"""``flyte.remote``: the Flyte 2 SDK's remote run API, answered from the store.

``flyte.remote.Run.get(name)`` and ``flyte.remote.Run.listall(...)`` (newest first; filters
``in_phase``, ``task_name``, ``limit``) read the records that ended runs leave in the
configured store (``flyte.init(storage=...)``), in any process: a restarted kernel, a script.
A past run gives ``name``, ``phase``, ``url``, ``done()``, ``outputs()`` and ``inputs()``.
"""

from ..session._action_io import ActionInputs, ActionOutputs
from ..session._history import Run

__all__ = ["ActionInputs", "ActionOutputs", "Run"]
