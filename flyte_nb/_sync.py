"""The one thin sync layer: finish a coroutine from synchronous code, wherever that code is.

Three places call sync APIs (``run.wait()``, ``list(flyte.map(...))``, a sync task called
directly) and each needs a different bridge:

* a thread with no loop, inside a run (a sync task body in the thread pool): hand the
  coroutine to the run's loop and block this thread on the result;
* the thread that runs the loop (a notebook cell, or an async task body): the loop must
  keep turning, so re-enter it with nest_asyncio, applied on first need only;
* no loop anywhere (a plain script): ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from ._context import current

T = TypeVar("T")

_patched: set[int] = set()
_patch_lock = threading.Lock()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, without deadlocking any loop."""
    __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        return reenter(loop, coro)
    ctx = current.get()
    run_loop = ctx.controller.loop if ctx is not None else None
    if run_loop is not None and run_loop.is_running():
        return asyncio.run_coroutine_threadsafe(coro, run_loop).result()
    return asyncio.run(coro)


def reenter(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on ``loop`` from code the loop itself is running, letting every other
    task on the loop progress meanwhile."""
    __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
    allow_reentry(loop)
    return loop.run_until_complete(coro)


def allow_reentry(loop: asyncio.AbstractEventLoop) -> None:
    """Make ``loop`` re-entrant (nest_asyncio), once per loop.

    nest_asyncio swaps asyncio's C tasks for the pure-Python ones process-wide, which
    makes every later task slower, so it is applied only when a sync wait actually
    happens inside a running loop, never at import.
    """
    if id(loop) in _patched:
        return
    with _patch_lock:
        if id(loop) in _patched:
            return
        import nest_asyncio

        nest_asyncio.apply(loop)
        _patched.add(id(loop))
