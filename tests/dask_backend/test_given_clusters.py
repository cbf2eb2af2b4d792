"""Clusters people already have: a ``distributed.Client`` or a Cluster object given to
``dask: {client: ...}`` / ``dask: {cluster: ...}`` (the conformance suite on both), a
TLS-secured cluster, task calls carried through the scheduler (``callback: scheduler``),
and forged or replayed messages through the scheduler refused."""

from __future__ import annotations

import asyncio
import os
import pickle
import time
from pathlib import Path

import pytest
from support import require_dask

import flyte_nb as flyte
from dask_backend.nested_tasks import leaf, middle, top
from flyte_nb.errors import ConfigError
from flyte_nb.testing import ConformanceBackend, ExecutorConformance

env = flyte.TaskEnvironment("given_clusters")


@pytest.fixture(scope="module")
def local_cluster():
    """One LocalCluster object for the module's tests (flyte_nb never closes it)."""
    require_dask()
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=8, dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def user_client(local_cluster):
    """The user's own Client of that cluster: flyte_nb uses it and leaves it open."""
    import distributed

    with distributed.Client(local_cluster, set_as_default=False) as client:
        yield client


def _init(tmp_path: Path, **dask: object) -> Path:
    store = tmp_path / "store"
    flyte.init("dask", storage=f"file://{store}", dask=dask)
    return store


class TestGivenClusterObject(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path, local_cluster):
        store = _init(tmp_path, cluster=local_cluster)
        return ConformanceBackend(store=store, process_boundary=True, label="dask-cluster-object")


class TestGivenClientThroughTheScheduler(ExecutorConformance):
    """The suite (nested calls, map, traces while their action runs, cancel) with every task
    call carried through the scheduler."""

    @pytest.fixture
    def conformance_backend(self, tmp_path, user_client):
        store = _init(tmp_path, client=user_client, callback="scheduler")
        return ConformanceBackend(store=store, process_boundary=True, label="dask-scheduler-calls")


def test_a_given_client_stays_open_and_a_given_cluster_keeps_running(tmp_path, local_cluster, user_client):
    from flyte_nb.executors.dask._cluster import close_clusters

    _init(tmp_path, client=user_client)
    assert flyte.run(top, 2).outputs()[0] == [sum(i * 10 + j for j in range(3)) for i in range(2)]
    _init(tmp_path, cluster=local_cluster)
    assert flyte.run(middle, 1).outputs()[0] == 10 + 11 + 12
    close_clusters()  # what flyte_nb does at exit
    assert user_client.status == "running"
    assert user_client.submit(sum, [1, 2], pure=False).result() == 3
    assert local_cluster.status.name == "running"
    assert local_cluster.scheduler_info["workers"]  # and keeps its workers


def test_a_tls_secured_cluster_runs_nested_fanouts(tmp_path):
    require_dask()
    pytest.importorskip("cryptography")
    import distributed
    from distributed.security import Security

    security = Security.temporary()
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=8,
        protocol="tls://",
        security=security,
        dashboard_address=":0",
    ) as cluster:
        assert cluster.scheduler_address.startswith("tls://")
        _init(tmp_path, cluster=cluster)
        run = flyte.run(top, 3)
        assert run.outputs()[0] == [sum(i * 10 + j for j in range(3)) for i in range(3)]
        assert len(run.controller.actions) == 1 + 3 + 9
        # with other certificates than the cluster's, its scheduler is closed to a client
        with pytest.raises((OSError, TimeoutError)):
            distributed.Client(cluster.scheduler_address, security=Security.temporary(), timeout=2)


def test_calls_through_the_scheduler_carry_large_tasks_through_the_store(tmp_path, user_client):
    store = _init(tmp_path, client=user_client, callback="scheduler")
    blob = "x" * 40_000  # the task's pickle is larger than one scheduler event carries

    @env.task
    async def big(i: int) -> int:
        return len(blob) + i

    @env.task
    async def main(n: int) -> list:
        return [value async for value in flyte.map.aio(big, range(n))]

    run = flyte.run(main, 3)
    assert run.outputs()[0] == [40_000, 40_001, 40_002]
    assert len(run.controller.actions) == 1 + 3
    assert not list(store.rglob("message"))  # each one read by the kernel, then removed


def test_a_job_rerun_after_its_worker_died_is_heard_through_the_scheduler(tmp_path, user_client):
    """Dask reruns a job whose worker died, under the same key: the rerun's calls are heard
    (it is a new peer), the dead run's are not."""
    _init(tmp_path, client=user_client, callback="scheduler")
    marker = tmp_path / "died-once"

    @env.task
    async def call_then_crash_once(path: str) -> int:
        first = await leaf.aio(1)
        if not os.path.exists(path):
            open(path, "w").close()
            os._exit(3)
        return first + await leaf.aio(2)

    run = flyte.run(call_then_crash_once, str(marker))
    assert run.outputs()[0] == 3
    assert run.controller.actions[0].attempts == 1  # Dask ran the same job again


KERNEL_SCRIPT = """
import asyncio, sys
import flyte_nb as flyte

env = flyte.TaskEnvironment("kernel_gone")


@env.task
async def sleepy() -> int:
    await asyncio.sleep(60)
    return 1


@env.task
async def parent() -> int:
    return await sleepy()


if __name__ == "__main__":
    flyte.init("dask", storage=f"file://{sys.argv[2]}", dask={"address": sys.argv[1], "callback": "scheduler"})
    flyte.run(parent)
"""


def running_jobs() -> list:
    """On a worker: the keys of the jobs running in its process."""
    from flyte_nb._runtime._dask import _running

    return list(_running)


def test_a_job_whose_kernel_died_stops_waiting_for_its_calls(tmp_path, local_cluster, user_client):
    """No socket closes when the kernel dies: the job sees its Dask task released, and ends."""
    import subprocess
    import sys

    import cloudpickle

    script = tmp_path / "kernel.py"
    script.write_text(KERNEL_SCRIPT)
    env_vars = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(flyte.__file__).parents[1]), *sys.path])}
    kernel = subprocess.Popen(
        [sys.executable, str(script), local_cluster.scheduler_address, str(tmp_path / "store")],
        env=env_vars,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:

        def jobs() -> list:
            return [key for keys in user_client.run(running_jobs).values() for key in keys]

        deadline = time.monotonic() + 60
        while not any("/actions/1/" in key for key in jobs()):  # the parent waits on its child
            assert time.monotonic() < deadline and kernel.poll() is None, "the run never started its child"
            time.sleep(0.2)
        kernel.kill()
        kernel.wait()
        deadline = time.monotonic() + 20
        while any("/actions/0/" in key for key in jobs()):
            assert time.monotonic() < deadline, "the parent job still waits for a kernel that has gone"
            time.sleep(0.2)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        if kernel.poll() is None:
            kernel.kill()
            kernel.wait()


class Touch:
    """Unpickled, it creates a file: the kernel must never unpickle it from a forged message."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@env.task
async def forger(bad: str, replayed: str, fresh: str) -> tuple:
    """On a worker: post a forged message, a genuine one, its replay, then another genuine one."""
    from flyte_nb._runtime._scheduled import _channels
    from flyte_nb.model._context import current
    from flyte_nb.wire._scheduled import CALL, envelope

    assert await leaf.aio(7) == 7  # the job's channel is open
    controller = current.get().controller
    channel = _channels[controller.job]

    def report(path: str) -> bytes:
        # a valid report (no gauges) that also carries something run when unpickled
        message = {"op": "semaphores", "run": controller.token, "parent": controller.parent, "gauges": []}
        return pickle.dumps({**message, "x": Touch(path)})

    async def appears(path: str) -> bool:
        for _ in range(200):  # at most 20 s
            if os.path.exists(path):
                return True
            await asyncio.sleep(0.1)
        return False

    # sealed with another secret, for this run's token and job, with a later sequence number
    channel.post(envelope(os.urandom(32), CALL, controller.token, controller.job, channel.peer, 10**9, report(bad)))
    genuine = await channel.seal(report(replayed))
    channel.post(genuine)
    heard = await appears(replayed)
    os.remove(replayed)
    channel.post(genuine)  # a recorded message sent again
    channel.post(await channel.seal(report(fresh)))
    fresh_heard = await appears(fresh)
    return heard, fresh_heard, os.path.exists(bad), os.path.exists(replayed)


def test_forged_and_replayed_messages_through_the_scheduler_are_refused(tmp_path, user_client):
    _init(tmp_path, client=user_client, callback="scheduler")
    paths = [str(tmp_path / name) for name in ("forged", "replayed", "fresh")]
    heard, fresh_heard, forged_ran, replay_ran = flyte.run(forger, *paths).outputs()[0]
    assert heard and fresh_heard  # sealed with the run's secret: heard (and unpickled)
    assert not forged_ran  # sealed with another secret: dropped before anything is unpickled
    assert not replay_ran  # the same message again: dropped


def test_a_forged_event_from_another_client_is_refused(tmp_path, user_client):
    """Anyone with scheduler access can log events: one without the run's secret is dropped."""
    from flyte_nb.wire._scheduled import CALL, CALLS_TOPIC, envelope

    _init(tmp_path, client=user_client, callback="scheduler")
    marker = tmp_path / "ran"

    @env.task
    async def waits(path: str) -> bool:
        await leaf.aio(1)
        for _ in range(100):  # the test logs its forged events meanwhile
            await asyncio.sleep(0.05)
        return os.path.exists(path)

    async def main() -> tuple:
        run = await flyte.run.aio(waits, str(marker))
        executor = run.controller.executor
        for _ in range(100):
            if getattr(executor, "_route", None) is not None and executor._route.jobs:
                break
            await asyncio.sleep(0.05)
        route = executor._route
        token, job = route.token, next(iter(route.jobs))
        body = pickle.dumps({"op": "semaphores", "run": token, "parent": 1, "gauges": [], "x": Touch(str(marker))})
        user_client.log_event(CALLS_TOPIC, envelope(os.urandom(32), CALL, token, job, "p", 10**9, body, worker="x"))
        user_client.log_event(CALLS_TOPIC, {"kind": CALL, "token": token, "job": job, "body": body})
        deadline = time.monotonic() + 20
        while route.refused < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        refused = route.refused
        await run
        return refused, run.outputs()[0]

    refused, ran_in_kernel = asyncio.run(main())
    assert refused >= 2  # both reached the kernel, and were dropped there
    assert not ran_in_kernel and not marker.exists()


def test_given_objects_of_the_wrong_kind_are_clear_errors(local_cluster, user_client):
    with pytest.raises(ConfigError, match=r"dask.client in flyte.init\(\) must be a distributed.Client"):
        flyte.init("dask", dask={"client": local_cluster})
    with pytest.raises(ConfigError, match=r"dask.cluster in flyte.init\(\) must be a Dask cluster object.*'tcp://x:1'"):
        flyte.init("dask", dask={"cluster": "tcp://x:1"})
    with pytest.raises(ConfigError, match="give one of address, cluster and client, not address and client"):
        flyte.init("dask", dask={"address": "tcp://x:1", "client": user_client})
        flyte.run(top, 1)  # checked when the backend starts
    from flyte_nb.executors.dask._executor import DaskExecutor

    with pytest.raises(ConfigError, match=r"got builtins.object .*pass it as|got builtins.object"):
        DaskExecutor(cluster=object())
    with pytest.raises(ConfigError, match=r"a Client: pass it as dask: \{client: ...\}"):
        DaskExecutor(cluster=user_client)
    with pytest.raises(ConfigError, match="with a cluster or client, size the cluster where it runs"):
        DaskExecutor(cluster=local_cluster, n_workers=2)


class _StubClient:
    """Just enough of a Client for the executor to decide a callback mode."""

    def submit(self, *args): ...
    def map(self, *args): ...
    def run(self, *args): ...
    def scheduler_info(self): ...
    def subscribe_topic(self, topic, handler): ...


def test_auto_sends_calls_through_the_scheduler_only_for_given_clusters_elsewhere():
    from flyte_nb.executors.dask._cluster import Cluster
    from flyte_nb.executors.dask._executor import DaskExecutor

    client = _StubClient()
    given = DaskExecutor(client=client)
    assert given.callback_mode(Cluster(client, given=client, owns_client=False, same_host=False)) == "scheduler"
    assert given.callback_mode(Cluster(client, given=client, owns_client=False, same_host=True)) == "unix"
    by_address = DaskExecutor(address="tcp://10.0.0.9:8786")
    assert by_address.callback_mode(Cluster(client, same_host=False)) == "tcp"
    assert (
        DaskExecutor(client=client, callback="tcp").callback_mode(Cluster(client, given=client, same_host=False))
        == "tcp"
    )
