"""The fanout's fast paths on the dask backend keep their guarantees: small and large values
(inline on the loop, or through a thread and the store) come back equal, each call its own
action; a job's event loop is reused, yet what a job leaves running stops when it ends."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import flyte_nb as flyte

env = flyte.TaskEnvironment("dask_fanout_paths")
small_env = flyte.TaskEnvironment("dask_fanout_small_inline", max_inline_io_bytes=1)

VALUES = [None, True, 7, 2**300, 1.5, "x" * 10, "y" * 5000, b"z" * 100, (1, "a"), [1, [2, 3]], {"k": (1, 2)}]


@env.task
async def echo(value: object) -> object:
    return value


@small_env.task
async def echo_offloaded(value: object) -> object:
    return value


@env.task
async def echo_all(values: list) -> list:
    return list(await asyncio.gather(*[echo(v) for v in values], *[echo_offloaded(v) for v in values]))


def test_small_and_large_values_come_back_equal_each_its_own_action(dask_run):
    run = flyte.run(echo_all, VALUES)
    assert run.outputs()[0] == VALUES + VALUES
    names = [a.task.short_name for a in run.controller.actions]
    assert names.count("echo") == names.count("echo_offloaded") == len(VALUES)


@env.task
async def leaves_a_task_behind(marker: str) -> int:
    async def later() -> None:
        try:
            await asyncio.sleep(1.0)
        except asyncio.CancelledError:
            Path(f"{marker}.cancelled").write_text("cancelled when its job ended")
            raise
        Path(marker).write_text("ran after its job ended")

    asyncio.get_running_loop().create_task(later())
    return 1


@env.task
async def many_jobs(marker: str, n: int) -> int:
    return sum(await asyncio.gather(*[leaves_a_task_behind(f"{marker}.{i}") for i in range(n)]))


def test_what_a_job_leaves_running_stops_when_it_ends(dask_run, tmp_path):
    marker = str(tmp_path / "marker")
    assert flyte.run(many_jobs, marker, 20).outputs()[0] == 20
    assert flyte.run(many_jobs, marker, 20).outputs()[0] == 20  # jobs on loops used before
    time.sleep(1.5)
    assert sorted(p.name for p in tmp_path.glob("marker*")) == sorted(
        f"marker.{i}.cancelled" for i in range(20)
    )  # cancelled when their jobs ended, as asyncio.run does (the second run overwrote the first's)
