"""Faults of a cluster of separate machines: a worker killed or cut off the network while it
runs an action, the scheduler killed, a cancelled run. Each ends within a bound: the action
runs again elsewhere or the run fails with an error saying what happened, never a hang."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

import flyte_nb as flyte

from .conftest import CONNECT_TIMEOUT_S, init_on, until

env = flyte.TaskEnvironment("cluster_faults")
#: how long the action a fault hits runs, undisturbed
LEAF_S = 4.0
#: a fault is noticed within the connect timeout (the kernel's bound for a silent worker), then
#: the action runs again
NOTICED_S = CONNECT_TIMEOUT_S + LEAF_S + 10.0


# retries: an attempt on a worker the kernel finds silent fails, and runs again elsewhere
@env.task(retries=1)
async def slow_leaf(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return socket.gethostname()  # the worker's container: its hostname is its Dask name


@env.task(retries=1)
async def entry(seconds: float) -> str:
    return await slow_leaf(seconds)


@env.task
async def fanout_of_sleepers(n: int) -> list[str]:
    return await asyncio.gather(*[slow_leaf(60.0) for _ in range(n)])


def worker_running(cluster, task: str) -> str | None:
    """The worker the scheduler has a task of ``task`` processing on, if any."""
    for worker, keys in cluster.scheduler_state()["processing"].items():
        if any(f"{task}-" in key for key in keys):
            return worker
    return None


async def started_then(cluster, fault, limit: float = NOTICED_S) -> tuple[flyte.Run, str, BaseException | None]:
    """Run ``entry``; once its leaf action runs on a worker, ``fault(worker name)``; then wait
    (at most ``limit`` s) for the run to end. The run, the worker, and the run's error."""
    run = await flyte.run.aio(entry, LEAF_S)  # type: ignore[attr-defined]  # aio is set on run
    deadline = time.monotonic() + 30
    while (victim := await asyncio.to_thread(worker_running, cluster, "slow_leaf")) is None:
        assert time.monotonic() < deadline, "the leaf action never ran on a worker"
        await asyncio.sleep(0.1)
    await asyncio.to_thread(fault, victim)
    try:
        await asyncio.wait_for(run.wait.aio(quiet=True), limit)
    except asyncio.TimeoutError:
        run.cancel()
        await asyncio.wait_for(_ended(run), 10)
        raise AssertionError(f"the run was still {run.phase} {limit} s after the fault") from None
    except Exception as exc:  # the run's own failure: the test says what it must be
        return run, victim, exc
    return run, victim, None


async def _ended(run: flyte.Run) -> None:
    try:
        await run.wait.aio(quiet=True)
    except Exception:
        pass


def test_a_killed_worker_s_action_runs_again_on_another_worker(cluster):
    init_on(cluster, "killed")
    run, victim, error = asyncio.run(started_then(cluster, lambda name: cluster.container_of(name).kill()))
    # Dask moves the tasks of a lost worker to the others: the action ran again, elsewhere
    assert error is None and run.phase == "succeeded"
    assert run.outputs()[0] != victim


def test_a_worker_cut_off_the_network_hands_its_action_to_another(cluster):
    cut: list[str] = []

    def cut_off(name: str) -> None:
        cut.append(name)
        cluster.network.disconnect(cluster.container_of(name), force=True)

    # the scheduler hears nothing more from the worker, yet keeps it for its worker TTL (Dask's default,
    # 5 minutes): the kernel finds it silent after the connect timeout, fails the attempt, and its
    # retry runs on another worker
    init_on(cluster, "cut-off")
    try:
        run, victim, error = asyncio.run(started_then(cluster, cut_off))
        assert error is None and run.phase == "succeeded", error
        assert run.outputs()[0] != victim
        lost = [attempt.error for action in run.actions() for attempt in action.history or () if attempt.error]
        assert lost and {info.type for info in lost} == {"WorkerLostError"}, lost
        assert "has not been heard from" in lost[0].message and "worker-ttl" in lost[0].message, lost
    finally:
        for name in cut:  # the scheduler would keep it for minutes: the next test gets a whole cluster
            cluster.drop_worker(name)


def test_the_scheduler_killed_fails_the_run_within_the_connect_timeout(cluster):
    init_on(cluster, "no-scheduler")
    run, _, error = asyncio.run(started_then(cluster, lambda _: cluster.scheduler.kill()))
    assert run.phase == "failed"
    assert "lost the connection to the Dask scheduler" in str(error)
    assert "check that the scheduler runs and is reachable" in str(error)


def test_a_cancelled_run_leaves_nothing_on_the_scheduler_or_the_workers(cluster):
    init_on(cluster, "cancel")

    async def cancelled() -> flyte.Run:
        run = await flyte.run.aio(fanout_of_sleepers, 6)  # type: ignore[attr-defined]  # aio is set on run
        deadline = time.monotonic() + 30
        while sum((await asyncio.to_thread(cluster.tasks_on_workers)).values()) < 7:  # the entry and its six children
            assert time.monotonic() < deadline, f"not all running: {run.snapshot().counts}"
            await asyncio.sleep(0.1)
        run.cancel()
        with pytest.raises(flyte.errors.RunCancelledError):
            await asyncio.wait_for(run.wait.aio(quiet=True), 10)
        return run

    run = asyncio.run(cancelled())
    assert run.phase == "cancelled" and {a.state for a in run.actions()} == {"cancelled"}
    until(lambda: not any(cluster.tasks_on_workers().values()), 10, "the workers' tasks stopped")
    state = cluster.scheduler_state()
    assert not any(state["processing"].values()) and not state["states"], state
