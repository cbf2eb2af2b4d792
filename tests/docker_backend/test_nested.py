"""Actions that start actions from inside their containers: every level gets its own container,
and the kernel's run sees the whole tree (parents, groups, traces, failures, cancel)."""

from __future__ import annotations

import asyncio
import socket
import time

from docker_support import containers_of, until_no_containers
from support import ended_run

import flyte_nb as flyte

env = flyte.TaskEnvironment("nested")
pooled = flyte.TaskEnvironment("nestedpool", reuse_policy=flyte.ReusePolicy(replicas=1, concurrency=4, idle_ttl=5))


@env.task
async def leaf(x: int) -> tuple[str, int]:
    return socket.gethostname(), x * x


@flyte.trace
async def plan(n: int) -> list[int]:
    return list(range(n))


@env.task
async def middle(n: int) -> dict:
    items = await plan(n)
    with flyte.group("squares"):
        squares = await asyncio.gather(*[leaf(i) for i in items])
    mapped = list(flyte.map(leaf, items, concurrency=2))
    return {"me": socket.gethostname(), "gathered": squares, "mapped": mapped}


@env.task
async def top(n: int) -> dict:
    return {"me": socket.gethostname(), "middle": await middle(n)}


@env.task
def sync_leaf(x: int) -> int:
    return x * x


@env.task
def sync_parent(n: int) -> list[int]:
    return [sync_leaf(i) for i in range(n)]  # a sync body calling tasks from its thread


@env.task
async def fails_deep(x: int) -> int:
    raise ValueError(f"bad input {x}")


@env.task
async def catches() -> str:
    try:
        await fails_deep(7)
    except ValueError as exc:
        return f"caught {exc}"
    return "no error"


@env.task
async def slow_leaf() -> None:
    await asyncio.sleep(60)


@env.task
async def slow_parent(n: int) -> None:
    await asyncio.gather(*[slow_leaf() for _ in range(n)])


@pooled.task
async def pooled_parent(n: int) -> list[int]:
    return [square for _, square in await asyncio.gather(*[leaf(i) for i in range(n)])]


def test_every_level_runs_in_its_own_container_and_the_kernel_sees_the_tree(docker_run):
    run = flyte.run(top, 3)
    out = run.outputs()[0]
    hosts = {out["me"], out["middle"]["me"]} | {h for h, _ in out["middle"]["gathered"] + out["middle"]["mapped"]}
    assert len(hosts) == 2 + 6 and socket.gethostname() not in hosts  # 8 actions, 8 containers
    assert [s for _, s in out["middle"]["gathered"]] == [0, 1, 4] == [s for _, s in out["middle"]["mapped"]]
    actions = run.controller.actions
    assert [a.task.short_name for a in actions[:2]] == ["top", "middle"]
    assert actions[1].parent == 0 and all(a.parent == 1 for a in actions[2:])
    assert all(a.task is leaf for a in actions[2:])  # the kernel's own task objects, not copies
    groups = {g.name: g for g in run.controller.groups if g.parent_action == 1}
    assert groups["squares"].kind == "group" and len(groups["squares"].members) == 3
    mapped = [g for g in groups.values() if g.kind == "map"]
    assert len(mapped) == 1 and mapped[0].expected == 3 and mapped[0].concurrency == 2
    assert [t.name for t in actions[1].traces] == ["plan"] and actions[1].traces[0].output == [0, 1, 2]
    assert containers_of(docker_run, run.name) == []


def test_a_sync_task_body_calls_tasks_from_its_thread(docker_run):
    run = flyte.run(sync_parent, 3)
    assert run.outputs()[0] == [0, 1, 4]
    assert len(run.controller.actions) == 4


def test_a_failing_grandchild_raises_its_own_type_in_the_container_that_called_it(docker_run):
    assert flyte.run(catches).outputs()[0] == "caught bad input 7"
    run = flyte.run(catches)
    run.wait()
    assert run.controller.actions[1].state == "failed"


def test_cancel_removes_the_parent_and_children_containers(docker_run):
    async def notebook():
        run = await flyte.run.aio(slow_parent, 3)
        deadline = time.monotonic() + 30
        while run.controller.counts["running"] < 4:
            assert time.monotonic() < deadline, run.controller.counts
            await asyncio.sleep(0.1)
        run.cancel()
        try:
            await run
        except Exception:
            pass
        await until_no_containers(docker_run, run.name)
        return run

    run = asyncio.run(notebook())
    assert run.phase == "cancelled"
    assert containers_of(docker_run, run.name) == []


def test_a_reusable_worker_starts_actions_too(docker_run):
    run = flyte.run(pooled_parent, 4)
    assert run.outputs()[0] == [0, 1, 4, 9]
    assert len(run.controller.actions) == 5


@env.task
async def slow_square(x: int) -> int:
    await asyncio.sleep(0.6)
    return x * x


@env.task
async def limited_parent(n: int) -> list[int]:
    semaphore = asyncio.Semaphore(2)  # made in the container: the kernel's widget shows its gauge

    async def limited(i: int) -> int:
        async with semaphore:
            return await slow_square(i)

    return list(await asyncio.gather(*[limited(i) for i in range(n)]))


def test_a_semaphore_made_in_a_container_reports_its_gauge_to_the_kernel(docker_run):
    async def notebook():
        run = await flyte.run.aio(limited_parent, 6)
        held = []
        while not run.done():
            held += [s.held for s in run.controller.semaphores]
            await asyncio.sleep(0.05)
        await run
        return run, held

    run, held = asyncio.run(notebook())
    assert run.outputs()[0] == [i * i for i in range(6)]
    (gauge,) = run.controller.semaphores
    assert gauge.limit == 2 and gauge.parent_action == 0
    assert gauge.site.filename.endswith("test_nested.py") and gauge.site.function == "limited_parent"
    assert max(held) == 2  # seen full while the calls ran, never over the limit
    assert gauge.held == 0 and gauge.waiting == 0  # the final report: nothing held
    view = flyte_view(run)
    assert view["semaphores"][0]["limit"] == 2


def flyte_view(run) -> dict:
    from flyte_nb.notebook._view import RunView

    return RunView(run).model()


@flyte.trace
async def fetch(i: int, log: str) -> int:
    with open(log, "a") as handle:  # the log sits in the store's folder: the container sees it
        handle.write(f"{i}\n")
    return i * 10


@env.task
async def traced_pipeline(n: int, log: str, fail_at: int) -> list[int]:
    out = []
    for i in range(n):
        out.append(await fetch(i, log))
        if i == fail_at:
            raise RuntimeError(f"injected failure after step {i}")
    return out


def test_traces_in_a_container_are_checkpointed_and_resume(docker_run, tmp_path):
    log = tmp_path / "store" / "fetch.log"
    log.parent.mkdir(exist_ok=True)
    log.parent.chmod(0o777)  # the task writes it from its container, as an unprivileged user
    failed = ended_run(traced_pipeline, 4, str(log), 1, runner=flyte.with_runcontext(name="docker-resume"))
    assert failed.phase == "failed" and log.read_text().split() == ["0", "1"]
    resumed = flyte.with_runcontext(name="docker-resume").run(traced_pipeline, 4, str(log), -1)
    assert resumed.outputs()[0] == [0, 10, 20, 30]
    assert log.read_text().split() == ["0", "1", "2", "3"]  # steps 0 and 1 were not run again
    assert [t.restored for t in resumed.controller.actions[0].traces] == [True, True, False, False]
