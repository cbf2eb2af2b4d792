"""A cancel-scope with a time limit that works inline, in the task that is already running,
and one attempt of an action run under its task's timeout.

An action runs inline in the asyncio task that awaits it, so its timeout cannot be a
separate task (``wait_for`` before 3.12 makes one). On 3.11+ this is ``asyncio.timeout``;
on 3.10 a small equivalent built on ``call_later``. A scope's clock can be restarted, so
an attempt that first waits in an executor's own queue (a Dask scheduler) counts its
runtime from the moment its body starts.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ..errors import DeadlineExceededError, MaxRuntimeExceededError

if TYPE_CHECKING:
    from ..executors._base import ActionSpec, Executor


class _Scope:
    __slots__ = ("_restart", "expired")

    def __init__(self) -> None:
        self.expired = False
        self._restart: Callable[[float], None] = lambda seconds: None

    def restart(self, seconds: float) -> None:
        """Give the body ``seconds`` from now (replacing the limit it had)."""
        self._restart(seconds)


@asynccontextmanager
async def deadline_scope(seconds: float | None, *, restartable: bool = False) -> AsyncIterator[_Scope]:
    """Run the body with a time limit. When it runs out, the body is cancelled, the scope
    swallows that cancellation and ``scope.expired`` is True; the caller raises its error.
    A cancellation from elsewhere always propagates. ``seconds=None`` is no limit (until a
    restartable scope's ``restart``)."""
    scope = _Scope()
    if seconds is None and not restartable:
        yield scope
        return
    loop = asyncio.get_running_loop()
    if sys.version_info >= (3, 11):
        limit = asyncio.timeout(seconds)
        scope._restart = lambda s: limit.reschedule(loop.time() + s)
        try:
            async with limit:
                yield scope
        except TimeoutError:
            if not limit.expired():  # the body's own TimeoutError, not ours
                raise
            scope.expired = True
        return
    task = asyncio.current_task()
    assert task is not None
    fired = False

    def expire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    handles = [loop.call_later(seconds, expire)] if seconds is not None else []

    def restart(new_seconds: float) -> None:
        for handle in handles:
            handle.cancel()
        handles[:] = [loop.call_later(new_seconds, expire)]

    scope._restart = restart
    try:
        yield scope
    except asyncio.CancelledError:
        if not fired:
            raise
        scope.expired = True
    finally:
        for handle in handles:
            handle.cancel()


async def attempt_with_timeout(
    executor: Executor, spec: ActionSpec, max_runtime: float | None, deadline: float | None
) -> Any:
    """One attempt through ``executor``, cut off after ``max_runtime`` seconds of running or
    at ``deadline`` (monotonic), whichever comes first; then :class:`MaxRuntimeExceededError`
    or :class:`DeadlineExceededError` (both ``TimeoutError``), by which limit fired.
    When the executor reports the body's start, time spent queued before it does not count
    against ``max_runtime`` (the deadline still holds)."""
    __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks

    by_deadline = False  # whether the limit last set is the deadline's, not max_runtime's

    def left(runtime: float | None) -> float | None:
        nonlocal by_deadline
        if deadline is None:
            return runtime
        remaining = max(deadline - time.monotonic(), 0.0)
        by_deadline = runtime is None or remaining < runtime
        return remaining if runtime is None else min(runtime, remaining)

    deferred = spec.started is not None and max_runtime is not None
    limit = left(None if deferred else max_runtime)
    async with deadline_scope(limit, restartable=deferred) as scope:
        if deferred:
            started = spec.started
            assert started is not None

            def start_the_clock() -> None:
                limit = left(max_runtime)
                assert limit is not None  # deferred only with a max_runtime, so there is a limit
                scope.restart(limit)
                started()

            spec.started = start_the_clock
        return await executor.submit(spec)
    rec = spec.action
    if by_deadline:  # the deadline cut the attempt off, before its own max_runtime could
        total = rec.task.timeout.deadline or 0.0
        raise DeadlineExceededError(
            f"action {rec.name} #{rec.id} reached its deadline of {total:g} s during attempt {spec.attempt}; "
            "give the task a later Timeout(deadline=...) or make it faster",
            action=rec.name,
            attempt=spec.attempt,
            seconds=float(total),
        )
    seconds = (max_runtime if deferred else limit) or 0.0
    raise MaxRuntimeExceededError(
        f"action {rec.name} #{rec.id} timed out after {seconds:g} s (attempt {spec.attempt}); "
        "give the task a larger timeout=... or make it faster",
        action=rec.name,
        attempt=spec.attempt,
        seconds=seconds,
    )
