"""A run's event stream: coalesced snapshots of aggregate state.

Subscribers never see individual action events. The controller bumps a version number
and wakes subscribers (O(subscribers) per change, nothing when there are none); each
subscriber builds at most one snapshot per interval from counters the controller keeps
up to date, so its cost per tick depends on the number of groups, not of actions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..model._records import GroupRecord


class RunState(Protocol):
    """What a snapshot is made of: the counters the controller keeps up to date."""

    name: str
    phase: str
    version: int
    done: bool
    started_at: float
    ended_at: float
    counts: dict[str, int]
    rejected: int
    peak_running: int

    @property
    def actions(self) -> Sequence[object]: ...

    @property
    def groups(self) -> Sequence[GroupRecord]: ...

    def snapshot(self) -> RunSnapshot: ...


@dataclass(frozen=True, slots=True)
class GroupSnapshot:
    """A group's aggregate state at one moment."""

    id: int
    name: str
    kind: str
    parent_action: int | None
    site: str | None
    concurrency: int
    total: int
    counts: dict[str, int]
    first_started: float
    last_ended: float
    #: most of the group's actions running at once (a semaphore or map limit shows here)
    peak_running: int = 0


@dataclass(frozen=True, slots=True)
class RunSnapshot:
    """A run's aggregate state at one moment: phase, counts per state, and its groups."""

    run: str
    phase: str
    version: int
    elapsed: float
    total: int
    counts: dict[str, int]
    groups: tuple[GroupSnapshot, ...]
    rejected: int
    done: bool
    #: most actions running at once in the whole run, so far
    peak_running: int = 0


class EventStream:
    """Lets other layers follow a run without paying per action."""

    def __init__(self, controller: RunState) -> None:
        self._controller = controller
        self._wakers: list[asyncio.Event] = []

    @property
    def subscribers(self) -> int:
        return len(self._wakers)

    def notify(self) -> None:
        """Called by the controller after every change; wakes waiting subscribers."""
        for waker in self._wakers:
            waker.set()

    async def subscribe(self, interval: float = 0.1) -> AsyncIterator[RunSnapshot]:
        """Yield a snapshot whenever the run changed, at most once per ``interval`` seconds,
        and always a final one when the run ends (then the iterator stops)."""
        controller = self._controller
        waker = asyncio.Event()
        self._wakers.append(waker)
        seen = -1
        try:
            while True:
                if controller.version == seen and not controller.done:
                    await waker.wait()
                waker.clear()
                seen = controller.version
                snapshot = controller.snapshot()
                yield snapshot
                if snapshot.done:
                    return
                await asyncio.sleep(interval)
        finally:
            self._wakers.remove(waker)


def snapshot_of(controller: RunState) -> RunSnapshot:
    """A run's aggregate state now; costs O(groups), not O(actions)."""
    c = controller
    groups = tuple(
        GroupSnapshot(
            g.id,
            g.name,
            g.kind,
            g.parent_action,
            str(g.site) if g.site else None,
            g.concurrency,
            g.total,
            dict(g.counts),
            g.first_started,
            g.last_ended,
            g.peak_running,
        )
        for g in c.groups
    )
    end = c.ended_at or time.monotonic()
    return RunSnapshot(
        run=c.name,
        phase=c.phase,
        version=c.version,
        elapsed=(end - c.started_at) if c.started_at else 0.0,
        total=len(c.actions),
        counts=dict(c.counts),
        groups=groups,
        rejected=c.rejected,
        done=c.done,
        peak_running=c.peak_running,
    )
