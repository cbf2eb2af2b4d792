"""Docker cancel, interrupt and timeouts under load: 32 running containers and a default
executor of one thread must not slow a kill (issue 12, item 4).

Each test waits (bounded) until all its containers run, then cancels / interrupts / lets a
timeout fire, and compares how long the end took with the actions' sleep or the timeout:
ratios, never absolute times.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docker_support import IMAGE, containers_of
from docker_tasks import sleeper, sleepers

import flyte_nb as flyte
from flyte_nb.errors import ActionTimeoutError

TESTS_DIR = Path(__file__).resolve().parents[1]
N = 32
SLEEP_S = 60.0
#: an end must come within this fraction of the actions' sleep (today: never, or after the sleep)
QUICK = SLEEP_S / 5
START_WITHIN_S = 120.0

env = flyte.TaskEnvironment("underload")


@env.task
async def marked_sleeper(folder: str, i: int, seconds: float) -> float:
    Path(folder, str(i)).touch()  # says "I am running" to the entry and the test
    await asyncio.sleep(seconds)
    return seconds


TIMEOUT_S = 4.0
timed_sleeper = env.task(timeout=TIMEOUT_S)(sleeper.func)


@env.task
async def timed_under_load(folder: str, n: int) -> float:
    """n sleepers running, then a child with a timeout: it must fire on time."""
    running = [asyncio.ensure_future(marked_sleeper(folder, i, SLEEP_S)) for i in range(n)]
    deadline = time.monotonic() + START_WITHIN_S
    while len(os.listdir(folder)) < n and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    try:
        return await timed_sleeper(SLEEP_S)
    finally:
        for task in running:
            task.cancel()


def running_containers(client, run_name: str) -> int:
    return sum(1 for c in containers_of(client, run_name) if c.status == "running")


#: the tests' own engine queries: never the default executor, which they shrink to one thread
POLLS = ThreadPoolExecutor(2, thread_name_prefix="test-polls")


async def until_running(client, run_name: str, n: int) -> None:
    deadline = time.monotonic() + START_WITHIN_S
    loop = asyncio.get_running_loop()
    while (count := await loop.run_in_executor(POLLS, running_containers, client, run_name)) < n:
        assert time.monotonic() < deadline, f"only {count} of {n} containers ran within {START_WITHIN_S} s"
        await asyncio.sleep(0.3)


def until_gone(client, run_name: str, within: float = 10.0) -> list:
    deadline = time.monotonic() + within
    while (left := containers_of(client, run_name)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_cancel_with_32_running_containers_ends_the_run_at_once_and_removes_them(docker_run):
    async def go():
        # the kernel's default executor at its smallest: docker's waits and kills must not use it
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
        run = await flyte.run.aio(sleepers, N, SLEEP_S)
        await until_running(docker_run, run.name, N + 1)  # the entry's container and its 32 children
        start = time.monotonic()
        run.cancel()
        await run.until_done(timeout=SLEEP_S * 2)
        return run, time.monotonic() - start

    run, took = asyncio.run(go())
    assert run.phase == "cancelled"
    print(f"cancel with {N} running containers: the run ended {took:.1f} s later")
    assert took < QUICK, f"the cancel took {took:.1f} s"
    assert until_gone(docker_run, run.name) == []


def test_a_timeout_fires_on_time_with_32_running_containers(docker_run, tmp_path):
    folder = tmp_path / "store" / "markers"
    folder.mkdir(parents=True)
    folder.chmod(0o777)  # containers may run as another user than the test

    async def go():
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
        run = await flyte.run.aio(timed_under_load, str(folder), N)
        deadline = time.monotonic() + START_WITHIN_S
        while len(os.listdir(folder)) < N:
            assert time.monotonic() < deadline, f"only {len(os.listdir(folder))} of {N} sleepers started"
            await asyncio.sleep(0.2)
        loaded = time.monotonic()  # from now on the timed child starts, beside 32 running containers
        await run.until_done(timeout=SLEEP_S * 2)
        return run, time.monotonic() - loaded

    run, took = asyncio.run(go())
    with pytest.raises(ActionTimeoutError):
        run.outputs()
    # its container's start and the kills after it count too, hence a ratio and not TIMEOUT_S itself
    print(f"a {TIMEOUT_S} s timeout beside {N} running containers: the run ended {took:.1f} s after they ran")
    assert took < TIMEOUT_S * 3, f"a {TIMEOUT_S} s timeout ended the run after {took:.1f} s"
    assert until_gone(docker_run, run.name) == []


def test_sigint_to_a_script_with_32_running_containers_exits_at_once_and_leaves_none(docker_client, tmp_path):
    name = f"sigint-{uuid.uuid4().hex[:8]}"
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import asyncio
            from concurrent.futures import ThreadPoolExecutor

            import sys

            import flyte_nb as flyte

            sys.path.insert(0, {str(TESTS_DIR)!r})
            from docker_tasks import sleepers


            class OneThread(asyncio.DefaultEventLoopPolicy):
                # the loop flyte.run makes gets a default executor of one thread
                def new_event_loop(self):
                    loop = super().new_event_loop()
                    loop.set_default_executor(ThreadPoolExecutor(1))
                    return loop


            asyncio.set_event_loop_policy(OneThread())
            flyte.init("docker", storage="file://{tmp_path / "store"}", docker={{"base_image": "{IMAGE}"}})
            print(flyte.__file__, flush=True)
            flyte.with_runcontext(name="{name}").run(sleepers, {N}, {SLEEP_S})
            """
        )
    )
    process = subprocess.Popen([sys.executable, str(script)], text=True)
    try:
        asyncio.run(until_running(docker_client, name, N + 1))
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=SLEEP_S * 2)
        took = time.monotonic() - start
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    print(f"SIGINT with {N} running containers: the script exited {took:.1f} s later")
    assert took < QUICK, f"the script took {took:.1f} s to exit after SIGINT"
    assert until_gone(docker_client, name, within=5.0) == []


KERNEL_SETUP = f"""
import asyncio
from concurrent.futures import ThreadPoolExecutor
import flyte_nb as flyte
%load_ext flyte_nb
flyte.init("docker", storage="file://{{store}}", docker={{{{"base_image": "{IMAGE}"}}}})
env = flyte.TaskEnvironment("underload_kernel")

@env.task
async def sleeper(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds

asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
print(flyte.__file__)
"""


@pytest.mark.kernel
def test_a_kernel_interrupt_with_32_running_containers_cancels_at_once(kernel, docker_client, tmp_path):
    setup = kernel.execute(KERNEL_SETUP.format(store=tmp_path / "store"))
    assert setup.error is None, setup.traceback
    name = f"interrupted-{uuid.uuid4().hex[:8]}"
    msg_id = kernel.start(f"%%flyte --name {name}\nawait asyncio.gather(*[sleeper({SLEEP_S}) for _ in range({N})])")
    asyncio.run(until_running(docker_client, name, N))
    start = time.monotonic()
    kernel.manager.interrupt_kernel()
    interrupted = kernel.collect(msg_id, timeout=SLEEP_S * 2)
    took = time.monotonic() - start
    assert interrupted.error == "RunCancelledError", interrupted
    print(f"kernel interrupt with {N} running containers: the cell ended {took:.1f} s later")
    assert took < QUICK, f"the interrupt took {took:.1f} s"
    assert until_gone(docker_client, name) == []
    assert kernel.execute("print(len(flyte.active_runs()))").stdout.strip() == "0"
