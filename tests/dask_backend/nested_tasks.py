"""Nested fanouts for the dask backend's tests: ``top(n)`` calls ``n`` middles, each of
which sums three leaves (``1 + n + 3n`` actions in all)."""

from __future__ import annotations

import asyncio

import flyte_nb as flyte

env = flyte.TaskEnvironment("dask_nested")


@env.task
async def leaf(i: int) -> int:
    await asyncio.sleep(0.05)
    return i


@env.task
async def middle(i: int) -> int:
    return sum(await asyncio.gather(*[leaf(i * 10 + j) for j in range(3)]))


@env.task
async def top(n: int) -> list:
    return list(await asyncio.gather(*[middle(i) for i in range(n)]))
