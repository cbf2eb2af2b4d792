"""Reusable worker containers (ReusePolicy): reuse, scaling, a worker that dies, cleanup."""

from __future__ import annotations

import asyncio
import socket
import time

import flyte_nb as flyte

pooled = flyte.TaskEnvironment(
    "pooltest", reuse_policy=flyte.ReusePolicy(replicas=(1, 3), concurrency=2, scaledown_ttl=1, idle_ttl=3)
)
driver = flyte.TaskEnvironment("pooldriver")


@pooled.task
async def nap(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return socket.gethostname()


@driver.task
async def naps(n: int, seconds: float) -> list:
    return list(await asyncio.gather(*[nap(seconds) for _ in range(n)]))


def workers(client) -> list:
    return client.containers.list(all=True, filters={"label": "flyte_nb.pool=pooltest"}, sparse=True)


def test_pool_grows_under_load_shrinks_when_idle_and_goes_away(docker_run):
    async def settle(count: int, within: float) -> list:
        """The pool's workers once there are ``count`` of them (polled: a loaded machine is slow)."""
        deadline = time.monotonic() + within
        while len(found := workers(docker_run)) != count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return found

    async def notebook():
        first = await flyte.run.aio(naps, 6, 1.0)  # 6 actions, 2 per worker: grows to 3 workers
        await first
        busy_hosts = set(first.outputs()[0])
        after_load = len(workers(docker_run))
        left = await settle(1, 20)  # past scaledown_ttl (1 s): back to min (1)
        second = await flyte.run.aio(naps, 2, 0.1)  # reuses the worker that is still there
        await second
        reused = (set(second.outputs()[0]), {c.id[:12] for c in left}, busy_hosts)
        at_end = await settle(0, 30)  # past idle_ttl (3 s): the pool is removed
        return busy_hosts, after_load, len(left), reused, len(at_end)

    hosts, after_load, after_scaledown, (served, left, busy), at_end = asyncio.run(notebook())
    assert len(hosts) == 3 and after_load == 3
    assert after_scaledown == 1 and served <= left <= busy, (served, left, busy)
    assert at_end == 0


def test_a_worker_killed_mid_action_is_replaced_and_the_action_runs_again(docker_run):
    async def notebook():
        run = await flyte.run.aio(naps, 1, 3.0)
        deadline = time.monotonic() + 20
        while not workers(docker_run) or run.controller.counts["running"] < 2:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        for container in docker_run.containers.list(filters={"label": "flyte_nb.pool=pooltest"}):
            container.kill()  # the running workers: the action's one among them
        await run
        await asyncio.sleep(4)  # past idle_ttl: the pool goes away
        return run

    run = asyncio.run(notebook())
    assert run.phase == "succeeded" and len(run.outputs()[0]) == 1
    assert workers(docker_run) == []


def test_many_sleeping_actions_share_few_workers(docker_run):
    wide = flyte.TaskEnvironment("pooltest", reuse_policy=flyte.ReusePolicy(replicas=(2, 4), concurrency=25))

    @wide.task
    async def sleep_one() -> int:
        await asyncio.sleep(1)
        return 1

    @driver.task
    async def fanout(n: int) -> int:
        return sum(await asyncio.gather(*[sleep_one() for _ in range(n)]))

    start = time.monotonic()
    assert flyte.run(fanout, 100).outputs()[0] == 100
    assert time.monotonic() - start < 15  # 100 one-second actions on at most 4 workers x 25


warm = flyte.TaskEnvironment("warmpool", reuse_policy=flyte.ReusePolicy(replicas=1, concurrency=2, idle_ttl=5))


@warm.task
async def warm_nap() -> str:
    return socket.gethostname()


@driver.task
async def late_caller(wait: float) -> str:
    await asyncio.sleep(wait)  # the pool starts meanwhile: the driver's code names warm_nap

    async def call() -> str:
        return await warm_nap()

    return await call()


def test_the_pools_a_driver_calls_start_with_the_driver(docker_run):
    def warm_workers() -> list:
        return docker_run.containers.list(filters={"label": "flyte_nb.pool=warmpool"}, sparse=True)

    async def notebook():
        run = await flyte.run.aio(late_caller, 6.0)
        deadline = time.monotonic() + 5.5
        while not warm_workers() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        up_before_the_call = bool(warm_workers()) and run.controller.counts["running"] == 1
        await run
        return run, up_before_the_call

    run, up_before_the_call = asyncio.run(notebook())
    assert up_before_the_call  # the worker ran before any action of the pool existed
    assert run.outputs()[0] and len(run.controller.actions) == 2


def test_pooled_callees_are_found_in_nested_code():
    from flyte_nb.executors._jobs import pooled_callees

    assert pooled_callees(late_caller.func) == [warm_nap]
    assert pooled_callees(naps.func) == [nap]
    assert pooled_callees(nap.func) == []


def test_actions_waiting_for_a_worker_slot_show_as_queued(docker_run):
    """One worker with two slots and six actions: four wait for a slot, queued, not running."""
    narrow = flyte.TaskEnvironment("narrowpool", reuse_policy=flyte.ReusePolicy(replicas=1, concurrency=2, idle_ttl=3))

    @narrow.task
    async def short_nap(i: int) -> int:
        await asyncio.sleep(0.5)
        return i

    @driver.task
    async def fanout(n: int) -> list:
        return list(await asyncio.gather(*[short_nap(i) for i in range(n)]))

    run = flyte.run(fanout, 6)
    assert run.outputs()[0] == list(range(6))
    (group,) = [g for g in run.controller.groups if g.name == "short_nap"]
    # two slots; for a moment after a slot frees, its last action may still be being
    # collected while the next one already runs
    assert group.peak_running <= 2 * 2 and group.counts["succeeded"] == 6
