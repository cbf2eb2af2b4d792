"""The tasks the conformance suite runs. They are imported by reference wherever an action
runs (a container imports flyte_nb from its runtime bundle), so this module must not
import pytest."""

from __future__ import annotations

import asyncio
import os

import flyte_nb as flyte

env = flyte.TaskEnvironment("conformance")


@env.task
async def double(x: int) -> int:
    await asyncio.sleep(0.2)
    return x * 2


@env.task
def sync_square(x: int) -> int:
    return x * x


@env.task
async def raises(message: str) -> None:
    raise LookupError(message)


@env.task(retries=flyte.RetryStrategy(2))
async def flaky(marker: str) -> int:
    # a file under the store root counts attempts across processes and containers
    with open(marker, "a") as handle:
        handle.write("x")
    with open(marker) as handle:
        attempts = len(handle.read())
    if attempts < 3:
        raise ConnectionError(f"attempt {attempts} failed")
    return attempts


@env.task(timeout=1.0)
async def too_slow() -> None:
    await asyncio.sleep(60)


@env.task
async def slow(x: int) -> int:
    await asyncio.sleep(60)
    return x


@env.task
async def entry(n: int) -> dict[str, object]:
    doubled = await flyte.map(double, range(n), concurrency=2)
    squares = await asyncio.gather(*[sync_square.aio(i) for i in range(3)])
    try:
        await raises("no such key")
    except LookupError as exc:
        caught = str(exc)
    return {"doubled": doubled, "squares": list(squares), "caught": caught}


@env.task
async def call_flaky(marker: str) -> int:
    return await flaky(marker)


@env.task
async def call_too_slow() -> None:
    await too_slow()


@env.task
async def gather_slow(n: int) -> list[int]:
    return list(await asyncio.gather(*[slow(i) for i in range(n)]))


@env.task
def pid() -> int:
    return os.getpid()


@env.task
async def child_pid() -> int:
    return await pid.aio()


_COUNTER = {"n": 0}


@env.task
async def bump() -> int:
    _COUNTER["n"] += 1
    return _COUNTER["n"]


@env.task
async def bump_times(n: int) -> list[int]:
    return [await bump() for _ in range(n)]


@flyte.trace
async def quick_step(x: int) -> int:
    return x + 1


@env.task
async def traced_then_wait(marker: str) -> int:
    y = await quick_step(1)
    for _ in range(200):  # until the test, in the kernel, has seen the step
        if os.path.exists(marker):
            return y
        await asyncio.sleep(0.05)
    raise TimeoutError("the kernel did not see the trace step while the action ran")
