"""Workers that go silent mid-action: noticed by the kernel, not only by the scheduler.

Dask's scheduler drops a worker it has not heard from for its worker TTL
(``distributed.scheduler.worker-ttl``, 5 minutes by default) and only then moves the
worker's tasks; until then an action on a worker that was stopped, hung or cut off the
network waits. The kernel cannot change a user's scheduler, so it watches for itself:
while a run has actions on Dask, it asks the scheduler at most every ``CHECK_S`` seconds
for each worker's ``last_seen`` (the time of the worker's last heartbeat, as the
scheduler keeps it). A worker whose ``last_seen`` has not moved for longer than the
silence bound (``dask: connect_timeout``, at least a few of Dask's heartbeat intervals for
the cluster's size) is silent: each of the run's attempts the scheduler has processing on
it fails with :class:`~flyte_nb.errors.WorkerLostError` (naming the worker, how long it
was silent and the fix), its Dask task is cancelled (a late result is ignored), and the
task's retries apply: a retry is a new Dask task, placed on the workers that are not
silent. The worker itself is left alone (it is the user's). No action running, no
question asked. The questions go on the client's own loop: the run's loop only awaits the
answers, at most ``ASK_TIMEOUT_S`` each.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ...errors import WorkerLostError

T = TypeVar("T")

#: seconds between two questions to the scheduler while the run has actions on Dask
CHECK_S = 1.0
#: seconds the scheduler has to answer one question (no answer: nothing is concluded)
ASK_TIMEOUT_S = 2.0
#: a worker is silent only after this many of Dask's heartbeat intervals, whatever the bound
HEARTBEATS = 3
#: seconds a look stays the word on where new tasks may go (older: anywhere, as Dask decides)
PLACEMENT_S = 5.0


class SilentWorkers:
    """What one cluster's client has heard of its workers (shared by the runs using it):
    each worker's last ``last_seen`` and when, on this machine's clock, it last moved (so
    the scheduler's and the kernel's clocks never need to agree)."""

    def __init__(self) -> None:
        self.heard: dict[str, tuple[float, float]] = {}
        #: the workers silent at the last look, and the ones that were not
        self.silent: set[str] = set()
        self.live: list[str] = []
        self.looked = float("-inf")  # when, on this machine's clock

    def update(self, last_seen: dict[str, float], now: float, bound_s: float) -> dict[str, float]:
        """Take the scheduler's answer; the workers silent for longer than ``bound_s``, with
        how long each has been."""
        heard = self.heard
        for worker, seen in last_seen.items():
            before = heard.get(worker)
            if before is None or before[0] != seen:
                heard[worker] = (seen, now)
        for worker in set(heard) - set(last_seen):  # gone from the scheduler: Dask moved its tasks
            del heard[worker]
        silent = {worker: now - since for worker, (_, since) in heard.items() if now - since > bound_s}
        self.silent = set(silent)
        self.live = [worker for worker in last_seen if worker not in silent]
        self.looked = now
        return silent

    def placement(self, now: float | None = None) -> list[str] | None:
        """The workers a new task may go to: None (any, as Dask decides) unless a recent look
        found some worker silent and others not."""
        if not self.silent or not self.live:
            return None
        if (time.monotonic() if now is None else now) - self.looked > PLACEMENT_S:
            return None
        return self.live


class Cluster(Protocol):
    """What the watch uses of a connected cluster (``_cluster.Cluster``)."""

    client: Any
    silence: SilentWorkers


@dataclass
class _Watched:
    cluster: Cluster
    what: str
    #: the task awaiting the attempt's outcome; cancelled with ``error`` set when its worker is silent
    waiter: asyncio.Task[Any]
    error: WorkerLostError | None = None


class LivenessWatch:
    """One run's attempts on Dask, watched for a silent worker (lives on the run's loop)."""

    def __init__(self, bound_s: float, check_s: float = CHECK_S) -> None:
        self.bound_s = bound_s
        self.check_s = check_s
        self._watched: dict[str, _Watched] = {}  # Dask key -> the attempt waiting on it
        self._poller: asyncio.Task[None] | None = None

    async def outcome(self, cluster: Cluster, future: Any, fetch: Awaitable[T], what: str) -> T:
        """``await fetch`` (the attempt's outcome), unless the worker running ``future``'s task
        goes silent first: then the wait is cancelled, the task too, and
        :class:`WorkerLostError` raised. Costs an action a dict entry, no task of its own."""
        waiter = asyncio.current_task()
        assert waiter is not None  # awaited in a task: the run's attempt
        key = str(future.key)
        watched = self._watched[key] = _Watched(cluster, what, waiter)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.get_running_loop().create_task(self._poll(), name=f"flyte_nb liveness {what}")
        try:
            return await fetch  # the only place this task waits while watched: a cancel lands here
        except asyncio.CancelledError:
            if watched.error is None:  # cancelled by the run (cancel, timeout): as before
                raise
            uncancel = getattr(waiter, "uncancel", None)  # Python 3.11+: the cancel was ours, not the run's
            if uncancel is not None:
                uncancel()
            try:  # the scheduler drops the task, and a late result with it (released anyway next)
                await ask_on_client_loop(cluster.client, cluster.client._cancel([future], force=True))
            except Exception:
                pass
            raise watched.error from None
        finally:
            del self._watched[key]
            if not self._watched and self._poller is not None:
                self._poller.cancel()
                self._poller = None

    async def _poll(self) -> None:
        while self._watched:
            for cluster in {id(w.cluster): w.cluster for w in self._watched.values()}.values():
                try:
                    await self._look(cluster)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a scheduler busy or gone: the run itself says what failed
                    pass
            await asyncio.sleep(self.check_s)

    async def _look(self, cluster: Cluster) -> None:
        client = cluster.client
        if client.status != "running":
            return
        identity = await ask_on_client_loop(client, client.scheduler.identity(n_workers=-1))
        workers = identity.get("workers") or {}
        seen = {address: float(info.get("last_seen") or 0.0) for address, info in workers.items()}
        bound = max(self.bound_s, HEARTBEATS * _heartbeat_s(len(seen)))
        silent = cluster.silence.update(seen, time.monotonic(), bound)
        if not silent:
            return
        processing = await ask_on_client_loop(client, client.scheduler.processing(workers=sorted(silent)))
        for worker, keys in processing.items():
            for key in keys:
                watched = self._watched.get(str(key))
                if watched is not None and watched.error is None:
                    watched.error = _silent_error(worker, silent.get(worker, bound), bound, watched.what)
                    watched.waiter.cancel()


def _silent_error(worker: str, silent_s: float, bound_s: float, what: str) -> WorkerLostError:
    return WorkerLostError(
        f"the Dask worker {worker} running {what} has not been heard from for {silent_s:.0f} s (longer than "
        f"{bound_s:g} s, dask: connect_timeout): it stopped, hangs or was cut off the network. This attempt is "
        "abandoned and its Dask task cancelled; the task's retries run it on another worker. Check the network "
        "between the workers and the scheduler, or shorten distributed.scheduler.worker-ttl where the scheduler "
        "runs so that Dask drops silent workers itself"
    )


def _heartbeat_s(n_workers: int) -> float:
    """How often Dask's workers send a heartbeat, on a cluster of this size."""
    try:
        from distributed.scheduler import heartbeat_interval
    except ImportError:  # not where Dask keeps it in this version: its rule as of 2024
        return 0.5 if n_workers <= 10 else 1.0 if n_workers < 50 else 2.0 if n_workers < 200 else n_workers / 200 + 1
    return float(heartbeat_interval(n_workers))


async def ask_on_client_loop(client: Any, question: Coroutine[Any, Any, T]) -> T:
    """Await ``question`` on the client's own loop (from an empty context, as every call
    into Dask's client: see ``_executor._outside_run``), at most ``ASK_TIMEOUT_S``."""
    asked = contextvars.Context().run(asyncio.run_coroutine_threadsafe, question, client.loop.asyncio_loop)
    return await asyncio.wait_for(asyncio.wrap_future(asked), ASK_TIMEOUT_S)
