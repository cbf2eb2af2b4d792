"""The records a Controller keeps: one per action, group and trace step.

They are deliberately small (``__slots__``, no per-record dicts) because a run may hold
50,000 of them and the monitoring layer reads them directly.
"""

from __future__ import annotations

import sys
import traceback
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import CodeType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from ._task import TaskTemplate


#: Chunks of output kept per action (the tail a monitor shows).
LOG_TAIL_CHUNKS = 200


class State:
    """Lifecycle states of an action (plain strings, so ``run.phase == "succeeded"`` works).

    A run's phase uses the same words; a run is never ``cached``. They are interned str
    constants rather than an Enum because the controller updates counters keyed by them
    several times per action, and str hashing is cached while Enum hashing is not.
    """

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    CACHED = "cached"


STATES: tuple[str, ...] = (
    State.QUEUED,
    State.RUNNING,
    State.SUCCEEDED,
    State.FAILED,
    State.CANCELLED,
    State.CACHED,
)
TERMINAL: frozenset[str] = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED, State.CACHED})


@dataclass(slots=True)
class CallSite:
    """Where in user code an action (or a fanout of them) was started."""

    filename: str
    lineno: int
    function: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno} in {self.function}"


@dataclass(slots=True)
class ErrorInfo:
    """A failure, kept as text so it can be shown (and later shipped across processes)."""

    type: str
    message: str
    traceback: str


@dataclass(slots=True)
class AttemptRecord:
    """One finished attempt of an action that was tried more than once."""

    number: int
    started: float
    ended: float
    state: str
    error: ErrorInfo | None = None


@dataclass(slots=True)
class TraceRecord:
    """A ``@flyte.trace`` step: a light, in-process call recorded on its parent action."""

    name: str
    inputs: dict[str, Any]
    started: float
    ended: float = 0.0
    output: Any = None
    error: ErrorInfo | None = None
    restored: bool = False  # returned from a checkpoint of an earlier attempt of the run


@dataclass(slots=True, eq=False)
class GroupRecord:
    """Actions that belong together in the display: a map, a ``flyte.group`` or a fanout site.

    ``counts`` holds the number of the group's actions in each state and is kept up to
    date by the controller in O(1) per transition.
    """

    id: int
    name: str
    kind: str  # "map" | "group" | "fanout" | "root"
    parent_action: int | None
    site: CallSite | None = None
    concurrency: int = 0
    total: int = 0
    #: how many actions the group will have, when known in advance (a map over a list)
    expected: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    first_started: float = 0.0
    last_ended: float = 0.0
    peak_running: int = 0  # most of the group's actions running at once, so far
    # sums over the group's finished attempts, for mean overhead and runtime (shown per group)
    timed: int = 0
    overhead_sum: float = 0.0
    runtime_sum: float = 0.0
    # the group's actions in the order they were admitted (for drill-down views)
    members: list[ActionRecord] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class ActionRecord:
    """One invocation of a task: where it sits in the tree and what happened to it.

    Times are ``time.monotonic()`` seconds; ``Controller.started_at`` is the origin.
    """

    id: int
    task: TaskTemplate
    parent: int | None
    group: GroupRecord
    state: str = State.QUEUED
    attempts: int = 0
    queued: float = 0.0
    started: float = 0.0
    ended: float = 0.0
    error: ErrorInfo | None = None
    history: list[AttemptRecord] | None = None
    traces: list[TraceRecord] | None = None
    # the asyncio task executing this action while it runs; dropped when it ends
    handle: asyncio.Task[Any] | None = None
    # while True the action holds a slot of the run's max_action_concurrency
    holds_slot: bool = False
    # overhead the executor reported for the last attempt ({"u": s, "d": s, "t": s})
    timings: dict[str, float] | None = None
    # the tail of what the action printed (stdout and stderr), when anything was captured
    logs: deque[str] | None = None
    #: store key of the action's saved report page (``report=True`` tasks, once flushed)
    report: str | None = None
    # flyte.ctx().custom_context of the action (shared with its parent's when unchanged)
    custom_context: Mapping[str, str] | None = None

    @property
    def name(self) -> str:
        return self.task.name

    @property
    def duration(self) -> float:
        """Seconds from the first attempt's start to the end (0 while queued)."""
        if not self.started:
            return 0.0
        return (self.ended or _now()) - self.started

    def append_log(self, text: str) -> None:
        """Add output to the action's log tail (its last ``LOG_TAIL_CHUNKS`` writes)."""
        if self.logs is None:
            self.logs = deque(maxlen=LOG_TAIL_CHUNKS)
        self.logs.append(text)


def _now() -> float:
    import time

    return time.monotonic()


def error_info(exc: BaseException) -> ErrorInfo:
    """An exception as text: its type, message and formatted traceback."""
    return ErrorInfo(
        type=type(exc).__qualname__,
        message=str(exc),
        traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    )


_SYNTHETIC = frozenset({"<listcomp>", "<genexpr>", "<setcomp>", "<dictcomp>", "<lambda>"})


def enclosing_function(code: CodeType) -> str:
    """The user's function a call came from; a comprehension (its own frame before 3.12)
    reports the function that contains it."""
    qualname = getattr(code, "co_qualname", code.co_name)
    parts = [part for part in qualname.split(".") if part != "<locals>"]
    while len(parts) > 1 and parts[-1] in _SYNTHETIC:
        parts.pop()
    return parts[-1] if parts else code.co_name


def caller_site(depth: int) -> CallSite | None:
    try:
        frame = sys._getframe(depth)
    except ValueError:
        return None
    return CallSite(frame.f_code.co_filename, frame.f_lineno, enclosing_function(frame.f_code))
