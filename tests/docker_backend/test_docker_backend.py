"""The docker backend: every action in its own container, cleaned up whatever happens."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from docker_support import IMAGE, containers_of, until_no_containers
from docker_tasks import sleepers
from support import ended_run

import flyte_nb as flyte
from flyte_nb.errors import ActionTimeoutError, ConfigError, ContainerError

env = flyte.TaskEnvironment("dockertest")
small = flyte.TaskEnvironment("dockersmall", resources=flyte.Resources(cpu="500m", memory="96Mi"))


class Point:
    """Defined only here (a module the container does not have): must travel by value."""

    def __init__(self, x: int) -> None:
        self.x = x


@env.task
def where(p: Point) -> tuple[str, int]:
    print(f"running {p.x}")
    return socket.gethostname(), p.x * 2


@env.task
async def fanout(n: int) -> list:
    return list(await asyncio.gather(*[where.aio(Point(i)) for i in range(n)]))


@env.task
async def fails() -> None:
    raise KeyError("missing key in the container")


@env.task
async def calls_failing() -> str:
    try:
        await fails()
    except KeyError as exc:
        return f"caught {exc}"
    return "no error"


@small.task
def hog(megabytes: int) -> int:
    blocks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(blocks)


@small.task
async def limits_probe() -> str:
    await asyncio.sleep(3)  # long enough for the test to inspect its container on a busy machine
    return "done"


def test_each_action_runs_in_its_own_container_with_values_shipped_by_value(docker_run):
    run = flyte.run(fanout, 3)
    results = run.outputs()[0]
    hosts = {host for host, _ in results}
    assert [value for _, value in results] == [0, 2, 4]
    assert len(hosts) == 3 and socket.gethostname() not in hosts
    children = run.controller.actions[1:]
    assert all(a.timings and a.timings["t"] > 0 for a in children)
    assert all("".join(a.logs).startswith("running") for a in children)
    assert containers_of(docker_run, run.name) == []  # all removed


def test_task_errors_come_back_as_the_original_type(docker_run):
    assert flyte.run(calls_failing).outputs()[0] == "caught 'missing key in the container'"


def test_resources_become_container_limits(docker_run):
    import docker

    @env.task
    async def main() -> str:
        return await limits_probe()

    async def go():
        run = await flyte.run.aio(main)
        config = None
        while not run.done() and config is None:
            probe = {"label": [f"flyte_nb.run={run.name}", "flyte_nb.action=1"]}  # action 0 is main
            for found in docker_run.containers.list(all=True, filters=probe, sparse=True):
                try:
                    config = docker_run.containers.get(found.id).attrs["HostConfig"]
                except docker.errors.NotFound:  # removed between the two calls: its run has ended
                    pass
            await asyncio.sleep(0.05)
        await run
        return run, config

    run, host_config = asyncio.run(go())
    assert run.outputs()[0] == "done" and host_config is not None
    assert host_config["NanoCpus"] == 500_000_000
    assert host_config["Memory"] == 96 * 1024 * 1024


def test_out_of_memory_is_reported(docker_run):
    @env.task
    async def main() -> int:
        return await hog(400)

    with pytest.raises(ContainerError, match="OOM|exited with code") as info:
        flyte.run(main).outputs()
    assert info.value.oom_killed or info.value.exit_code not in (0, None)


def test_timeout_kills_the_container(docker_run):
    timed = env.task(timeout=1.0)(lambda_free_sleep)

    @env.task
    async def main() -> float:
        return await timed(30)

    start = time.monotonic()
    run = ended_run(main)
    with pytest.raises(ActionTimeoutError):
        run.outputs()
    assert time.monotonic() - start < 15
    assert containers_of(docker_run, run.name) == []


async def lambda_free_sleep(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


def test_cancel_leaves_no_container(docker_run):
    async def go():
        run = await flyte.run.aio(sleepers, 3, 60)
        while len(containers_of(docker_run, run.name)) < 3:
            await asyncio.sleep(0.1)
        run.cancel()
        await run.until_done(timeout=10)
        await until_no_containers(docker_run, run.name)
        return run

    run = asyncio.run(go())
    assert run.phase == "cancelled"
    assert containers_of(docker_run, run.name) == []


def test_strays_of_dead_kernels_are_swept(docker_run):
    stray = docker_run.containers.run(
        IMAGE,
        ["sleep", "300"],
        detach=True,
        network_mode="none",
        labels={"flyte_nb.kernel": f"{socket.gethostname()}:999999", "flyte_nb.run": "stray-run"},
    )
    try:
        assert flyte.run(fanout, 1).outputs()[0]
        assert containers_of(docker_run, "stray-run") == []
    finally:
        import docker

        try:
            stray.remove(force=True)
        except docker.errors.NotFound:
            pass


def test_missing_image_is_a_clear_error_without_a_pull(docker_run):
    ghost = flyte.TaskEnvironment("ghost", image="flyte-nb-missing:nothing")

    @ghost.task
    async def nothing() -> None:
        return None

    @env.task
    async def main() -> None:
        await nothing()

    start = time.monotonic()
    with pytest.raises(ConfigError, match="flyte-nb-missing:nothing.*never pulls"):
        flyte.run(main).outputs()
    assert time.monotonic() - start < 10
    with pytest.raises(Exception):  # noqa: B017 - no image appeared: nothing was pulled
        docker_run.images.get("flyte-nb-missing:nothing")


def test_a_memory_store_is_refused(docker_client, tmp_path):
    flyte.init("docker", storage="memory://nope")
    with pytest.raises(ConfigError, match="memory:// store lives inside this kernel"):
        flyte.run(fanout, 1).outputs()


def test_notebook_main_functions_and_classes_travel_by_value(docker_run, tmp_path):
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "notebook_like.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import asyncio, socket
            import flyte_nb as flyte

            flyte.init("docker", storage="file://{tmp_path / "store2"}", docker={{"base_image": "{IMAGE}"}})
            env = flyte.TaskEnvironment("nb")

            class Box:
                def __init__(self, v):
                    self.v = v

            def helper(b):
                return b.v + 1

            @env.task
            def inside(b: Box) -> tuple:
                return socket.gethostname(), Box(helper(b)).v

            @env.task
            async def main() -> tuple:
                return await inside.aio(Box(41))

            host, value = flyte.run(main).outputs()[0]  # a bare `-> tuple` is one output
            print(value, host != socket.gethostname())
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["42", "True"]


def test_environment_and_run_env_vars_reach_the_container(docker_run):
    with_vars = flyte.TaskEnvironment("withvars", env_vars={"FROM_ENV": "env"})

    @with_vars.task
    def read_vars() -> str:
        import os

        return f"{os.environ.get('FROM_ENV')}/{os.environ.get('FROM_RUN')}"

    @env.task
    async def main() -> str:
        return await read_vars.aio()

    run = flyte.with_runcontext(env_vars={"FROM_RUN": "run"}).run(main)
    assert run.outputs()[0] == "env/run"
