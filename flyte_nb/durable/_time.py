"""The durable time functions: traced (so checkpointed) steps, each sync with an ``.aio`` twin."""

from __future__ import annotations

import asyncio
import time as _clock
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Generic, TypeVar

from ..model._sync import run_sync
from ..model._trace import trace

T = TypeVar("T")


class _SyncAndAio(Generic[T]):
    """A function called synchronously, with ``.aio`` for the awaitable form (as the SDK's)."""

    def __init__(self, coro_fn: Callable[..., Coroutine[Any, Any, T]], name: str, doc: str) -> None:
        self._coro_fn = coro_fn
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc

    def __call__(self, *args: Any, **kwargs: Any) -> T:
        __tracebackhide__ = True
        return run_sync(self._coro_fn(*args, **kwargs))

    async def aio(self, *args: Any, **kwargs: Any) -> T:
        return await self._coro_fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<flyte.durable.{self.__name__}>"


@trace
async def durable_time() -> float:
    return _clock.time()


@trace
async def durable_now() -> datetime:
    return datetime.now()


@trace
async def sleep_start() -> float:
    return _clock.time()


async def durable_sleep(seconds: float) -> None:
    start = await sleep_start()
    remaining = start + seconds - _clock.time()
    if remaining > 0:
        await asyncio.sleep(remaining)


time = _SyncAndAio(
    durable_time,
    "time",
    "The current time in seconds (``time.time()``); a run run again gets the recorded value.",
)
now = _SyncAndAio(
    durable_now,
    "now",
    "The current local datetime (``datetime.now()``); a run run again gets the recorded value.",
)
sleep = _SyncAndAio(
    durable_sleep,
    "sleep",
    "Sleep ``seconds``, counted from this call's first start: a run run again sleeps only what is left.",
)
