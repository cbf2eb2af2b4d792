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
from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager
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
        hold = getattr(_thread, "hold", None)
        if hold is None:
            return asyncio.run_coroutine_threadsafe(coro, run_loop).result()
        # a sync task body in flyte_nb's thread pool: while it waits for its children, its
        # thread does not count against the pool (they get threads; see executors._threads)
        with hold():
            return asyncio.run_coroutine_threadsafe(coro, run_loop).result()
    return asyncio.run(coro)


# what a thread pool gives its threads to call while their body blocks in run_sync
_thread = threading.local()


def set_thread_hold(hold: Callable[[], AbstractContextManager[None]] | None) -> None:
    """Set (or clear, with None) what this thread enters while it blocks on a run's loop."""
    _thread.hold = hold


def reenter(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on ``loop`` from code the loop itself is running, letting every other
    task on the loop progress meanwhile."""
    __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
    allow_reentry(loop)
    global _depth
    _depth += 1
    try:
        return loop.run_until_complete(coro)
    finally:
        _depth -= 1
        if not _depth and _deferred:
            # back in the outer step: run them first thing on the loop's next turn
            # the loop's ready queue is private to asyncio (typeshed leaves it out)
            loop._ready.extendleft(reversed(_deferred))  # type: ignore[attr-defined]
            _deferred.clear()


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
        _defer_entered_contexts()
        _patched.add(id(loop))


# Re-entering a loop runs callbacks from inside another callback's step. A callback whose
# contextvars.Context is the one that outer step is running in cannot run there ("cannot
# enter context: ... is already entered"); ipykernel 7 schedules every shell message's
# handler in one shared Context, so this happens whenever the front end sends a message
# (a widget's comm message) during run.wait(). Such callbacks wait until the nested loop
# returns, then run first: the same order a blocking cell gives shell messages anyway.
_depth = 0
_deferred: list[asyncio.Handle] = []
_handle_run = asyncio.Handle._run


def _noop() -> None:
    return None


def _run_unless_entered(handle: asyncio.Handle) -> None:
    # the Context a callback runs in is private to asyncio (typeshed leaves it out)
    context = handle._context if _depth else None  # type: ignore[attr-defined]
    if context is not None:
        try:
            context.run(_noop)
        except RuntimeError:
            _deferred.append(handle)
            return
    _handle_run(handle)


def _defer_entered_contexts() -> None:
    # a patch of asyncio's own method, as nest_asyncio does; typeshed types Handle._run as unassignable
    asyncio.Handle._run = _run_unless_entered  # type: ignore[method-assign, assignment]
