"""A cancel-scope with a time limit that works inline, in the task that is already running.

An action runs inline in the asyncio task that awaits it, so its timeout cannot be a
separate task (``wait_for`` before 3.12 makes one). On 3.11+ this is ``asyncio.timeout``;
on 3.10 a small equivalent built on ``call_later``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class _Scope:
    __slots__ = ("expired",)

    def __init__(self) -> None:
        self.expired = False


@asynccontextmanager
async def deadline_scope(seconds: float | None) -> AsyncIterator[_Scope]:
    """Run the body with a time limit. When it runs out, the body is cancelled, the scope
    swallows that cancellation and ``scope.expired`` is True; the caller raises its error.
    A cancellation from elsewhere always propagates."""
    scope = _Scope()
    if seconds is None:
        yield scope
        return
    if sys.version_info >= (3, 11):
        limit = asyncio.timeout(seconds)
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

    handle = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        yield scope
    except asyncio.CancelledError:
        if not fired:
            raise
        scope.expired = True
    finally:
        handle.cancel()
