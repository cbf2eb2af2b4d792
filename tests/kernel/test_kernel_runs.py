"""flyte.run inside a real Jupyter kernel: the kernel's loop runs it, nothing freezes."""

from __future__ import annotations

import textwrap
import time

import pytest

pytestmark = pytest.mark.kernel

TASKS = textwrap.dedent(
    """
    import asyncio, time
    import flyte_nb as flyte

    env = flyte.TaskEnvironment("kernel")

    @env.task
    async def call_llm_api(prompt: str) -> str:
        await asyncio.sleep(0.2)
        return f"Response to: {prompt}"

    @env.task
    async def process_batch_with_map(prompts: list[str]) -> list[str]:
        return list(flyte.map(call_llm_api, prompts, concurrency=3))

    @env.task
    async def process_batch_with_semaphore(prompts: list[str], max_concurrent: int = 3) -> list[str]:
        semaphore = asyncio.Semaphore(max_concurrent)

        async def limited_call(prompt: str) -> str:
            async with semaphore:
                return await call_llm_api(prompt)

        return list(await asyncio.gather(*[limited_call(p) for p in prompts]))

    @env.task
    async def sleeper(x: int) -> int:
        await asyncio.sleep(60)
        return x

    @env.task
    async def long_fanout(n: int) -> list[int]:
        return list(await asyncio.gather(*[sleeper(i) for i in range(n)]))

    prompts = [f"prompt {i}" for i in range(8)]
    """
)


def test_run_returns_at_once_and_wait_blocks_the_cell_without_deadlock(kernel):
    assert kernel.execute(TASKS).error is None
    started = kernel.execute(
        "t0 = time.monotonic(); r = flyte.run(process_batch_with_semaphore, prompts); print(r.done())"
    )
    assert started.error is None and started.stdout.split() == ["False"]
    waited = kernel.execute("r.wait(); print(r.phase, len(r.outputs()[0]), round(time.monotonic() - t0, 2))")
    assert waited.error is None, waited.traceback
    phase, count, seconds = waited.stdout.split()
    assert (phase, count) == ("succeeded", "8")
    assert 0.2 * 2.5 < float(seconds) < 0.2 * 8  # three waves of 0.2 s, not eight


def test_sync_map_inside_an_async_task_and_top_level_await(kernel):
    assert kernel.execute(TASKS).error is None
    cell = kernel.execute("out = await flyte.run(process_batch_with_map, prompts)\nprint(out[0], '|', len(out))")
    assert cell.error is None, cell.traceback
    assert cell.stdout.strip() == "Response to: prompt 0 | 8"
    again = kernel.execute("print(flyte.run(process_batch_with_map, prompts[:4]).wait().phase)")
    assert again.error is None and again.stdout.strip() == "succeeded"


def test_a_run_keeps_going_while_other_cells_run(kernel):
    assert kernel.execute(TASKS).error is None
    assert kernel.execute("bg = flyte.run(process_batch_with_semaphore, prompts)").error is None
    other = kernel.execute("print(sum(range(10)))")
    assert other.stdout.strip() == "45"
    check = kernel.execute("await asyncio.sleep(1.2); print(bg.phase)")
    assert check.stdout.strip() == "succeeded", check


def test_interrupting_the_kernel_cancels_the_run(kernel):
    assert kernel.execute(TASKS).error is None
    msg_id = kernel.start("r = flyte.run(long_fanout, 6); r.wait()")
    time.sleep(1.5)  # let the cell reach r.wait() and the actions start
    t0 = time.monotonic()
    kernel.manager.interrupt_kernel()
    interrupted = kernel.collect(msg_id, timeout=30)
    took = time.monotonic() - t0
    assert interrupted.error == "KeyboardInterrupt", interrupted
    assert took < 3.0
    after = kernel.execute("print(r.phase, r.controller.counts['cancelled'], r.controller.counts['running'])")
    assert after.error is None, after.traceback
    assert after.stdout.split() == ["cancelled", "7", "0"]
    usable = kernel.execute("print(flyte.run(process_batch_with_map, prompts[:3]).wait().phase)")
    assert usable.stdout.strip() == "succeeded", usable


def test_interrupting_an_awaiting_cell_cancels_the_run(kernel):
    assert kernel.execute(TASKS).error is None
    msg_id = kernel.start("r = flyte.run(long_fanout, 4)\nawait r")
    time.sleep(1.5)
    kernel.manager.interrupt_kernel()
    interrupted = kernel.collect(msg_id, timeout=30)
    assert interrupted.error is not None, interrupted
    after = kernel.execute("await asyncio.sleep(0.2); print(r.phase, r.controller.counts['running'])")
    assert after.stdout.split() == ["cancelled", "0"], after


def test_a_failed_run_raises_its_error_once_from_wait_and_await(kernel):
    assert kernel.execute(TASKS).error is None
    defined = kernel.execute(
        "@env.task\nasync def fails(x: int) -> int:\n"
        "    await asyncio.sleep(0.2)\n    raise ValueError('bad ' + str(x))"
    )
    assert defined.error is None
    started = kernel.execute("r = flyte.run(fails, 3); print(r.done())")
    assert started.error is None and started.stdout.split() == ["False"]  # it returned at once
    waited = kernel.execute("r.wait()")
    assert waited.error == "ValueError", waited
    assert waited.traceback.count("bad 3") == 1  # shown once
    awaited = kernel.execute("await r")
    assert awaited.error == "ValueError" and awaited.traceback.count("bad 3") == 1
    after = kernel.execute("print(r.phase, r.done())")
    assert after.stdout.split() == ["failed", "True"]
