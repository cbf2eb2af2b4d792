"""Limits that must hold whatever the code does with them: the action limit fails the run,
an endless map stops at it, and no attempt starts after a deadline."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from support import CountedAttempts, Gauge, ended_run

import flyte_nb as flyte
from flyte_nb.errors import ActionLimitError, ActionTimeoutError

env = flyte.TaskEnvironment("limits")

gauge = Gauge()


@env.task
async def nap(x: int) -> int:
    with gauge:
        await asyncio.sleep(0.01)
    return x


@pytest.mark.parametrize("concurrency", [0, 3])
def test_map_past_max_actions_fails_the_run_even_with_return_exceptions(concurrency):
    @env.task
    async def main(n: int) -> list:
        return list(flyte.map(nap, range(n), concurrency=concurrency, return_exceptions=True))

    run = ended_run(main, 15, runner=flyte.with_runcontext(max_actions=10))
    with pytest.raises(ActionLimitError, match="limit of 10 actions"):
        run.outputs()
    assert run.phase == "failed"
    assert len(run.controller.actions) <= 11


def test_user_code_that_catches_the_limit_still_fails_the_run():
    @env.task
    async def main(n: int) -> str:
        try:
            await asyncio.gather(*[nap(i) for i in range(n)])
        except ActionLimitError:
            return "carried on"
        return "all done"

    run = ended_run(main, 8, runner=flyte.with_runcontext(max_actions=5))
    with pytest.raises(ActionLimitError):
        run.outputs()
    assert run.phase == "failed"


def test_an_endless_unbounded_map_stops_at_the_limit_with_no_more_tasks_than_it():
    pulled = 0

    def endless() -> Iterator[int]:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            if pulled > 100_000:  # today's code: creates a task per item until memory runs out
                raise RuntimeError("flyte.map pulled 100,000 items past a limit of 50 actions")
            yield i

    @env.task
    async def main() -> int:
        total = 0
        async for value in flyte.map.aio(nap, endless()):
            total += value
        return total

    gauge.peak = 0
    start = time.monotonic()
    run = ended_run(main, runner=flyte.with_runcontext(max_actions=50))
    with pytest.raises(ActionLimitError, match="limit of 50 actions"):
        run.outputs()
    assert time.monotonic() - start < 30
    assert pulled <= 52, f"the map pulled {pulled} items for a limit of 50"
    assert gauge.peak <= 50 and len(run.controller.actions) <= 51
    assert run.phase == "failed"


def test_no_attempt_starts_after_the_deadline_and_the_error_is_the_timeout():
    backoff = flyte.Backoff(timedelta(seconds=1.5), 1.0, None)
    flaky = CountedAttempts(
        env,
        lambda n: ValueError(f"attempt {n} failed"),
        timeout=flyte.Timeout(deadline=1.0),
        retries=flyte.RetryStrategy(3, backoff=backoff),
    )

    start = time.monotonic()
    run = ended_run(flaky.main)
    with pytest.raises(ActionTimeoutError, match="deadline") as info:
        run.outputs()
    took = time.monotonic() - start
    assert flaky.calls == 1, "a second attempt started after the deadline"
    assert isinstance(info.value.__cause__, ValueError)
    assert took < 1.5, "waited out a backoff that ends past the deadline"
    assert run.controller.actions[1].state == "failed"
