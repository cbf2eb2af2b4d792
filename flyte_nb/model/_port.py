"""What the code running inside a run may ask of the run's controller.

Tasks, ``flyte.map``, groups, traces, semaphores, ``flyte.io`` and the executors reach
the run through :class:`~flyte_nb.model.ActionContext`, whose ``controller`` is anything
that has these members: the kernel's :class:`~flyte_nb.orchestrator.Controller`, or
inside a container the ``RemoteController`` that forwards task calls to the kernel. Code
below the orchestrator depends on this protocol, never on the controller itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import CodeType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._context import ActionContext, RunInfo
    from ._records import ActionRecord, CallSite, TraceRecord
    from ._task import TaskTemplate


class ControllerPort(Protocol):
    """The controller of one run, as the code inside the run sees it."""

    #: the run's name
    name: str
    #: the loop the run's actions run on (None before the run starts)
    loop: asyncio.AbstractEventLoop | None
    #: the semaphores made by the run's code (their gauges show in the widget)
    semaphores: list[Any]
    #: what the run's actions read of the run through ``flyte.ctx()``
    run_info: RunInfo

    @property
    def actions(self) -> Sequence[ActionRecord]:
        """Every action of the run, by id (the run's root action first)."""

    @property
    def data(self) -> Any:
        """The run's ``flyte_nb.data.RunData`` (store, cache, checkpoints), or None when the
        run stores nothing. Typed loosely: the data floor sits above this one."""

    async def submit(
        self,
        task: TaskTemplate,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ctx: ActionContext,
        site: tuple[CodeType, int] | None,
    ) -> Any:
        """Start ``task(*args, **kwargs)`` as a child of ``ctx.action``; its output."""

    def actions_left(self) -> int | None:
        """How many more actions the run may start, or None when another process holds the
        run's limit (inside a container: the kernel refuses, which cancels the caller)."""

    def refuse(self, task: str) -> BaseException:
        """The error to raise for a call past the run's action limit (fails the run); only
        asked when :meth:`actions_left` is not None."""

    def named_group(self, parent: int, name: str) -> Any:
        """The group ``flyte.group(name)`` puts the actions of ``parent`` into."""

    def map_group(self, parent: int, name: str, concurrency: int, site: CallSite | None, expected: int = 0) -> Any:
        """A fresh group for one ``flyte.map`` call."""

    def action_path(self, rec: ActionRecord) -> str:
        """A stable address of an action within its run (``main/process.3/fetch.0``)."""

    def next_trace_call(self, rec: ActionRecord, name: str) -> int:
        """How many times ``rec`` called the traced function ``name`` before this call."""

    def record_trace(self, rec: ActionRecord, trace: TraceRecord) -> None:
        """Add a finished trace step to ``rec``."""

    def changed(self) -> None:
        """Tell the watchers (the widget) that something they show changed."""
