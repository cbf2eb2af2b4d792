"""Any nesting of sync and async tasks completes on the local backend: a sync parent that waits
for its children never starves them of threads, however many parents or however deep."""

from __future__ import annotations

import asyncio
import threading

import pytest
from support import Gauge

import flyte_nb as flyte

env = flyte.TaskEnvironment("nesting")

children = Gauge()
threads_seen: list[int] = []


@env.task
def child(x: int) -> int:
    with children:
        threads_seen.append(threading.active_count())
        return x + 1


@env.task
def sync_parent(x: int) -> int:
    return child(x) * 2


@env.task
async def async_child(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1


@env.task
def sync_parent_of_async(x: int) -> int:
    [value] = flyte.map(async_child, [x])
    return value * 2


@env.task
async def async_parent_of_sync(x: int) -> int:
    return await sync_parent.aio(x)


@env.task
async def fan(n: int, kind: str) -> int:
    parent = {"sync": sync_parent, "sync-async": sync_parent_of_async, "async-sync": async_parent_of_sync}[kind]
    return sum(await flyte.map(parent, range(n), return_exceptions=False))


@env.task
def sync_deep(n: int) -> int:
    return 0 if n == 0 else sync_deep(n - 1) + 1


@env.task
def sync_then_async(n: int) -> int:
    if n == 0:
        return 0
    [value] = flyte.map(async_then_sync, [n - 1])
    return value + 1


@env.task
async def async_then_sync(n: int) -> int:
    return 0 if n == 0 else await sync_then_async.aio(n - 1) + 1


async def finish(run: flyte.Run, limit: float) -> flyte.Run:
    """Wait for ``run`` at most ``limit`` seconds (a deadlock cancels it and fails the test)."""
    try:
        await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(run.until_done(None))), limit)
    except TimeoutError:
        run.cancel("the test gave up waiting: deadlocked?")
        await run.until_done(5)
        pytest.fail(f"run {run.name} did not finish within {limit} s: {run.controller.counts}")
    return run


@pytest.mark.parametrize("kind", ["sync", "sync-async", "async-sync"])
def test_a_map_of_1000_nested_parents_completes_with_few_threads(kind):
    flyte.init(local={"max_threads": 8})
    children.peak = 0
    threads_seen.clear()

    async def go() -> flyte.Run:
        return await finish(flyte.run(fan, 1000, kind), 60)

    before = threading.active_count()  # other tests of this process may have left threads
    run = asyncio.run(go())
    assert run.outputs()[0] == sum((x + 1) * 2 for x in range(1000))
    depth = 3 if kind == "async-sync" else 2  # async parent -> sync parent -> child
    assert run.controller.counts["succeeded"] == 1 + depth * 1000
    assert children.peak <= 8  # sync bodies running at once: the limit still holds
    if threads_seen:
        assert max(threads_seen) - before <= 8 * 3 + 4  # about the limit's threads, not one per parent


@pytest.mark.parametrize("entry", [sync_deep, sync_then_async], ids=["sync", "sync-async"])
def test_200_deep_nesting_completes(entry):
    flyte.init(local={"max_threads": 8})

    async def go() -> flyte.Run:
        return await finish(flyte.run(entry, 200), 60)

    run = asyncio.run(go())
    assert run.outputs()[0] == 200
    assert run.controller.counts["succeeded"] == 201
