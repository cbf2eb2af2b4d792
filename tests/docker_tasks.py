"""Tasks several docker test files start: sleepers to cancel, interrupt or time out.

A module of the tests (not installed in the image), so its tasks travel to containers by value.
"""

from __future__ import annotations

import asyncio

import flyte_nb as flyte

env = flyte.TaskEnvironment("docker_sleepers")


@env.task
async def sleeper(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


@env.task
async def sleepers(n: int, seconds: float) -> list:
    return list(await asyncio.gather(*[sleeper(seconds) for _ in range(n)]))
