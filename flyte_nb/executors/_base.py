"""The contract between the orchestrator and the places actions run.

The controller decides *when* an action runs (limits, retries, timeouts, cancellation);
an executor only decides *where*. The orchestrator never imports a backend: it is given
one object that satisfies :class:`Executor`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .._task import TaskTemplate
    from ..orchestrator._data import RunData
    from ..orchestrator._records import ActionRecord


@dataclass(slots=True)
class ActionSpec:
    """One attempt of one action, as handed to an executor."""

    action: ActionRecord
    task: TaskTemplate
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    attempt: int
    #: seconds the executor spent on overhead, in the overhead model 2u + 2d + e + t: "u" (uploads), "d"
    #: (downloads), "t" (creating the instance). Executors that have any fill it in.
    timings: dict[str, float] | None = None
    #: the run's store and data settings (None when the run stores nothing)
    data: RunData | None = None
    #: for executors with ``reports_start = True``: call it (on the run's loop) when the body
    #: really starts, e.g. after a cluster scheduler's queue; the action is queued until then
    started: Callable[[], None] | None = None


@runtime_checkable
class Executor(Protocol):
    """Runs attempts of actions somewhere.

    ``submit`` runs one attempt and returns the task's output, or raises the exception the
    task raised (its original type). It must be cancellable: when the awaiting coroutine is
    cancelled, the attempt is stopped (or, where it cannot be stopped, abandoned) and
    ``CancelledError`` propagates. Callers may call ``cancel(action_id)`` to stop one
    attempt from outside, and must call ``close()`` (or use ``async with``) when done. An
    executor whose attempts wait in a queue of its own sets ``reports_start = True`` and
    calls ``spec.started()`` when an attempt's body begins.
    """

    name: str

    async def submit(self, spec: ActionSpec) -> Any: ...

    async def cancel(self, action_id: int) -> None: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Executor: ...

    async def __aexit__(self, *exc_info: object) -> None: ...
