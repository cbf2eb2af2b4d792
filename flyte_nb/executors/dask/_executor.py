"""The dask backend: every action is a task on a Dask cluster (``dask.distributed``).

By default flyte_nb starts a ``LocalCluster`` of worker processes on this machine, once
per kernel and shared by its runs (closed when the kernel exits); ``dask: {address:
"tcp://scheduler:8786"}`` uses a cluster that already runs, and so do ``client=`` (a
``distributed.Client``, never closed here: it is the user's) and ``cluster=`` (any Dask
cluster object, duck-typed: ``KubeCluster``, ``SLURMCluster``, a gateway's; flyte_nb makes
a client of its own with the cluster's security, closes it at exit and leaves the cluster
running). An attempt is: ship large
inputs to the store (u), submit ``_runtime._dask.run_job`` with the job (the task's
function by value and its inputs) as a Dask task, and await its outcome (the output's
payload or the exception, the job's printed output, d). Jobs submitted in one turn of the
run's loop go to Dask as one graph (a fanout is a few scheduler messages, not one per
action). The client is Dask's synchronous one, on its own IO thread, so the kernel's loop
never waits on the scheduler.

As on docker, every action runs on the backend, the run's entry action too; task calls
made on a worker come back to the kernel (over the callback server: its unix socket on
this machine, TCP with a secret for workers elsewhere, or sealed events through the
scheduler for workers that cannot reach the kernel: ``_scheduled.py``) and become child actions with their
own Dask task, limits, retries and widget row. A waiting parent secedes from its worker's
thread pool, so nested fanouts never starve for slots.

``Resources`` requests become Dask resource requests for the resources the workers
declare (``dask worker --resources "cpu=8,memory=32e9"``, or ``worker_resources`` here);
a request larger than every worker's is an error, not a task that never starts, and an
accelerator (``Resources(gpu=...)``) is requested as ``{"GPU": n}`` (executors/dask/_resources.py). The store
must be one the workers reach: ``file://`` on this machine or a shared folder, or an
object store; ``memory://`` lives in the kernel and cannot be shared.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..._checks import is_int_at_least
from ..._runtime._dask import cancel_jobs, run_job
from ...errors import ConfigError, FlyteNbError, WorkerLostError
from ...model._cluster_info import ClusterInfo
from ...wire._outcome import Outcome
from ...wire._scheduled import SCHEDULER_ADDRESS
from .._base import ActionSpec, ExecutorCapabilities
from .._callbacks import CallbackServer
from .._shipped import ShippedJobExecutor
from ._cluster import (
    CLUSTERS,
    CLUSTERS_LOCK,
    Cluster,
    check_store,
    check_workers,
    dashboard_of,
    where_workers_are,
    workers_now,
)
from ._given import describe, is_dask_client, is_dask_cluster
from ._liveness import LivenessWatch, ask_on_client_loop
from ._resources import resource_requests
from ._scheduled import Route

#: threads per worker of the LocalCluster flyte_nb starts: an action holds a thread while it
#: runs (awaiting included), and most notebook actions wait far more than they compute
DEFAULT_THREADS_PER_WORKER = 16
CALLBACK_MODES = ("auto", "unix", "tcp", "scheduler")
T = TypeVar("T")
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class _Place:
    """Where one attempt runs: the cluster, and the task's resource requests there."""

    cluster: Cluster
    requests: dict[str, float] | None


class DaskExecutor(ShippedJobExecutor):
    """Runs each action as a task on a Dask cluster."""

    name = "dask"
    where = "its Dask worker"
    #: a Dask task's arguments never land in a file: the job carries the run's secret
    job_carries_secret = True
    #: the run's entry action runs on a worker too; calls made there come back to the kernel
    #: actions stay queued while they wait in Dask's scheduler; workers say when they start
    #: (reports_start)
    capabilities = ExecutorCapabilities(
        reports_start=True, entry_in_process=False, process_boundary=True, reports_cluster=True
    )

    def __init__(
        self,
        *,
        address: str | None = None,
        cluster: Any = None,
        client: Any = None,
        n_workers: int | None = None,
        threads_per_worker: int = DEFAULT_THREADS_PER_WORKER,
        memory_limit: str | int = "auto",
        worker_resources: dict[str, float] | None = None,
        callback: str = "auto",
        callback_host: str | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        super().__init__()
        if callback not in CALLBACK_MODES:
            raise ConfigError(f"dask: callback must be one of {', '.join(CALLBACK_MODES)}, got {callback!r}")
        for what, value in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
            if value is not None and not is_int_at_least(value, 1):
                raise ConfigError(f"dask: {what} must be an int >= 1, got {value!r}")
        _check_given(address, cluster, client)
        given = cluster is not None or client is not None
        existing = "an address" if address is not None else "a cluster or client" if given else None
        if existing is not None and (n_workers is not None or worker_resources is not None):
            raise ConfigError(
                f"dask: n_workers and worker_resources describe the LocalCluster flyte_nb starts; with {existing}, "
                "size the cluster where it runs (or leave it out)"
            )
        self.address = address
        #: a Client or Cluster object the user already has (dask: client= / cluster=)
        self.given = client if client is not None else cluster
        self.n_workers = n_workers or min(os.cpu_count() or 1, 4)
        self.threads_per_worker = threads_per_worker
        self.memory_limit = memory_limit
        self.worker_resources = dict(worker_resources or {})
        self.callback = callback
        self.callback_host = callback_host
        self.connect_timeout = float(connect_timeout)
        self._cluster: Cluster | None = None
        self._live: dict[int, tuple[Any, str]] = {}  # action id -> (Dask future, job key)
        self._nonce = uuid.uuid4().hex[:8]  # keys of two kernels' runs of the same name differ
        self._batch = SubmitBatch()
        self._route: Route | None = None  # this run's task calls through the scheduler, in that mode
        self._dashboard: tuple[str | None, str | None] | None = None  # (link, note), read once per run
        self._cluster_info: ClusterInfo | None = None  # as last seen
        self._liveness = LivenessWatch(self.connect_timeout)  # a silent worker fails its attempts

    # ------------------------------------------------------------------ cluster
    def _key(self) -> tuple[Any, ...]:
        if self.given is not None:
            return ("object", id(self.given))
        if self.address is not None:
            return ("address", self.address)
        resources = tuple(sorted(self.worker_resources.items()))
        return ("local", self.n_workers, self.threads_per_worker, str(self.memory_limit), resources)

    def _connect(self) -> Cluster:
        """The cluster of these settings, connected once per process (runs in a thread)."""
        key = self._key()
        with CLUSTERS_LOCK:
            cluster = CLUSTERS.get(key)
            if cluster is not None and cluster.given is not self.given:
                cluster = None  # an id reused by a new object: not the cluster connected before
            if cluster is None or cluster.client.status not in ("running", "connecting"):
                cluster = CLUSTERS[key] = self._start_cluster()
        return cluster

    def _start_cluster(self) -> Cluster:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ConfigError("the dask backend needs dask.distributed: pip install 'flyte_nb[dask]'") from exc
        if self.given is not None:
            return self._given_cluster(Client)
        if self.address is None:
            try:
                local = LocalCluster(
                    n_workers=self.n_workers,
                    threads_per_worker=self.threads_per_worker,
                    # processes, always: a job patches its process (asyncio.Semaphore, stdout)
                    # as only a process that runs nothing but jobs may be patched
                    processes=True,
                    memory_limit=self.memory_limit,
                    resources=self.worker_resources or None,
                    dashboard_address=":0",  # any free port: two kernels never collide
                )
            except RuntimeError as exc:
                raise ConfigError(
                    f"could not start a Dask LocalCluster ({exc}). In a script, start runs under "
                    "`if __name__ == '__main__':` (worker processes import the script again)"
                ) from exc
            # not the default client: the user's own dask code keeps its own scheduler
            return Cluster(Client(local, set_as_default=False), local)
        try:
            client = Client(self.address, set_as_default=False, timeout=self.connect_timeout)
        except OSError as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {self.address}: {exc}. Start it (dask scheduler; dask worker "
                f"{self.address}) or leave dask: address out to use a LocalCluster on this machine"
            ) from exc
        cluster = Cluster(client)
        try:
            check_workers(client, self.address)
            cluster.own_address, cluster.same_host = where_workers_are(client, self.address)
        except BaseException:
            client.close()
            raise
        return cluster

    def _given_cluster(self, client_class: Any) -> Cluster:
        """Connect to the Client or Cluster object the user gave; a Cluster object gets a
        client of flyte_nb's own (its security, TLS certificates or gateway auth, used as is)."""
        given = self.given
        if is_dask_client(given):
            if getattr(given, "asynchronous", False):
                raise ConfigError(
                    "dask: client is an asynchronous Client; flyte_nb needs a synchronous one: pass "
                    "Client(..., asynchronous=False), or the cluster object itself (dask: {cluster: ...})"
                )
            if given.status not in ("running", "connecting"):
                raise ConfigError(f"dask: client {describe(given)} is closed; pass an open Client")
            cluster = Cluster(given, given=given, owns_client=False)
        else:
            try:
                # Client(cluster) takes the cluster's own security (TLS, a gateway's auth)
                client = client_class(given, set_as_default=False, timeout=self.connect_timeout)
            except OSError as exc:
                raise ConfigError(
                    f"cannot reach the scheduler of the Dask cluster {describe(given)}: {exc}. "
                    "Check that the cluster is running (cluster.status)"
                ) from exc
            cluster = Cluster(client, given=given)
        try:
            address = cluster.client.scheduler_info()["address"]
            try:
                cluster.client.wait_for_workers(1, timeout=self.connect_timeout)
            except (TimeoutError, asyncio.TimeoutError):
                raise ConfigError(
                    f"the Dask cluster at {address} has no workers after {self.connect_timeout:g} s; scale it up "
                    "(cluster.scale(4) or cluster.adapt(minimum=1)) or raise dask: connect_timeout"
                ) from None
            check_workers(cluster.client, address)
            cluster.own_address, cluster.same_host = where_workers_are(cluster.client, address)
        except BaseException:
            cluster.close()
            raise
        return cluster

    async def _ready(self, spec: ActionSpec) -> Cluster:
        if self._cluster is None:
            self._cluster = await _outside_run(self._connect)
        cluster = self._cluster
        if self._dashboard is None:  # per run: the link follows distributed.dashboard.link as set now
            self._dashboard = (None, None)
            self._dashboard = await _outside_run(dashboard_of, cluster.client)
        store = spec.data.store if spec.data is not None else None
        if store is None:
            raise ConfigError("the dask backend needs a store to share data with its workers; set storage: file://...")
        if store.url not in cluster.stores_checked:
            await _outside_run(check_store, cluster, store)
            cluster.stores_checked.add(store.url)
        return cluster

    async def refresh_cluster_info(self) -> ClusterInfo | None:
        """The cluster's workers, busy threads and dashboard, asked of the scheduler on the
        client's own loop (this loop only awaits the answer); the last answer when the
        scheduler does not reply within ``_liveness.ASK_TIMEOUT_S``. None before the first action
        connected."""
        cluster = self._cluster
        if cluster is None:
            return None
        client = cluster.client
        if client.status == "running":
            try:
                workers, threads, busy = await ask_on_client_loop(client, workers_now(client))
            except asyncio.CancelledError:
                raise
            except Exception:  # a scheduler busy or gone: the run itself says what failed
                return self._cluster_info
            link, note = self._dashboard or (None, None)
            self._cluster_info = ClusterInfo(workers, threads, busy, link, note)
        return self._cluster_info

    # ------------------------------------------------------------------ actions
    async def _place(self, spec: ActionSpec) -> _Place:
        """The cluster (connected once) and the task's resource requests there."""
        cluster = await self._ready(spec)
        task = spec.task
        requests = await _outside_run(resource_requests, task, cluster) if task.env.resources is not None else None
        return _Place(cluster, requests)

    def callback_mode(self, cluster: Cluster) -> str:
        """How jobs' task calls reach the kernel on ``cluster``. ``auto``: the unix socket when
        every worker runs on this machine; else, for a cluster given as an object (Kubernetes,
        a gateway, Coiled, a batch system), through the scheduler, the one path such clusters
        always have (their workers reach the scheduler, and so does the kernel's client; a
        pod or a cloud machine can seldom open a connection back to a notebook); for a
        cluster given by address, TCP to the kernel, as before."""
        if self.callback != "auto":
            return self.callback
        if cluster.same_host:
            return "unix"
        return "scheduler" if cluster.by_object else "tcp"

    async def _callback_socket(self, server: CallbackServer, place: _Place) -> str:
        mode = self.callback_mode(place.cluster)
        if mode == "unix":
            return server.path
        if mode == "scheduler":
            self._route = place.cluster.scheduled_calls().route(server, self._token)
            return SCHEDULER_ADDRESS
        return await server.listen_tcp(self.callback_host or place.cluster.own_address)

    async def _run(self, spec: ActionSpec, place: _Place, job_key: str, job: bytes | None) -> tuple[Outcome, float]:
        """Submit the job as a Dask task (with the others of this turn) and await its outcome."""
        data, task, cluster = spec.data, spec.task, place.cluster
        assert data is not None
        store = data.store
        key = f"flyte_nb-{task.name}-{data.run}-{spec.action.id}-{spec.attempt}-{self._nonce}"
        root = store.url if not store.is_local else store.root
        if spec.started is not None:  # before submitting: a fast worker's word may come at once
            cluster.starting[job_key] = (asyncio.get_running_loop(), spec.started)
        seal = store.sealer.for_run(data.run).to_env()  # the run's key travels in the job, never in a file
        waiter = self._batch.add(cluster, (root, store.storage_options, job_key, job, seal), key, place.requests)
        try:
            future, result = await waiter
            self._live[spec.action.id] = (future, job_key)
            what = f"{task.name} #{spec.action.id}"
            outcome = await self._liveness.outcome(cluster, future, _outcome_of(result, what), what)
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # its Dask task exists: stop it
                await asyncio.shield(self._stop([(waiter.result()[0], job_key)]))
            raise
        finally:
            self._live.pop(spec.action.id, None)
            cluster.starting.pop(job_key, None)
            if self._route is not None:
                self._route.end_job(job_key)  # its calls still waiting end with it, as a socket's would
        # the wait from submission to start is the action's queue time (e), not a start-up cost (t)
        return outcome, 0.0

    async def _stop(self, entries: list[tuple[Any, str]]) -> None:
        """Cancel these attempts: drop their tasks from the scheduler, and stop the ones
        already running on a worker (async bodies at their next await)."""
        cluster = self._cluster
        if not entries or cluster is None:
            return

        def stop() -> None:
            cluster.client.cancel([future for future, _ in entries], force=True)
            cluster.client.run(cancel_jobs, [key for _, key in entries])

        try:
            await asyncio.wait_for(_outside_run(stop), STOP_TIMEOUT_S)
        except (asyncio.TimeoutError, OSError):
            # a worker that does not answer takes its jobs down with it when it goes
            pass

    async def cancel(self, action_id: int) -> None:
        entry = self._live.get(action_id)
        if entry is not None:
            await self._stop([entry])

    async def _stop_all(self) -> None:
        live, self._live = list(self._live.values()), {}
        await self._stop(live)
        if self._route is not None and self._cluster is not None:
            self._cluster.scheduled_calls().unroute(self._route.token)
            self._route = None


class SubmitBatch:
    """Jobs submitted in one turn of the run's loop go to Dask as one graph per resource
    request (``Client.map``): one scheduler message for a fanout's actions, not one each.
    Their results come back in batches too (:class:`_Results`)."""

    def __init__(self) -> None:
        self._pending: list[tuple[Cluster, tuple[Any, ...], str, Any, asyncio.Future[Any]]] = []

    def add(self, cluster: Cluster, args: tuple[Any, ...], key: str, resources: Any) -> asyncio.Future[Any]:
        """The Dask future of this job, once its batch is submitted (at the end of this turn),
        and a future of its result on this loop (:class:`_Results`)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((cluster, args, key, resources, waiter))
        return waiter

    def _flush(self) -> None:
        pending, self._pending = [item for item in self._pending if not item[4].cancelled()], []
        groups: dict[tuple[int, str], list[tuple[Cluster, tuple[Any, ...], str, Any, asyncio.Future[Any]]]] = {}
        for item in pending:
            groups.setdefault((id(item[0]), repr(item[3])), []).append(item)
        for items in groups.values():
            cluster, resources = items[0][0], items[0][3]
            try:
                # an empty context: Dask's client schedules work from the caller's context, and the
                # semaphores it makes there must not count as the run's (see _outside_run)
                futures = contextvars.Context().run(
                    cluster.client.map,
                    run_job,
                    *zip(*(item[1] for item in items), strict=True),
                    key=[item[2] for item in items],
                    pure=False,
                    resources=resources,
                    retries=0,  # the controller retries, with the task's own policy
                    workers=cluster.silence.placement(),  # None (any) unless a worker is silent
                    batch_size=None,
                )
            except Exception as exc:
                for item in items:
                    item[4].set_exception(exc)
                continue
            loop = asyncio.get_running_loop()
            results = [loop.create_future() for _ in futures]
            for item, future, result in zip(items, futures, results, strict=True):
                item[4].set_result((future, result))
            _Results(loop, list(zip(futures, results, strict=True))).start(cluster.client)


class _Results:
    """The results of one submitted graph, fetched on the client's own loop and handed to
    the run's loop in batches: the tasks finished by the time the client's loop gets to
    them are fetched with one ``gather`` (one request per worker, not one per task) and
    handed over in one call (not one thread hop per action). Each Dask future is released
    once its result is fetched (the worker may drop the outcome then)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, entries: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        self.loop, self.entries = loop, entries
        self.ready: list[tuple[Any, asyncio.Future[Any]]] = []
        self.wake: asyncio.Event | None = None

    def start(self, client: Any) -> None:
        # from an empty context, as every call into the client (see _outside_run)
        contextvars.Context().run(asyncio.run_coroutine_threadsafe, self._collect(client), client.loop.asyncio_loop)

    async def _collect(self, client: Any) -> None:  # on the client's loop
        self.wake = asyncio.Event()
        waits = [asyncio.ensure_future(self._done(future, result)) for future, result in self.entries]
        left = len(self.entries)
        try:
            while left:
                await self.wake.wait()
                self.wake.clear()
                ready, self.ready = self.ready, []
                left -= len(ready)
                await self._fetch(client, ready)
        finally:
            for wait in waits:
                wait.cancel()

    async def _done(self, future: Any, result: asyncio.Future[Any]) -> None:
        await future._state.wait()
        self.ready.append((future, result))
        assert self.wake is not None
        self.wake.set()

    async def _fetch(self, client: Any, ready: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        finished = {future.key: future for future, _ in ready if future.status == "finished"}
        values: dict[Any, Any] = {}
        if finished:
            try:
                values = await client._gather(finished, errors="skip")
            except Exception:  # each is asked for on its own below: its own error
                values = {}
        delivered: list[tuple[asyncio.Future[Any], bool, Any]] = []
        for future, result in ready:
            value = values.get(future.key)
            if value is not None:
                delivered.append((result, True, value))
                continue
            try:
                delivered.append((result, True, await future._result()))
            except BaseException as exc:  # a Dask failure (its worker died, it was cancelled)
                delivered.append((result, False, exc))
        for future, _ in ready:
            future.release()
        try:
            self.loop.call_soon_threadsafe(_deliver, delivered)
        except RuntimeError:  # the run's loop has closed: nobody waits for these
            pass


def _deliver(delivered: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """Set the results of a batch on the run's loop (an attempt cancelled meanwhile is skipped)."""
    for result, ok, value in delivered:
        if not result.done():
            # a Dask failure travels as a value: Dask's CancelledError must not cancel the attempt
            result.set_result((ok, value))


async def _outside_run(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a thread and in an empty context. Dask's client schedules work on
    its own loop from the calling context: with the run's context, the semaphores Dask makes
    there would count as the run's own (``asyncio.Semaphore`` is tracked while runs execute)."""
    return await asyncio.get_running_loop().run_in_executor(
        None, functools.partial(contextvars.Context().run, func, *args)
    )


async def _outcome_of(result: asyncio.Future[Any], what: str) -> Outcome:
    """The outcome of a Dask task, once its batch of results reached this loop (:class:`_Results`)."""
    ok, value = await result
    if not ok:
        raise _dask_failure(value, what) from None
    return Outcome.from_dict(value)


def _dask_failure(exc: BaseException, what: str) -> BaseException:
    """Dask's own failures (not the task's: those come back in the outcome), said plainly."""
    name = type(exc).__name__
    if name == "KilledWorker":
        return WorkerLostError(
            f"the Dask worker running {what} died, as did the workers it was retried on ({exc}); "
            "it may use more memory than a worker has (dask: memory_limit) or crash its process"
        )
    if name in ("CancelledError", "FutureCancelledError"):
        if getattr(exc, "reason", None) == "scheduler-connection-lost":
            return FlyteNbError(
                f"lost the connection to the Dask scheduler while {what} ran (the scheduler stopped, or the "
                "network between this machine and it failed); check that the scheduler runs and is reachable "
                "from here, then run again"
            )
        return FlyteNbError(f"the Dask task of {what} was cancelled outside this run (a client or scheduler restart)")
    return exc


def _check_given(address: str | None, cluster: Any, client: Any) -> None:
    """At most one way to name an existing cluster, and each of the kind it says."""
    named = (("address", address), ("cluster", cluster), ("client", client))
    given = [name for name, value in named if value is not None]
    if len(given) > 1:
        raise ConfigError(f"dask: give one of address, cluster and client, not {' and '.join(given)}")
    if client is not None and not is_dask_client(client):
        hint = " (a cluster object: pass it as dask: {cluster: ...})" if is_dask_cluster(client) else ""
        raise ConfigError(f"dask: client must be a distributed.Client, got {describe(client)}{hint}")
    if cluster is not None and not is_dask_cluster(cluster):
        hint = (
            " (a Client: pass it as dask: {client: ...})"
            if is_dask_client(cluster)
            else " (an address: pass it as dask: {address: ...})"
            if isinstance(cluster, str)
            else ""
        )
        raise ConfigError(
            "dask: cluster must be a Dask cluster object (LocalCluster, KubeCluster, SLURMCluster, a dask-gateway "
            f"or Coiled cluster: anything with a scheduler_address), got {describe(cluster)}{hint}"
        )
