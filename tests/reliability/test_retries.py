"""Retries cover failures of the infrastructure (a killed or out-of-memory container, a lost
worker) as well as the task's own exceptions; config and data errors are never retried."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from docker_support import containers_of
from support import CountedAttempts

import flyte_nb as flyte
from flyte_nb.errors import ConfigError, ContainerError, OOMError, RemoteTaskError, TaskCallError, WorkerLostError

env = flyte.TaskEnvironment("retrying")
#: the in-process tests' counted tasks: kept out of ``env``, whose tasks travel to containers
#: with it (the ``support`` module that defines them is not in the image)
in_process = flyte.TaskEnvironment("retrying_in_process")
#: quick retries: the tests measure that they happen, not how long they wait
QUICK = flyte.Backoff(timedelta(seconds=0.05), 1.0, None)


@pytest.mark.parametrize(
    "error",
    [
        ContainerError("container exited with code 137", exit_code=137),
        OOMError("OOMKilled", "killed for its memory", exit_code=137),
        WorkerLostError("worker died"),
        RemoteTaskError("Unpicklable: x", error_type="Unpicklable"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_infrastructure_failures_are_retried_per_the_policy(error):
    flaky = CountedAttempts(
        in_process, lambda n: error if n == 1 else None, retries=flyte.RetryStrategy(2, backoff=QUICK)
    )

    run = flyte.run(flaky.main)
    assert run.outputs()[0] == 2
    child = run.controller.actions[1]
    assert child.attempts == 2 and child.history[0].error.type == type(error).__name__


@pytest.mark.parametrize(
    "error",
    [ConfigError("bad config"), TaskCallError("bad arguments"), RemoteTaskError("x", error_type="ConfigError")],
    ids=lambda e: type(e).__name__ + ("(remote)" if isinstance(e, RemoteTaskError) else ""),
)
def test_config_and_call_errors_are_never_retried(error):
    wrong = CountedAttempts(in_process, lambda n: error, retries=flyte.RetryStrategy(3, backoff=QUICK))

    with pytest.raises(type(error)):
        flyte.run(wrong.main).outputs()
    assert wrong.calls == 1


# ---------------------------------------------------------------------- docker

tiny = flyte.TaskEnvironment("retrytiny", resources=flyte.Resources(memory="64Mi"))
roomy = flyte.TaskEnvironment("retryroomy", resources=flyte.Resources(memory="512Mi"))


@env.task(retries=flyte.RetryStrategy(2, backoff=QUICK))
async def patient(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "finished"


@env.task
async def calls_patient(seconds: float) -> str:
    return await patient(seconds)


@tiny.task(retries=flyte.RetryStrategy(1, backoff=QUICK))
def fill_small(megabytes: int) -> int:
    blocks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(blocks)


@roomy.task
def fill_big(megabytes: int) -> int:
    blocks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(blocks)


@env.task
async def adaptive(megabytes: int) -> str:
    # the Flyte docs' pattern: catch the OOM, call again with more memory
    try:
        return f"small {await fill_small.aio(megabytes)}"
    except flyte.errors.OOMError:
        return f"big {await fill_big.aio(megabytes)}"


def test_a_container_killed_on_its_first_attempt_succeeds_on_its_second(docker_run):
    client = docker_run

    async def go() -> tuple[flyte.Run, str]:
        run = await flyte.run.aio(calls_patient, 2.0)
        killed = ""
        deadline = time.monotonic() + 60
        while not killed and not run.done() and time.monotonic() < deadline:
            probe = {"label": [f"flyte_nb.run={run.name}", "flyte_nb.action=1"], "status": "running"}
            for container in client.containers.list(filters=probe, sparse=True):
                container.kill()  # docker kill: the first attempt's container dies with 137
                killed = container.id
                break
            await asyncio.sleep(0.05)
        await run
        return run, killed

    run, killed = asyncio.run(go())
    assert killed, "the first attempt's container was never seen running"
    assert run.outputs()[0] == "finished"
    child = run.controller.actions[1]
    assert child.attempts == 2 and child.history[0].error.type == "ContainerError"
    assert containers_of(client, run.name) == []


def test_an_oom_kill_is_retried_then_raises_oom_error_for_the_parent_to_catch(docker_run):
    run = flyte.run(adaptive, 200)
    assert run.outputs()[0] == "big 200"
    small = next(a for a in run.controller.actions if a.task.short_name == "fill_small")
    assert small.state == "failed" and small.attempts == 2
    assert [a.error.type for a in small.history] == ["OOMError", "OOMError"]
    assert containers_of(docker_run, run.name) == []


def test_a_lost_dask_worker_is_retried_per_the_policy(tmp_path):
    from support import require_dask

    require_dask()
    import dask

    flyte.init("dask", storage=f"file://{tmp_path}", dask={"n_workers": 1, "threads_per_worker": 2})
    # Dask itself reruns a task whose worker died, then gives up (KilledWorker): that is the
    # first attempt's WorkerLostError; the task's own retry must then run it again
    deaths_per_attempt = dask.config.get("distributed.scheduler.allowed-failures") + 1
    marker = tmp_path / "deaths"

    @env.task(retries=flyte.RetryStrategy(1, backoff=QUICK))
    async def dies_for_a_while(path: str, deaths: int) -> str:
        import os

        with open(path, "a") as log:
            log.write("x")
        if os.path.getsize(path) <= deaths:
            os._exit(3)
        return "survived"

    run = flyte.run(dies_for_a_while, str(marker), deaths_per_attempt)
    assert run.outputs()[0] == "survived"
    entry = run.controller.actions[0]
    assert entry.attempts == 2 and entry.history[0].error.type == "WorkerLostError"
