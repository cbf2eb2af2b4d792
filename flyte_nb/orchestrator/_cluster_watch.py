"""Keeping a run's view of its cluster current: workers, busy threads, the dashboard link.

An executor that declares ``reports_cluster`` (dask) is asked at most once a second, and
only while someone follows the run's events (a widget): a run nobody watches costs the
scheduler nothing until its end. When the run ends, the cluster is asked once more, so the
final numbers (busy threads back to 0 when the cluster is the run's own) are what the
widget's last snapshot and ``run.json`` keep. Other executors are never asked.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..executors._base import Executor
    from ..model._cluster_info import ClusterInfo
    from ._events import EventStream

#: Seconds between two questions to the cluster while a widget follows the run.
CLUSTER_REFRESH_S = 1.0
#: Seconds the last question, when the run ends, may take (the last answer stays otherwise).
LAST_LOOK_S = 2.0


class WatchedRun(Protocol):
    """What the watch reads and sets of a run's controller."""

    name: str
    executor: Executor
    events: EventStream
    cluster: ClusterInfo | None

    def changed(self) -> None: ...


class ClusterWatch:
    """Asks the run's executor about its cluster while the run goes, and puts the answer on
    ``controller.cluster`` (a change wakes the run's watchers, as any other change does)."""

    def __init__(self, controller: WatchedRun, refresh_s: float = CLUSTER_REFRESH_S) -> None:
        self.controller = controller
        self.refresh_s = refresh_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching (on the running loop), if the executor has a cluster to describe."""
        if self.controller.executor.capabilities.reports_cluster and self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._watch(), name=f"flyte_nb cluster {self.controller.name}"
            )

    async def _watch(self) -> None:
        while True:
            if self.controller.events.subscribers:
                await self._look()
            await asyncio.sleep(self.refresh_s)

    async def _look(self) -> None:
        try:
            info = await self.controller.executor.refresh_cluster_info()
        except Exception:  # the executor's own failures reach the run through its actions
            return
        if info is not None and info != self.controller.cluster:
            self.controller.cluster = info
            self.controller.changed()

    async def stop(self) -> None:
        """Stop watching, after one last look (bounded by ``LAST_LOOK_S``). Never raises:
        the run ends whatever the cluster says, even when cancelled again meanwhile."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await asyncio.wait([task])
            await asyncio.wait_for(self._look(), LAST_LOOK_S)
        except (asyncio.CancelledError, asyncio.TimeoutError):
            pass
