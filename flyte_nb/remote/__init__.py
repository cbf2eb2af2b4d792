"""``flyte.remote``: the Flyte 2 SDK's remote run API, answered from the store.

``flyte.remote.Run.get(name)`` and ``flyte.remote.Run.listall(...)`` (newest first; filters
``in_phase``, ``task_name``, ``limit``) read the records runs leave in the configured store
(``flyte.init(storage=...)``), in any process: a restarted kernel, a script. A past run gives
``name``, ``phase``, ``url``, ``done()``, ``outputs()``, ``inputs()``, ``action`` (its entry
action), ``get_logs()``, ``show_logs()``, ``get_report()`` and ``first_failure()``; a run still
going shows its last recorded state. ``flyte.remote.Action.listall(for_run_name=...)`` and
``Action.get(run_name=..., name=...)`` give its actions: phase, attempts, error, logs, traces,
report (``await action.details()`` for the details).
"""

from ..session._action_io import ActionInputs, ActionOutputs
from ..session._history import Run
from ..session._remote_actions import Action, ActionDetails

__all__ = ["Action", "ActionDetails", "ActionInputs", "ActionOutputs", "Run"]
