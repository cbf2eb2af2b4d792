"""Limits hold exactly: map concurrency, the semaphore pattern, the run-wide limit."""

from __future__ import annotations

import asyncio
import time

import pytest
from support import Gauge, peak_overlap

import flyte_nb as flyte

env = flyte.TaskEnvironment("concurrency")
gauge = Gauge()


@env.task
async def work(x: int, seconds: float = 0.05) -> int:
    with gauge:
        await asyncio.sleep(seconds)
    return x


@pytest.fixture(autouse=True)
def reset_gauge():
    gauge.__init__()


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_map_concurrency_peak_equals_limit(limit: int):
    @env.task
    async def main(n: int) -> list[int]:
        return await flyte.map(work, range(n), concurrency=limit)

    run = flyte.run(main, 25)
    assert run.outputs()[0] == list(range(25))
    assert gauge.peak == limit
    children = [a for a in run.controller.actions if a.parent == 0]
    assert peak_overlap(children) == limit


def test_map_keeps_slots_full():
    """A new item starts as soon as any finishes, not when the slowest of a wave does."""
    durations = [0.4, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]

    @env.task
    async def main() -> list[int]:
        return await flyte.map(work, range(len(durations)), durations, concurrency=2)

    start = time.monotonic()
    run = flyte.run(main)
    elapsed = time.monotonic() - start
    assert run.outputs()[0] == list(range(len(durations)))
    # one slot holds the slow item (0.4 s) while the other runs the seven quick ones (0.35 s)
    assert elapsed < 0.4 * 1.6, elapsed


def test_semaphore_pattern_limits_running_actions():
    @env.task
    async def main(n: int, max_concurrent: int = 3) -> list[int]:
        semaphore = asyncio.Semaphore(max_concurrent)

        async def limited(x: int) -> int:
            async with semaphore:
                return await work(x, 0.05)

        return list(await asyncio.gather(*[limited(i) for i in range(n)]))

    run = flyte.run(main, 12)
    assert run.outputs()[0] == list(range(12))
    assert gauge.peak == 3
    assert peak_overlap(run.controller.actions[1:]) == 3


def test_unbounded_gather_runs_all_at_once():
    @env.task
    async def main(n: int) -> list[int]:
        return list(await asyncio.gather(*[work(i, 0.1) for i in range(n)]))

    start = time.monotonic()
    run = flyte.run(main, 40)
    elapsed = time.monotonic() - start
    assert run.outputs()[0] == list(range(40))
    assert gauge.peak == 40
    assert elapsed < 0.1 * 5  # parallel, not 40 x 0.1 s


def test_max_action_concurrency_bounds_the_whole_run():
    @env.task
    async def main(n: int) -> list[int]:
        a = asyncio.gather(*[work(i) for i in range(n)])
        b = flyte.map(work, range(n, 2 * n))
        first, second = await asyncio.gather(a, b)
        return list(first) + list(second)

    run = flyte.with_runcontext(max_action_concurrency=4).run(main, 10)
    assert run.outputs()[0] == list(range(20))
    assert gauge.peak == 4


def test_nested_fanouts_do_not_deadlock_on_run_limit():
    @env.task
    async def leaf(x: int) -> int:
        with gauge:
            await asyncio.sleep(0.01)
        return x

    @env.task
    async def middle(x: int) -> int:
        return sum(await asyncio.gather(*[leaf(x * 10 + i) for i in range(3)]))

    @env.task
    async def top(n: int) -> int:
        return sum(await asyncio.gather(*[middle(i) for i in range(n)]))

    run = flyte.with_runcontext(max_action_concurrency=1).run(top, 4)
    assert run.outputs()[0] == sum(x * 10 + i for x in range(4) for i in range(3))
    assert gauge.peak == 1


def test_sync_map_inside_async_task_honours_concurrency():
    """Seed 000's `list(flyte.map(..., concurrency=3))` inside an async task."""

    @env.task
    async def main(n: int) -> list[int]:
        return list(flyte.map(work, range(n), concurrency=3))

    run = flyte.run(main, 9)
    assert run.outputs()[0] == list(range(9))
    assert gauge.peak == 3
