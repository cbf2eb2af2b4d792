"""The executor conformance suite: written once, run on every backend.

Each backend passes the same behaviours through the public API: outputs, errors of the
original type, retries, timeouts, cancel, sync tasks, map concurrency. Docker runs need
an engine (a skip locally without one, a failure when CI=true).
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from support import in_ci, peak_overlap, require_dask

import flyte_nb as flyte
from flyte_nb.errors import ActionTimeoutError

IMAGE = "flyte-nb-base:bookworm"
env = flyte.TaskEnvironment("conformance")


@pytest.fixture(params=["local", "docker", "docker-reuse", "dask"])
def backend(request, tmp_path):
    store = tmp_path / "store"
    if request.param.startswith("docker"):
        try:
            import docker

            client = docker.from_env()
            client.ping()
            client.images.get(IMAGE)
            client.close()
        except Exception as exc:
            if in_ci():
                pytest.fail(f"CI=true needs a Docker engine with {IMAGE}: {exc}")
            pytest.skip(f"no Docker engine: {exc}")
        flyte.init("docker", storage=f"file://{store}", docker={"base_image": IMAGE})
    elif request.param == "dask":
        require_dask()
        flyte.init("dask", storage=f"file://{store}", dask={"n_workers": 2, "threads_per_worker": 8})
    else:
        flyte.init("local", storage=f"file://{store}")
    if request.param == "docker-reuse":  # the same tasks, sent to reusable worker containers
        env.reuse_policy = flyte.ReusePolicy(replicas=(1, 2), concurrency=4)
    yield request.param, store
    env.reuse_policy = None


@env.task
async def double(x: int) -> int:
    await asyncio.sleep(0.2)
    return x * 2


@env.task
def sync_square(x: int) -> int:
    return x * x


@env.task
async def raises(message: str) -> None:
    raise LookupError(message)


@env.task(retries=flyte.RetryStrategy(2))
async def flaky(marker: str) -> int:
    # a file under the store root counts attempts across processes and containers
    with open(marker, "a") as handle:
        handle.write("x")
    with open(marker) as handle:
        attempts = len(handle.read())
    if attempts < 3:
        raise ConnectionError(f"attempt {attempts} failed")
    return attempts


@env.task(timeout=1.0)
async def too_slow() -> None:
    await asyncio.sleep(60)


@env.task
async def slow(x: int) -> int:
    await asyncio.sleep(60)
    return x


@env.task
async def entry(n: int) -> dict:
    doubled = await flyte.map(double, range(n), concurrency=2)
    squares = await asyncio.gather(*[sync_square.aio(i) for i in range(3)])
    try:
        await raises("no such key")
    except LookupError as exc:
        caught = str(exc)
    return {"doubled": doubled, "squares": list(squares), "caught": caught}


def test_outputs_errors_sync_tasks_and_map_concurrency(backend):
    run = flyte.run(entry, 5)
    out = run.outputs()
    assert out == {"doubled": [0, 2, 4, 6, 8], "squares": [0, 1, 4], "caught": "no such key"}
    mapped = [a for a in run.controller.actions if a.task is double]
    assert peak_overlap(mapped) <= 2 and len(mapped) == 5


def test_retries_run_the_body_again(backend):
    name, store = backend
    store.mkdir(parents=True, exist_ok=True)
    store.chmod(0o777)  # the task writes its marker from a container, as an unprivileged user
    marker = str(store / f"attempts-{name}")

    @env.task
    async def main() -> int:
        return await flaky(marker)

    run = flyte.run(main)
    assert run.outputs() == 3
    rec = run.controller.actions[1]
    assert rec.attempts == 3 and len(rec.history) == 2


def test_timeout_fails_the_action(backend):
    @env.task
    async def main() -> None:
        await too_slow()

    start = time.monotonic()
    with pytest.raises(ActionTimeoutError):
        flyte.run(main).outputs()
    assert time.monotonic() - start < 20


def test_cancel_stops_running_actions(backend):
    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[slow(i) for i in range(n)]))

    async def go():
        run = await flyte.run.aio(main, 3)
        while run.controller.counts["running"] < 4:  # the entry action and its three children
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        t0 = time.monotonic()
        run.cancel()
        await asyncio.wait([run._future], timeout=10)
        return run, time.monotonic() - t0

    run, took = asyncio.run(go())
    assert run.phase == "cancelled" and took < 5
    assert {a.state for a in run.controller.actions} == {"cancelled"}


def test_the_process_boundary_matches_the_backend(backend):
    name, _ = backend

    @env.task
    def pid() -> int:
        return os.getpid()

    @env.task
    async def main() -> int:
        return await pid.aio()

    child_pid = flyte.run(main).outputs()
    assert (child_pid == os.getpid()) == (name == "local")


def test_module_state_lives_across_actions_in_reusable_processes(backend):
    name, _ = backend

    @env.task
    async def main(n: int) -> list:
        return [await bump() for _ in range(n)]

    counts = flyte.run(main, 4).outputs()
    if name == "docker":
        assert len(set(counts)) == 1  # every container starts from the same shipped copy
    elif name == "local":
        assert counts == list(range(counts[0], counts[0] + 4))  # the kernel itself kept counting
    else:  # reusable processes: up to two worker containers, or two Dask workers
        assert max(counts) >= 2  # four calls on at most two processes: one of them counted again


_COUNTER = {"n": 0}


@env.task
async def bump() -> int:
    _COUNTER["n"] += 1
    return _COUNTER["n"]


@flyte.trace
async def quick_step(x: int) -> int:
    return x + 1


@env.task
async def traced_then_wait(marker: str) -> int:
    y = await quick_step(1)
    for _ in range(200):  # until the test, in the kernel, has seen the step
        if os.path.exists(marker):
            return y
        await asyncio.sleep(0.05)
    raise TimeoutError("the kernel did not see the trace step while the action ran")


def test_trace_steps_show_while_their_action_runs(backend):
    name, store = backend
    store.mkdir(parents=True, exist_ok=True)
    marker = store / f"seen-{name}"

    async def notebook():
        run = await flyte.run.aio(traced_then_wait, str(marker))
        deadline = time.monotonic() + 60
        # the step is reported when it begins, and again when it has ended
        while not (run.controller.actions and any(t.ended for t in run.controller.actions[0].traces or ())):
            assert time.monotonic() < deadline, "no ended trace step reached the kernel while the action ran"
            await asyncio.sleep(0.05)
        (step,) = run.controller.actions[0].traces
        marker.write_text("seen")
        await run
        return run, step

    run, step = asyncio.run(notebook())
    assert run.outputs() == 2
    assert step.name == "quick_step" and step.output == 2 and step.ended >= step.started
    assert [t.name for t in run.controller.actions[0].traces] == ["quick_step"]  # the final list, once
