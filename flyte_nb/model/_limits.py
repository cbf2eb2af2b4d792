"""A run's limits, and the error that ends a run which tries to cross its action limit.

The action limit is a property of the run, not of the call that crossed it: the run fails
with :class:`ActionLimitError` even when the crossing call was one item of a
``flyte.map(..., return_exceptions=True)`` or the code that made it caught the error.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import is_int_at_least
from ..errors import ActionLimitError

#: The per-run action limit of Flyte 2 (its documentation: "Current limit: 50k actions per run".
DEFAULT_MAX_ACTIONS = 50_000


@dataclass(frozen=True)
class RunLimits:
    """Limits of one run.

    ``max_actions`` bounds the actions a run's code may start (the entry action itself is
    not counted); the action that would cross it fails with :class:`ActionLimitError`.
    ``max_action_concurrency`` bounds actions doing work at once (0: no bound). An action
    that starts child actions hands its slot back: it is orchestrating from then on, and
    nested fanouts can never deadlock on the limit.
    """

    max_actions: int = DEFAULT_MAX_ACTIONS
    max_action_concurrency: int = 0

    def __post_init__(self) -> None:
        for name, low in (("max_actions", 1), ("max_action_concurrency", 0)):
            value = getattr(self, name)
            if not is_int_at_least(value, low):
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")


def action_limit_error(run: str, task: str, limit: int) -> ActionLimitError:
    """The error of run ``run`` refusing to start ``task`` past its ``limit``, with the fix."""
    return ActionLimitError(
        f"run {run} reached its limit of {limit:,} actions, so {task} was not started and the run fails. "
        "Batch the work (one action per chunk of items, e.g. 100 items per call) or raise the limit "
        "with flyte.with_runcontext(max_actions=...).",
        limit=limit,
    )
