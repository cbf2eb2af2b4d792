"""Reusable worker containers for environments with a ``ReusePolicy``.

A pool holds long-lived worker containers of one environment and image. It starts
``min`` replicas on first use, starts another (up to ``max``) whenever every worker's
``concurrency`` slots are taken, removes a worker idle for ``scaledown_ttl`` while more
than ``min`` remain, and removes all of them after ``idle_ttl`` without work, when the
loop that owns the pool ends, or when the kernel exits. Engine calls run in the engine's
own threads (executors/docker/_engine.py), never the default executor. Workers connect back over a
unix socket in a folder mounted into each container, so ``--network none`` holds. The
folder is 0700 and the socket 0600, and a connection is served only once it proved, by the
handshake of ``wire/_handshake.py``, that it holds the secret made for that worker (in
its container's environment): nothing is unpickled before. A worker exits when its
connection ends, so the workers of a kernel killed with ``-9`` end themselves.
A worker that dies mid-action fails its actions with :class:`WorkerLostError`; the
executor then runs them once more on another worker.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from ...errors import WorkerLostError
from ...model._policies import ReusePolicy
from ...wire._environment import POOL_SECRET_ENV
from ...wire._framing import receive, send
from ...wire._handshake import challenge
from ...wire._pool import CancelJob, JobDone, RunJob
from ...wire._secrets import SecretDelivery
from .._loop_end import on_loop_end

if TYPE_CHECKING:
    from ._store_access import StoreAccess

#: seconds a new worker gets to connect back before it counts as failed to start
HELLO_TIMEOUT_S = 30.0
JANITOR_PERIOD_S = 0.5
SOCKET_IN_CONTAINER = "/run/flyte_nb"

_pools: dict[tuple[Any, ...], WorkerPool] = {}
_ids = itertools.count()


class WorkerLauncher(Protocol):
    """What starts and stops a pool's worker containers (the docker executor): a pool only
    decides when."""

    async def start_worker(self, pool: WorkerPool, worker_id: str) -> Any:
        """Create and start the container of worker ``worker_id``; returns it."""
        ...

    async def stop_worker(self, container: Any) -> None:
        """Remove a worker's container (bounded; never behind other starts)."""
        ...

    async def worker_logs(self, container: Any) -> str:
        """The tail of a worker container's log (to say why it did not start)."""
        ...


class Worker:
    """One worker container and its connection."""

    def __init__(self, worker_id: str, container: Any) -> None:
        self.id = worker_id
        self.container = container
        self.writer: asyncio.StreamWriter | None = None
        self.busy = 0
        self.idle_since = time.monotonic()
        self.inflight: dict[str, asyncio.Future[str]] = {}
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        #: what the worker proves it holds before the pool reads anything it sends
        self.secret = secrets.token_bytes(32)


class WorkerPool:
    """Worker containers of one environment, image and policy, on one event loop."""

    def __init__(
        self, launcher: WorkerLauncher, image: str, env: Any, policy: ReusePolicy, access: StoreAccess
    ) -> None:
        self.launcher = launcher
        self.image = image
        self.env = env
        self.policy = policy
        self.access = access
        self.loop = asyncio.get_running_loop()
        self.folder = tempfile.mkdtemp(prefix="flyte_nb-pool-")  # short: unix socket paths are limited
        self.socket = os.path.join(self.folder, "pool.sock")
        self.workers: dict[str, Worker] = {}
        self.changed = asyncio.Condition()
        self.last_work = time.monotonic()
        self.closed = False
        self._server: asyncio.AbstractServer | None = None
        self._janitor: asyncio.Task[None] | None = None
        self.started_total = 0
        self.pending = 0  # workers whose containers are being created (or reserved)
        self.starting: dict[str, Worker] = {}

    # ------------------------------------------------------------------ lifecycle
    async def open(self) -> None:
        # reserve the first replicas before anything awaits: actions arriving while the pool
        # opens must see them coming, or they would start workers past max_replicas
        self.pending += self.policy.min_replicas
        self._server = await asyncio.start_unix_server(self._connected, path=self.socket)
        os.chmod(self.socket, 0o600)  # in a 0700 folder (mkdtemp's), handed to the workers' user
        await asyncio.gather(*[self._start_worker(reserved=True) for _ in range(self.policy.min_replicas)])
        self._janitor = self.loop.create_task(self._tidy(), name="flyte_nb pool janitor")

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        _pools.pop(self.key, None)
        if self._janitor is not None and self._janitor is not asyncio.current_task():
            self._janitor.cancel()  # (not when the janitor itself is closing the idle pool)
        for worker in list(self.workers.values()):
            await self._remove(worker, WorkerLostError("the worker pool was closed"))
        if self._server is not None:
            self._server.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def worker_environment(self, worker_id: str) -> dict[str, str]:
        """What a worker's container gets in its environment: its own secret."""
        worker = self.starting.get(worker_id) or self.workers.get(worker_id)
        assert worker is not None, "a worker's environment is made while it starts"
        return {POOL_SECRET_ENV: worker.secret.hex()}

    def _secret_of(self, worker_id: str) -> bytes | None:
        worker = self.workers.get(worker_id) or self.starting.get(worker_id)
        return worker.secret if worker is not None else None

    @property
    def key(self) -> tuple[Any, ...]:
        return pool_key(self.loop, self.image, self.env, self.policy, self.access)

    # ------------------------------------------------------------------ workers
    async def _start_worker(self, reserved: bool = False) -> Worker:
        """Start a worker and wait for it to connect (``reserved``: already counted in
        ``pending`` by whoever decided to grow)."""
        worker = Worker(f"w{next(_ids)}", None)
        if not reserved:
            self.pending += 1  # counted from now: nobody starts one too many
        # known before its container starts: the worker may say hello before we resume
        self.starting[worker.id] = worker
        try:
            worker.container = await self.launcher.start_worker(self, worker.id)
        finally:
            self.pending -= 1
            self.starting.pop(worker.id, None)
        if self.closed:  # the pool closed while this one started: it must not outlive it
            await self.launcher.stop_worker(worker.container)
            raise WorkerLostError("the worker pool was closed")
        self.workers[worker.id] = worker
        container = worker.container
        self.started_total += 1
        try:
            await asyncio.wait_for(asyncio.shield(worker.ready), HELLO_TIMEOUT_S)
        except (asyncio.TimeoutError, WorkerLostError) as exc:
            logs = await self.launcher.worker_logs(container)
            await self._remove(worker, WorkerLostError("worker did not start"))
            raise WorkerLostError(f"a worker container of {self.env.name} did not start: {exc}\n{logs}") from None
        async with self.changed:  # actions waiting for a slot see the new worker at once
            self.changed.notify_all()
        return worker

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            pass  # the loop is ending: the pool goes with it (atexit removes the containers)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        name = await challenge(reader, writer, self._secret_of)  # before anything is unpickled
        worker = (self.workers.get(name) or self.starting.get(name)) if name is not None else None
        if worker is None or worker.writer is not None:  # a stranger, or a second connection
            writer.close()
            return
        worker.writer = writer
        if not worker.ready.done():
            worker.ready.set_result(None)
        while True:
            message = await receive(reader)
            if message is None:
                break
            done = JobDone.from_dict(message)
            future = worker.inflight.pop(done.key, None)
            if future is not None and not future.done():
                future.set_result(done.logs)
        await self._remove(worker, WorkerLostError(f"worker {worker.id} of {self.env.name} died while running it"))

    async def _remove(self, worker: Worker, reason: BaseException) -> None:
        if self.workers.pop(worker.id, None) is None:
            return
        for future in worker.inflight.values():
            if not future.done():
                future.set_exception(reason)
        if not worker.ready.done():
            worker.ready.set_exception(reason)
            worker.ready.exception()  # retrieved: the starter reports it
        await self.launcher.stop_worker(worker.container)
        async with self.changed:
            self.changed.notify_all()

    # ------------------------------------------------------------------ work
    async def run(
        self,
        job_key: str,
        started: Callable[[], None] | None = None,
        seal: str | None = None,
        callback_secret: bytes = b"",
        secrets: tuple[SecretDelivery, ...] = (),
    ) -> str:
        """Send a job to a worker with a free slot (starting one if allowed); returns its log.
        ``started`` is called once a worker has taken it; ``seal`` is the job's run key and
        ``callback_secret`` its run's secret (for its task calls to the kernel): both travel
        with it over this authenticated socket, never through a file, and so do the action's
        ``secrets`` (present in the worker only while the job runs)."""
        worker = await self._acquire()
        if started is not None:
            started()
        future: asyncio.Future[str] = self.loop.create_future()
        worker.inflight[job_key] = future
        try:
            assert worker.writer is not None
            await send(worker.writer, RunJob(job_key, seal, callback_secret.hex(), secrets).to_dict())
            return await future
        except asyncio.CancelledError:
            worker.inflight.pop(job_key, None)
            if worker.writer is not None and not worker.writer.is_closing():
                await send(worker.writer, CancelJob(job_key).to_dict())
            raise
        finally:
            worker.busy -= 1
            worker.idle_since = self.last_work = time.monotonic()
            async with self.changed:
                self.changed.notify_all()

    async def _acquire(self) -> Worker:
        capacity = self.policy.concurrency
        while True:
            if self.closed:
                raise WorkerLostError("the worker pool was closed")
            ready = [w for w in self.workers.values() if w.ready.done() and not w.ready.exception()]
            free = [w for w in ready if w.busy < capacity]
            if free:
                worker = min(free, key=lambda w: w.busy)
                worker.busy += 1
                self.last_work = time.monotonic()
                return worker
            if len(self.workers) + self.pending < self.policy.max_replicas:
                self.pending += 1  # reserved now, before the task runs, so the count is exact
                self.loop.create_task(self._grow())  # one more worker for each action left waiting
            async with self.changed:
                await self.changed.wait()

    async def _grow(self) -> None:
        try:
            await self._start_worker(reserved=True)
        except WorkerLostError:
            pass  # waiting actions keep waiting for the workers there are
        async with self.changed:
            self.changed.notify_all()

    async def _tidy(self) -> None:
        # ReusePolicy.__post_init__ turned both into timedeltas
        scaledown = cast(timedelta, self.policy.scaledown_ttl).total_seconds()
        idle = cast(timedelta, self.policy.idle_ttl).total_seconds()
        while not self.closed:
            await asyncio.sleep(JANITOR_PERIOD_S)
            now = time.monotonic()
            if all(w.busy == 0 for w in self.workers.values()) and now - self.last_work > idle:
                await self.close()
                return
            for worker in list(self.workers.values()):
                if len(self.workers) <= self.policy.min_replicas:
                    break
                if worker.busy == 0 and now - worker.idle_since > scaledown:
                    await self._remove(worker, WorkerLostError("scaled down"))


def pool_key(loop: Any, image: str, env: Any, policy: ReusePolicy, access: StoreAccess) -> tuple[Any, ...]:
    replicas = policy.replicas
    return (id(loop), image, env.name, replicas, policy.concurrency, access.url, access.network)


async def pool_for(
    launcher: WorkerLauncher, image: str, env: Any, policy: ReusePolicy, access: StoreAccess
) -> WorkerPool:
    """The pool of this environment on the running loop, started on first use."""
    key = pool_key(asyncio.get_running_loop(), image, env, policy, access)
    pool = _pools.get(key)
    if pool is None or pool.closed:
        pool = WorkerPool(launcher, image, env, policy, access)
        _pools[key] = pool
        loop = pool.loop
        on_loop_end("worker pools", lambda: close_pools(loop), loop)
        try:
            await pool.open()
        except BaseException:
            await pool.close()
            raise
    return pool


async def close_pools(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Close the pools of ``loop`` (all pools when None)."""
    for pool in list(_pools.values()):
        if loop is None or pool.loop is loop:
            await pool.close()


def logs_of(container: Any) -> str:
    """The tail of a container's log (blocking: an engine thread calls it)."""
    try:
        return container.logs().decode(errors="replace")[-2000:]
    except Exception:
        return ""


@atexit.register
def _kill_all_at_exit() -> None:
    """The kernel is going away: its workers go too (their loop cannot do it any more)."""
    for pool in list(_pools.values()):
        for worker in list(pool.workers.values()):
            try:
                worker.container.remove(force=True)
            except Exception:
                pass
        shutil.rmtree(pool.folder, ignore_errors=True)
