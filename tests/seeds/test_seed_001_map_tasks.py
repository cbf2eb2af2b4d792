"""Seed 001, "Fan Out Tasks Like a Pro with Map Tasks": flyte.map.aio, return_exceptions, concurrency=50."""

from __future__ import annotations

import asyncio

from support import Heartbeat

import flyte_nb as flyte

from .examples import map_demo, map_demo_concurrency
from .helpers import actions_of, peak_overlap, timed_run

#: The second example maps over range(10_000) with concurrency=50.
ITEMS = 10_000
LIMIT = 50


def test_process_item_outside_a_run_is_the_function():
    assert asyncio.run(map_demo.process_item(7)) == 49


def test_main_maps_process_item_and_returns_squares_in_order():
    n = 20
    run = flyte.run(map_demo.main, n)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [x**2 for x in range(n)]
    # "Each call to `process_item` runs as a separate Flyte task"
    items = actions_of(run, map_demo.process_item)
    assert len(items) == n
    assert all(rec.parent == 0 and rec.state == "succeeded" for rec in items)
    # "Automatic UI grouping": the map's actions form one group
    maps = [group for group in run.controller.groups if group.kind == "map"]
    assert len(maps) == 1
    assert maps[0].total == n
    assert all(rec.group is maps[0] for rec in items)


def test_main_with_no_items():
    run = flyte.run(map_demo.main, 0)
    assert run.outputs()[0] == []
    assert actions_of(run, map_demo.process_item) == []


def test_concurrency_50_over_10_000_items_returns_every_square_in_order():
    """The document: "Don't want to launch 10,000 tasks at once? Set a concurrency limit"."""
    run, elapsed = timed_run(map_demo_concurrency.main)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [x**2 for x in range(ITEMS)]
    items = actions_of(run, map_demo.process_item)
    assert len(items) == ITEMS
    assert all(rec.state == "succeeded" for rec in items)
    maps = [group for group in run.controller.groups if group.kind == "map"]
    assert [(group.total, group.concurrency) for group in maps] == [(ITEMS, LIMIT)]
    # "Now at most 50 tasks run simultaneously"
    assert peak_overlap(items) <= LIMIT
    assert elapsed < 5.0, f"10,000 no-op actions took {elapsed:.2f} s"


def test_concurrency_50_keeps_the_loop_free_and_the_slots_full():
    """The document: "Flyte queues the rest and feeds them in as slots open".

    The document's process_item never awaits, so each action ends in the step that starts
    it: what must hold is that the map does not hold the event loop for all 10,000 items
    (the kernel and the run widget share that loop). With a body that does wait, the 50
    slots are all in use at once.
    """

    async def notebook() -> tuple[flyte.Run, int]:
        async with Heartbeat(interval=0) as beat:
            run = await flyte.run.aio(map_demo_concurrency.main)
            await run
        return run, beat.ticks

    run, ticks = asyncio.run(notebook())
    assert run.phase == "succeeded"
    assert ticks >= ITEMS // LIMIT, f"the loop turned only {ticks} times during a {ITEMS}-item map"

    @map_demo.env.task
    async def waiting_item(x: int) -> int:
        await asyncio.sleep(0.01)
        return x**2

    @map_demo.env.task
    async def waiting_main() -> list[int]:
        return [r async for r in flyte.map.aio(waiting_item, range(500), concurrency=LIMIT)]

    waited = flyte.run(waiting_main)
    assert waited.outputs()[0] == [x**2 for x in range(500)]
    peak = peak_overlap(actions_of(waited, waiting_item))
    assert peak == LIMIT, f"at most {peak} of the map's {LIMIT} slots were ever in use at once"
