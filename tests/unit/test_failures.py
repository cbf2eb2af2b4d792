"""Errors, timeouts and retries: what a failing action does to its parent and its run."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

import pytest
from support import CountedAttempts, ended_run

import flyte_nb as flyte
from flyte_nb.errors import ActionTimeoutError, NonRecoverableError, action_failure_of

env = flyte.TaskEnvironment("failures")


class Boom(ValueError):
    pass


@env.task
async def maybe_fail(x: int) -> int:
    if x % 3 == 0:
        raise Boom(f"item {x} is bad")
    return x


def test_child_error_raises_in_parent_with_original_type_and_traceback():
    @env.task
    async def main() -> int:
        return await maybe_fail(3)

    run = ended_run(main)
    assert run.phase == "failed"
    with pytest.raises(Boom, match="item 3 is bad") as info:
        run.outputs()
    failure = action_failure_of(info.value)
    assert failure is not None and failure.action == "failures.maybe_fail"
    assert "raise Boom" in failure.traceback and failure.attempt == 1
    assert any("failures.maybe_fail" in note for note in info.value.__notes__)
    child = run.controller.actions[1]
    assert child.state == "failed" and child.error.type == "Boom"
    assert run.controller.actions[0].state == "failed"


def test_gather_return_exceptions_hands_errors_back_as_values():
    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[maybe_fail(i) for i in range(n)], return_exceptions=True))

    run = flyte.run(main, 7)
    results = run.outputs()[0]
    # each failure is a Boom and the SDK's RuntimeUserError with the class name as its code
    assert [isinstance(r, Boom) or type(r) for r in results] == [True, int, int, True, int, int, True]
    assert all(isinstance(r, flyte.errors.RuntimeUserError) and r.code == "Boom" for r in results[::3])
    assert results[1] == 1 and str(results[3]) == "item 3 is bad"
    assert run.phase == "succeeded"
    assert run.controller.counts["failed"] == 3 and run.controller.counts["succeeded"] == 5


@pytest.mark.parametrize("way", ["await", "iterate", "aio"])
def test_map_return_exceptions(way: str):
    @env.task
    async def main(n: int) -> list:
        if way == "await":
            return await flyte.map(maybe_fail, range(n), concurrency=2)
        if way == "iterate":
            return list(flyte.map(maybe_fail, range(n), concurrency=2))
        return [r async for r in flyte.map.aio(maybe_fail, range(n), concurrency=2)]

    results = flyte.run(main, 5).outputs()[0]
    assert isinstance(results[0], Boom) and isinstance(results[3], Boom)
    assert results[1:3] == [1, 2] and results[4] == 4


def test_map_without_return_exceptions_raises_first_failure_and_cancels_rest():
    started: list[int] = []

    @env.task
    async def slow_or_fail(x: int) -> int:
        started.append(x)
        if x == 1:
            raise Boom("first failure")
        await asyncio.sleep(2)
        return x

    @env.task
    async def main(n: int) -> list:
        return await flyte.map(slow_or_fail, range(n), concurrency=3, return_exceptions=False)

    start = time.monotonic()
    run = ended_run(main, 30)
    assert time.monotonic() - start < 2, "the remaining actions were not cancelled"
    with pytest.raises(Boom, match="first failure"):
        run.outputs()
    assert len(started) < 30
    states = {a.state for a in run.controller.actions[1:]}
    assert states <= {"failed", "cancelled"}


def test_timeout_fails_the_action_with_a_timeout_error():
    @env.task(timeout=0.2)
    async def too_slow() -> None:
        await asyncio.sleep(10)

    @env.task
    async def main() -> None:
        await too_slow()

    start = time.monotonic()
    run = ended_run(main)
    elapsed = time.monotonic() - start
    assert elapsed < 0.2 * 5
    with pytest.raises(ActionTimeoutError, match="timed out after 0.2 s") as info:
        run.outputs()
    assert isinstance(info.value, TimeoutError)
    assert run.controller.actions[1].state == "failed"


def test_timeout_as_timedelta_on_a_sync_task():
    @env.task(timeout=timedelta(milliseconds=200))
    def blocking() -> None:
        time.sleep(1.0)

    @env.task
    async def main() -> str:
        try:
            await blocking.aio()
        except TimeoutError:
            return "timed out"
        return "finished"

    start = time.monotonic()
    assert flyte.run(main).outputs()[0] == "timed out"
    assert time.monotonic() - start < 0.9


def test_users_own_timeout_error_is_not_mistaken_for_ours():
    @env.task(timeout=5, retries=0)
    async def raises_timeout() -> None:
        raise TimeoutError("the API timed out")

    @env.task
    async def main() -> None:
        await raises_timeout()

    with pytest.raises(TimeoutError, match="the API timed out") as info:
        flyte.run(main).outputs()
    assert not isinstance(info.value, ActionTimeoutError)


def test_retries_rerun_the_body_with_exponential_backoff():
    calls: list[float] = []

    @env.task(retries=flyte.RetryStrategy(3, backoff=flyte.Backoff(timedelta(seconds=0.1), 2.0, timedelta(1))))
    async def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 4:
            raise ConnectionError(f"attempt {len(calls)} failed")
        return "ok"

    @env.task
    async def main() -> str:
        return await flaky()

    run = flyte.run(main)
    assert run.outputs()[0] == "ok"
    assert len(calls) == 4
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    # waits of 0.1, 0.2, 0.4 s: each at least its delay (a loaded machine only adds to them),
    # and the first well short of the last (so the waits grew, not started long)
    assert all(gap >= delay * 0.99 for gap, delay in zip(gaps, (0.1, 0.2, 0.4), strict=False)), gaps
    assert gaps[0] < 0.4, gaps
    rec = run.controller.actions[1]
    assert rec.state == "succeeded" and rec.attempts == 4
    assert [h.number for h in rec.history] == [1, 2, 3]
    assert all(h.state == "failed" and "ConnectionError" == h.error.type for h in rec.history)


def test_retries_run_out_and_the_last_error_is_raised():
    always_fails = CountedAttempts(env, lambda n: Boom(f"failure {n}"), retries=2)

    run = ended_run(always_fails.main)
    with pytest.raises(Boom, match="failure 3") as info:
        run.outputs()
    assert always_fails.calls == 3
    assert action_failure_of(info.value).attempts == 3
    assert len(run.controller.actions[1].history) == 3


def test_non_recoverable_error_is_not_retried():
    fatal = CountedAttempts(env, lambda n: NonRecoverableError("bad credentials"), retries=5)

    with pytest.raises(NonRecoverableError):
        flyte.run(fatal.main).outputs()
    assert fatal.calls == 1


def test_timeouts_are_retried_per_attempt():
    calls = 0

    @env.task(timeout=0.1, retries=flyte.RetryStrategy(2))
    async def slow_then_fast() -> int:
        nonlocal calls
        calls += 1
        if calls < 3:
            await asyncio.sleep(5)
        return calls

    @env.task
    async def main() -> int:
        return await slow_then_fast()

    assert flyte.run(main).outputs()[0] == 3


def test_deadline_bounds_all_attempts():
    calls = 0

    @env.task(timeout=flyte.Timeout(deadline=0.3), retries=flyte.RetryStrategy(100))
    async def hopeless() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.12)
        raise Boom("again")

    @env.task
    async def main() -> None:
        await hopeless()

    start = time.monotonic()
    with pytest.raises((Boom, ActionTimeoutError)):
        flyte.run(main).outputs()
    assert time.monotonic() - start < 0.3 * 3
    assert 2 <= calls <= 4
