"""The programming model: sync tasks, map three ways, groups, call sites, nesting, traces."""

from __future__ import annotations

import asyncio
import random
import threading
import time

from support import Heartbeat

import flyte_nb as flyte

env = flyte.TaskEnvironment("model")


@env.task
async def jitter(x: int) -> int:
    await asyncio.sleep(random.uniform(0, 0.03))
    return x * 2


@env.task
def square(x: int) -> dict:
    return {"value": x * x, "thread": threading.current_thread().name}


def test_tasks_outside_a_run_are_plain_functions():
    assert square(3)["value"] == 9
    assert asyncio.run(jitter(4)) == 8
    assert asyncio.run(square.aio(5))["value"] == 25


def test_sync_task_runs_in_a_thread_and_the_loop_stays_free():
    @env.task
    def blocking(seconds: float) -> str:
        time.sleep(seconds)
        return threading.current_thread().name

    @env.task
    async def main() -> tuple[str, int]:
        async with Heartbeat() as beat:
            name = await blocking.aio(0.3)
        return name, beat.ticks

    name, ticks = flyte.run(main).outputs()  # a tuple[str, int] task has two outputs
    assert name.startswith("flyte_nb-sync") and name != threading.main_thread().name
    assert ticks >= 10


def test_sync_task_calling_sync_tasks_directly():
    @env.task
    def total(n: int) -> int:
        return sum(square(i)["value"] for i in range(n))

    run = flyte.run(total, 5)
    assert run.outputs()[0] == sum(i * i for i in range(5))
    assert [a.parent for a in run.controller.actions] == [None, 0, 0, 0, 0, 0]


def test_seed_002_modern_workflow_gathers_sync_tasks_with_aio():
    @env.task
    async def modern_workflow(numbers: list[int]) -> list[int]:
        return [r["value"] for r in await asyncio.gather(*[square.aio(n) for n in numbers])]

    assert flyte.run(modern_workflow, [1, 2, 3]).outputs()[0] == [1, 4, 9]


def test_map_three_ways_keep_input_order():
    @env.task
    def sync_way(n: int) -> list[int]:
        return [r for r in flyte.map(jitter, range(n))]

    @env.task
    async def iterate_in_async(n: int) -> list[int]:
        return list(flyte.map(jitter, range(n), concurrency=4))

    @env.task
    async def async_for(n: int) -> list[int]:
        return [r async for r in flyte.map.aio(jitter, range(n), concurrency=4)]

    @env.task
    async def awaited(n: int) -> list[int]:
        return await flyte.map(jitter, range(n))

    expected = [i * 2 for i in range(30)]
    for main in (sync_way, iterate_in_async, async_for, awaited):
        assert flyte.run(main, 30).outputs()[0] == expected, main.name


def test_map_zips_several_iterables_and_accepts_partials():
    import functools

    @env.task
    async def add(a: int, b: int, scale: int = 1) -> int:
        return (a + b) * scale

    @env.task
    async def main() -> tuple[list[int], list[int]]:
        zipped = await flyte.map(add, [1, 2, 3], [10, 20, 30])
        scaled = await flyte.map(functools.partial(add, scale=10), [1, 2], [3, 4])
        return zipped, scaled

    assert flyte.run(main).outputs() == ([11, 22, 33], [40, 60])


def test_map_outside_a_run_calls_the_function():
    assert list(flyte.map(jitter, range(4))) == [0, 2, 4, 6]
    assert asyncio.run(flyte.map(square, [2, 3]))[1]["value"] == 9


def test_gather_fanouts_are_grouped_by_call_site():
    @env.task
    async def main(n: int) -> int:
        first = await asyncio.gather(*[jitter(i) for i in range(n)])
        second = await asyncio.gather(*[jitter(i) for i in range(n // 2)])
        for i in range(3):
            await jitter(i)
        return len(first) + len(second)

    run = flyte.run(main, 10)
    assert run.outputs()[0] == 15
    fanouts = [g for g in run.controller.groups if g.kind == "fanout"]
    assert [g.total for g in fanouts] == [10, 5, 3]
    assert len({g.site.lineno for g in fanouts}) == 3
    assert all(g.site.filename == __file__ and g.site.function == "main" for g in fanouts)
    assert all(g.counts["succeeded"] == g.total for g in fanouts)
    assert fanouts[0].name == "jitter"


def test_named_groups_sync_and_async_and_map_groups():
    @env.task
    async def main() -> int:
        with flyte.group("phase1"):
            await asyncio.gather(*[jitter(i) for i in range(4)])
        async with flyte.group("phase2"):
            await asyncio.gather(*[jitter(i) for i in range(3)])
            await flyte.map(jitter, range(6), concurrency=2, group_name="squares")
        await flyte.map(jitter, range(2))
        await jitter(99)  # back outside any group
        return 0

    run = flyte.run(main)
    groups = {(g.kind, g.name): g for g in run.controller.groups}
    assert groups["group", "phase1"].total == 4
    assert groups["group", "phase2"].total == 3
    assert groups["map", "squares"].total == 6 and groups["map", "squares"].concurrency == 2
    assert groups["map", "map jitter"].total == 2
    assert groups["fanout", "jitter"].total == 1


def test_groups_do_not_leak_into_child_actions():
    @env.task
    async def inner() -> int:
        return sum(await asyncio.gather(*[jitter(i) for i in range(2)]))

    @env.task
    async def main() -> int:
        with flyte.group("outer"):
            return await inner()

    run = flyte.run(main)
    by_id = {g.id: g for g in run.controller.groups}
    inner_rec = run.controller.actions[1]
    assert inner_rec.group.name == "outer"
    leaves = [a for a in run.controller.actions if a.parent == inner_rec.id]
    assert {by_id[a.group.id].kind for a in leaves} == {"fanout"}


def test_nested_tasks_three_levels_deep():
    @env.task
    async def level3(x: int) -> int:
        return x + 1

    @env.task
    async def level2(x: int) -> int:
        return sum(await asyncio.gather(level3(x), level3(x)))

    @env.task
    async def level1(n: int) -> int:
        return sum(await asyncio.gather(*[level2(i) for i in range(n)]))

    run = flyte.run(level1, 3)
    assert run.outputs()[0] == sum(2 * (i + 1) for i in range(3))
    actions = run.controller.actions
    assert len(actions) == 1 + 3 + 6
    depth = {0: 0}
    for a in actions[1:]:
        depth[a.id] = depth[a.parent] + 1
    assert sorted(depth.values()) == [0, 1, 1, 1, 2, 2, 2, 2, 2, 2]
    assert all(actions[a.parent].name == "model.level2" for a in actions if depth[a.id] == 2)


def test_trace_records_steps_on_the_parent_action():
    @flyte.trace
    async def fetch(url: str) -> dict:
        await asyncio.sleep(0.01)
        if "bad" in url:
            raise ConnectionError("unreachable")
        return {"url": url}

    @env.task
    async def main(urls: list[str]) -> list:
        out = []
        for url in urls:
            try:
                out.append(await fetch(url))
            except ConnectionError as exc:
                out.append(str(exc))
        return out

    run = flyte.run(main, ["a", "bad", "c"])
    assert run.outputs()[0] == [{"url": "a"}, "unreachable", {"url": "c"}]
    steps = run.controller.actions[0].traces
    assert [s.inputs for s in steps] == [{"url": "a"}, {"url": "bad"}, {"url": "c"}]
    assert steps[0].output == {"url": "a"} and steps[1].error.type == "ConnectionError"
    assert all(s.ended >= s.started + 0.005 for s in steps)
    assert "fetch" in steps[0].name
    assert len(run.controller.actions) == 1  # traces are not actions
    assert asyncio.run(fetch("z")) == {"url": "z"}  # outside a run: a plain call


def test_event_stream_coalesces_and_ends_with_a_final_snapshot():
    async def follow(n: int) -> tuple[list, flyte.Run]:
        run = flyte.run(fanout_of, n)
        snapshots = [s async for s in run.controller.events.subscribe(interval=0.05)]
        await run
        return snapshots, run

    for n in (10, 20_000):
        snapshots, run = asyncio.run(follow(n))
        final = snapshots[-1]
        assert final.done and final.phase == "succeeded"
        assert final.counts["succeeded"] == n + 1 and final.total == n + 1
        elapsed = run.controller.ended_at - run.controller.started_at
        # one snapshot per interval at most (plus the first and the final one), however many actions
        assert len(snapshots) <= elapsed / 0.05 + 3, (n, len(snapshots), elapsed)
        assert [s.version for s in snapshots] == sorted(s.version for s in snapshots)


@env.task
async def fanout_of(n: int) -> int:
    return len(await asyncio.gather(*[jitter_free(i) for i in range(n)]))


@env.task
async def jitter_free(x: int) -> int:
    return x
