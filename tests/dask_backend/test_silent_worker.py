"""A Dask worker that goes silent mid-action (stopped with SIGSTOP: no heartbeat, no
answer, as when cut off the network) fails the attempt within the connect timeout with a
clear error, without waiting for the scheduler's worker TTL (5 minutes here, Dask's
default): a retry runs on another worker; without retries the run fails, never hangs."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from support import require_dask

import flyte_nb as flyte
from flyte_nb.errors import WorkerLostError
from flyte_nb.executors.dask._cluster import CLUSTERS, CLUSTERS_LOCK

env = flyte.TaskEnvironment("silent_worker")
#: the dask: connect_timeout of these tests: the silence bound
SILENCE_S = 3.0
#: how long the action runs when nothing goes wrong: far longer than the bound
ACTION_S = 60.0


@env.task(retries=1)
async def sleeper_retried(seconds: float) -> int:
    await asyncio.sleep(seconds)
    return os.getpid()


@env.task
async def sleeper(seconds: float) -> int:
    await asyncio.sleep(seconds)
    return os.getpid()


@pytest.fixture
def cluster(tmp_path):
    """Two worker processes, with Dask's default worker TTL (the scheduler would wait minutes)."""
    require_dask()
    import dask
    import distributed

    assert dask.config.get("distributed.scheduler.worker-ttl") == "5 minutes"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=4, processes=True, dashboard_address=":0") as made:
        with distributed.Client(made, set_as_default=False) as client:
            flyte.init(
                "dask", storage=f"file://{tmp_path / 'store'}", dask={"cluster": made, "connect_timeout": SILENCE_S}
            )
            stopped: list[int] = []
            try:
                yield client, stopped
            finally:
                for pid in stopped:
                    os.kill(pid, signal.SIGCONT)
                with CLUSTERS_LOCK:
                    ours = CLUSTERS.pop(("object", id(made)), None)
                if ours is not None:
                    ours.close()


def _silence_its_worker(client, task_name: str, stopped: list[int]) -> tuple[float, int]:
    """Wait (bounded) until a task of ``task_name`` runs on a worker, then SIGSTOP that
    worker's process: when, and its pid."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 30
    while True:
        running = [w for w, keys in client.processing().items() if any(task_name in str(k) for k in keys)]
        if running:
            break
        assert time.monotonic() < deadline, "the action never ran on a worker"
        time.sleep(0.05)
    pid = pids[running[0]]
    os.kill(pid, signal.SIGSTOP)
    stopped.append(pid)
    return time.monotonic(), pid


async def _run_and_silence(client, task, seconds: float, stopped: list[int], limit: float):
    """Start a run of ``task``, SIGSTOP the worker its action runs on, wait (at most
    ``limit`` s) for the run to end: the run, when the worker was stopped, its pid, the
    run's error."""
    run = await flyte.run.aio(task, seconds)  # type: ignore[attr-defined]  # aio is set on run
    silenced, pid = await asyncio.to_thread(_silence_its_worker, client, task.name, stopped)
    try:
        await asyncio.wait_for(run.wait.aio(quiet=True), limit)
    except asyncio.TimeoutError:
        run.cancel()
        raise AssertionError(f"the run was still {run.phase} {limit} s after its worker went silent") from None
    except Exception as exc:  # the run's own failure: the test says what it must be
        return run, silenced, pid, exc
    return run, silenced, pid, None


def test_a_silent_worker_s_attempt_fails_and_the_retry_runs_on_another_worker(cluster):
    client, stopped = cluster
    run, silenced, pid, error = asyncio.run(
        _run_and_silence(client, sleeper_retried, 8.0, stopped, SILENCE_S * 4 + 8.0 + 15.0)
    )
    assert error is None and run.phase == "succeeded", error
    assert run.outputs()[0] != pid  # the retry ran on the other worker
    (entry,) = run.actions()
    first = entry.history[0] if entry.history else None
    assert first is not None and first.error is not None, entry
    assert first.error.type == "WorkerLostError"
    assert "has not been heard from for" in first.error.message
    assert "distributed.scheduler.worker-ttl" in first.error.message
    assert first.ended - silenced < SILENCE_S * 4  # noticed within the bound, not the scheduler's minutes


def test_without_retries_a_silent_worker_fails_the_run_with_a_clear_error(cluster):
    client, stopped = cluster
    run, silenced, _, error = asyncio.run(_run_and_silence(client, sleeper, ACTION_S, stopped, SILENCE_S * 4 + 15.0))
    elapsed = time.monotonic() - silenced
    assert run.phase == "failed"
    assert isinstance(error, WorkerLostError), error
    assert elapsed < SILENCE_S * 4 + 5.0 < ACTION_S  # failed well before the action could have ended
    message = str(error)
    assert "has not been heard from for" in message and "tcp://" in message
    assert "check the network" in message.lower()
