"""The threads sync task bodies run in: a body that waits for its own children never starves them.

A sync task that calls another task blocks its thread until the child's action ends. With a
plain pool of N threads, N such parents hold every thread while their children wait for one:
a map of sync parents or a deep sync recursion deadlocks. This pool counts only threads that
are *running* a body against its limit. A body blocked waiting for child actions (in
``run_sync``, which tells the pool) gives its place to its descendants, so they always get a
thread: at most ``max_threads`` bodies run at once, and a chain of N nested sync calls uses N
threads (each waiting parent keeps its own, very deep nesting included). Work that is not a
descendant of a waiting body (the next item of a map) does not take a waiting body's place:
it starts when the running and the waiting together are under the limit, so a map of 1,000
sync parents holds about ``max_threads`` parents at a time, not 1,000 threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..model._sync import set_thread_hold

#: idle threads beyond the limit end after this long without work (extra ones made for nesting)
IDLE_EXIT_S = 5.0

# every live pool, so an action that starts waiting can promote its queued descendants in each
_pools: weakref.WeakSet[SyncThreadPool] = weakref.WeakSet()
_registry_lock = threading.Lock()
# actions whose body waits for child actions right now (by id of the record): how many threads
_waiting: dict[int, int] = {}


@dataclass(eq=False, slots=True)
class _Item:
    """One body to run: the call, where its result goes, and the actions it descends from."""

    call: Callable[[], Any]
    future: asyncio.Future[Any]  # on the submitting loop: settled from the thread through it
    action: int  # id() of the action's record
    ancestors: tuple[int, ...]
    taken: bool = False
    nested: bool = False


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def _settle_soon(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    """Give ``future`` its outcome on its own loop (a closed loop has nobody waiting)."""
    _on_its_loop(future, _settle, future, value, error)


def _on_its_loop(future: asyncio.Future[Any], callback: Callable[..., Any], *args: Any) -> None:
    try:
        future.get_loop().call_soon_threadsafe(callback, *args)
    except RuntimeError:  # its loop is closed: nobody waits for it any more
        pass


class SyncThreadPool:
    """Runs sync bodies in threads; ``submit`` returns a future of the body's result on the calling loop."""

    def __init__(self, max_threads: int, name: str = "flyte_nb-sync") -> None:
        self._max = max_threads
        self._name = name
        self._cond = threading.Condition(threading.Lock())
        self._fresh: deque[_Item] = deque()  # no ancestor waiting: within the limit with the waiting
        self._nested: deque[_Item] = deque()  # an ancestor waits for it: within the limit of running
        # fresh items by each of their ancestors (by id() of both), to promote them at once
        self._by_ancestor: dict[int, dict[int, _Item]] = {}
        self._running = 0
        self._waiting = 0
        self._idle = 0
        self._threads = 0
        self._closed = False
        #: the most threads this pool had at once (for tests and benchmarks)
        self.peak_threads = 0
        with _registry_lock:
            _pools.add(self)

    # ------------------------------------------------------------------ submitting
    def submit(
        self, ctx: contextvars.Context, func: Callable[..., Any], args: tuple, kwargs: dict, lineage: list[int]
    ) -> asyncio.Future[Any]:
        """Run ``func(*args, **kwargs)`` in ``ctx`` on a thread; await the returned future (of
        the running loop) for its result. ``lineage``: id() of the action's record, then of each
        ancestor's, nearest first. Cancelling the future drops the body if it has not started."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        item = _Item(lambda: ctx.run(func, *args, **kwargs), future, lineage[0], tuple(lineage[1:]))
        with self._cond:
            if self._closed:
                raise RuntimeError("this thread pool is shut down")
            nested = False
            if _waiting:  # a plain read first: most runs never have a waiting body
                with _registry_lock:
                    nested = any(a in _waiting for a in item.ancestors)
            if nested:
                item.nested = True
                self._nested.append(item)
            else:
                self._fresh.append(item)
                for ancestor in item.ancestors:
                    self._by_ancestor.setdefault(ancestor, {})[id(item)] = item
            self._kick()
        return future

    def shutdown(self) -> None:
        """Cancel queued bodies and let every thread end (running bodies finish on their own)."""
        with self._cond:
            self._closed = True
            for item in (*self._fresh, *self._nested):
                if not item.taken:
                    item.taken = True
                    _on_its_loop(item.future, item.future.cancel)
            self._fresh.clear()
            self._nested.clear()
            self._by_ancestor.clear()
            self._cond.notify_all()

    # ------------------------------------------------------------------ waiting bodies
    def _promote(self, action: int) -> None:
        """``action`` started waiting: its queued descendants may take its place now."""
        with self._cond:
            items = self._by_ancestor.pop(action, None)
            if items:
                for item in items.values():
                    if not item.taken and not item.nested:
                        item.nested = True
                        self._nested.append(item)
            self._kick()

    @contextlib.contextmanager
    def _waiting_body(self, action: int) -> Iterator[None]:
        with self._cond:
            self._running -= 1
            self._waiting += 1
        with _registry_lock:
            _waiting[action] = _waiting.get(action, 0) + 1
            pools = list(_pools)
        for pool in pools:
            pool._promote(action)
        try:
            yield
        finally:
            with _registry_lock:
                left = _waiting[action] - 1
                if left:
                    _waiting[action] = left
                else:
                    del _waiting[action]
            with self._cond:
                self._waiting -= 1
                self._running += 1  # may pass the limit for a moment: the body goes on at once

    # ------------------------------------------------------------------ threads
    def _take(self) -> _Item | None:
        """The next body this thread may start, by the limits above (called with the lock)."""
        if self._running < self._max:
            while self._nested:
                item = self._nested.popleft()
                if not item.taken:
                    item.taken = True
                    return item
        if self._running + self._waiting < self._max:
            while self._fresh:
                item = self._fresh.popleft()
                if not item.taken:
                    item.taken = True
                    for ancestor in item.ancestors:
                        siblings = self._by_ancestor.get(ancestor)
                        if siblings is not None:
                            siblings.pop(id(item), None)
                            if not siblings:
                                del self._by_ancestor[ancestor]
                    return item
        return None

    def _startable(self) -> bool:
        return bool(
            (self._nested and self._running < self._max) or (self._fresh and self._running + self._waiting < self._max)
        )

    def _kick(self) -> None:
        """Wake an idle thread, or start one, when a queued body may start (with the lock)."""
        if not self._startable():
            return
        if self._idle:
            self._cond.notify()
            return
        self._threads += 1
        self.peak_threads = max(self.peak_threads, self._threads)
        thread = threading.Thread(target=self._work, name=f"{self._name}-{self._threads}", daemon=True)
        thread.start()

    def _work(self) -> None:
        hold = self._waiting_body
        try:
            while True:
                with self._cond:
                    item = self._take()
                    while item is None:
                        if self._closed or self._idle >= self._max:
                            return
                        self._idle += 1
                        woken = self._cond.wait(IDLE_EXIT_S)
                        self._idle -= 1
                        item = self._take()
                        if item is None and not woken and self._threads > self._max:
                            return  # an extra thread made for nesting, idle: let it go
                    self._running += 1
                if item.future.done():  # cancelled while queued (a benign race: read only)
                    with self._cond:
                        self._running -= 1
                        self._kick()
                    continue
                action = item.action
                set_thread_hold(functools.partial(hold, action))
                try:
                    _settle_soon(item.future, item.call(), None)
                except BaseException as exc:  # the body's failure is its future's, whatever it is
                    _settle_soon(item.future, None, exc)
                finally:
                    set_thread_hold(None)
                    item = None  # drop the body's references
                    with self._cond:
                        self._running -= 1
                        self._kick()
        finally:
            with self._cond:
                self._threads -= 1
