"""``flyte.map``: one task over many inputs, in parallel, results in input order.

Three ways to consume it, one engine (:meth:`MapCall.stream`):

* ``for r in flyte.map(task, xs)`` / ``list(flyte.map(...))`` from sync code, including
  inside an async task (the loop is re-entered, so nothing freezes);
* ``async for r in flyte.map.aio(task, xs)``;
* ``await flyte.map(task, xs)`` for the list.

``concurrency=N`` runs exactly N workers, so at most N of the map's actions run at
once and a new one starts as soon as any finishes; ``0`` starts them all at once.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator, Sized
from dataclasses import replace
from typing import Any

from .._checks import is_int_at_least
from ..errors import ActionLimitError, TaskCallError
from ._context import current
from ._records import CallSite, enclosing_function
from ._sync import run_sync
from ._task import TaskTemplate

#: items an unbounded map in a container starts between two turns of its loop
_BATCH = 1024


class MapCall:
    """The result of ``flyte.map(...)``: iterate it, ``async for`` it, or await it for a list."""

    def __init__(
        self,
        func: TaskTemplate[Any, Any] | functools.partial[Any],
        iterables: tuple[Iterable[Any], ...],
        *,
        group_name: str | None,
        concurrency: int,
        return_exceptions: bool,
        site: CallSite | None,
    ) -> None:
        self.task, self._fixed_args, self._fixed_kwargs = _unwrap(func)
        if not iterables:
            raise TaskCallError(f"flyte.map({self.task.name}, ...) needs at least one iterable of inputs")
        for position, iterable in enumerate(iterables, start=1):
            try:
                iter(iterable)
            except TypeError:
                raise TaskCallError(
                    f"flyte.map input {position} is not iterable (got {type(iterable).__name__} {iterable!r}); "
                    "pass a list, range or other iterable with one item per action"
                ) from None
        if not is_int_at_least(concurrency, 0):
            raise TaskCallError(f"flyte.map concurrency must be an int >= 0 (0 means no limit), got {concurrency!r}")
        if group_name is not None and (not isinstance(group_name, str) or not group_name.strip()):
            raise TaskCallError(f"flyte.map group_name must be a non-empty str, got {group_name!r}")
        self.iterables = iterables
        self.concurrency = concurrency
        self.return_exceptions = bool(return_exceptions)
        self.group_name = group_name or f"map {self.task.short_name}"
        self.site = site

    # ------------------------------------------------------------------ consuming
    def __iter__(self) -> Iterator[Any]:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        try:
            asyncio.get_running_loop()
            has_loop = True
        except RuntimeError:
            has_loop = False
        if not has_loop and current.get() is None:
            # a plain script outside any run: one event loop for the whole map
            yield from asyncio.run(self._collect())
            return
        stream = self.stream()
        try:
            while True:
                try:
                    item = run_sync(_next(stream))
                except StopAsyncIteration:
                    return
                yield item
        finally:
            run_sync(stream.aclose())

    def __await__(self) -> Generator[Any, None, list[Any]]:
        return self._collect().__await__()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self.stream()

    async def _collect(self) -> list[Any]:
        return [item async for item in self.stream()]

    async def stream(self) -> AsyncGenerator[Any, None]:
        """Yield each input's result (or exception, with ``return_exceptions``) in order."""
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        ctx = current.get()
        items = zip(*self.iterables)  # noqa: B905 - like Flyte and zip: stops at the shortest
        if ctx is None:
            async for outcome in self._outside_run(items):
                yield outcome
            return
        controller = ctx.controller
        group = controller.map_group(ctx.action.id, self.group_name, self.concurrency, self.site, self._known_length())
        map_ctx = replace(ctx, group=group)
        task, fixed, fixed_kw = self.task, self._fixed_args, self._fixed_kwargs

        def submission(values: tuple[Any, ...]) -> Any:
            try:
                args, kwargs = task.check_call(fixed + values, fixed_kw)  # each item's inputs converted
            except TaskCallError:
                raise  # arguments the task does not take: the map fails
            except TypeError as exc:  # a value that does not fit its annotation: this item's failure, as in the SDK
                return _failed(exc)
            return controller.submit(task, args, kwargs, map_ctx, None)

        if self.concurrency == 0:
            async for outcome in self._unbounded(items, submission, controller):
                yield outcome
            return

        # Bounded: exactly `concurrency` workers pulling items lazily, so at most that many
        # actions run and a slot is refilled the moment any action ends.
        results: dict[int, tuple[bool, Any]] = {}
        failures: list[BaseException] = []  # item failures, when they end the map (fail fast)
        aborted: list[BaseException] = []  # why a worker stopped early: cancelled, bad inputs
        progress = asyncio.Event()
        fail_fast = not self.return_exceptions
        numbered = enumerate(items)
        ended = 0

        async def worker() -> None:
            __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
            for index, values in numbered:
                # a turn of the loop per item: an action whose body never awaits ends in the
                # step that started it, and without this one worker would run every item
                # while holding the loop (starving its sibling workers and the kernel)
                await asyncio.sleep(0)
                try:
                    value = await submission(values)
                except (asyncio.CancelledError, TaskCallError, ActionLimitError):
                    raise  # cancelled, inputs that do not fit the task, the run's limit: the map fails
                except Exception as exc:  # the action's failure is this item's outcome
                    results[index] = (False, exc)
                    if fail_fast:
                        failures.append(exc)
                else:
                    results[index] = (True, value)
                progress.set()

        def worker_ended(future: asyncio.Future[None]) -> None:
            nonlocal ended
            ended += 1
            if future.cancelled():
                aborted.append(asyncio.CancelledError())
            elif (exc := future.exception()) is not None:
                aborted.append(exc)
            progress.set()

        workers = [asyncio.ensure_future(worker()) for _ in range(self.concurrency)]
        for future in workers:
            future.add_done_callback(worker_ended)
        try:
            index = 0
            while True:
                while index not in results:
                    if aborted:
                        raise aborted[0]
                    if failures:  # like gather: the first failure ends the map at once
                        raise failures[0]
                    if ended == len(workers):
                        return  # inputs exhausted
                    progress.clear()
                    await progress.wait()
                ok, value = results.pop(index)
                index += 1
                if not ok and fail_fast:
                    raise value
                yield value
        finally:
            _cancel_all(workers)

    async def _unbounded(
        self, items: Iterator[tuple[Any, ...]], submission: Any, controller: Any
    ) -> AsyncIterator[Any]:
        """One asyncio task per item, all started now (as gather does), read in order.

        Nothing per item beyond the task itself (this path must stay as lean as gather at
        100,000 items). Without ``return_exceptions`` the first failure cancels the rest,
        which wakes the reader, who then raises that failure.
        """
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        # no more tasks than the run may still start actions: an endless input (itertools.count())
        # ends at the run's action limit, which fails the run, instead of exhausting memory
        room = controller.actions_left()
        if room is not None:
            futures: list[asyncio.Future[Any] | None] = [
                asyncio.ensure_future(submission(v)) for v in itertools.islice(items, room)
            ]
            if len(futures) == room and next(items, None) is not None:
                _cancel_all(futures)
                raise controller.refuse(self.task.name)
        else:  # in a container the kernel holds the limit: its refusal cancels this action, and
            # a turn of the loop after each batch lets that cancellation stop an endless input
            futures = []
            for batch in iter(lambda: list(itertools.islice(items, _BATCH)), []):
                futures.extend(asyncio.ensure_future(submission(v)) for v in batch)
                if len(batch) == _BATCH:
                    await asyncio.sleep(0)
        failures: list[BaseException] = []
        if not self.return_exceptions:

            def fail_fast(future: asyncio.Future[Any]) -> None:
                if failures or future.cancelled():
                    return
                error = future.exception()
                if error is not None:
                    failures.append(error)
                    _cancel_all(futures)

            for future in futures:
                if future is not None:  # all are set here; the loop below drops them as it goes
                    future.add_done_callback(fail_fast)
        try:
            for index, future in enumerate(futures):
                assert future is not None
                try:
                    value = await future
                except asyncio.CancelledError:
                    if failures:
                        raise failures[0] from None
                    raise
                except (TaskCallError, ActionLimitError):
                    raise  # inputs that do not fit the task, the run's limit: never an item's outcome
                except Exception as exc:
                    if not self.return_exceptions:
                        raise
                    value = exc
                futures[index] = None  # let the finished task go
                yield value
        finally:
            _cancel_all([f for f in futures if f is not None])

    async def _outside_run(self, items: Iterator[tuple[Any, ...]]) -> AsyncIterator[Any]:
        """Outside a run a task is its function: call it for each input, in order."""
        task = self.task
        for values in items:
            args = self._fixed_args + values
            try:
                if task.is_async:
                    value = await task.func(*args, **self._fixed_kwargs)
                else:
                    value = await asyncio.to_thread(task.func, *args, **self._fixed_kwargs)
            except Exception as exc:
                if not self.return_exceptions:
                    raise
                value = exc
            yield value

    def _known_length(self) -> int:
        """The number of items, when every input can tell its length without being consumed."""
        sized = [iterable for iterable in self.iterables if isinstance(iterable, Sized)]
        if len(sized) < len(self.iterables):
            return 0
        try:
            return min(len(iterable) for iterable in sized)
        except TypeError:  # a __len__ that does not answer an int
            return 0

    def __repr__(self) -> str:
        limit = self.concurrency or "unlimited"
        return f"<flyte.map {self.task.name} group={self.group_name!r} concurrency={limit}>"


async def _failed(error: BaseException) -> Any:
    raise error


class _Mapper:
    """``flyte.map``: call it for a :class:`MapCall`, or use ``flyte.map.aio`` for an async
    iterator."""

    def __call__(
        self,
        func: TaskTemplate[Any, Any] | functools.partial[Any],
        *iterables: Iterable[Any],
        group_name: str | None = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
    ) -> MapCall:
        """Run ``func`` once per item of ``iterables`` (zipped), up to ``concurrency`` at once
        (0: no limit). With ``return_exceptions`` (the default) a failed item yields its
        exception; otherwise the first failure is raised and the rest are cancelled."""
        return MapCall(
            func,
            iterables,
            group_name=group_name,
            concurrency=concurrency,
            return_exceptions=return_exceptions,
            site=_site(),
        )

    def aio(
        self,
        func: TaskTemplate[Any, Any] | functools.partial[Any],
        *iterables: Iterable[Any],
        group_name: str | None = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
    ) -> AsyncIterator[Any]:
        """``async for result in flyte.map.aio(task, items, concurrency=N)``."""
        return self(
            func, *iterables, group_name=group_name, concurrency=concurrency, return_exceptions=return_exceptions
        ).stream()

    def __repr__(self) -> str:
        return "flyte.map"


map = _Mapper()  # noqa: A001 - the Flyte 2 name


def _unwrap(func: Any) -> tuple[TaskTemplate[Any, Any], tuple[Any, ...], dict[str, Any]]:
    if isinstance(func, functools.partial):
        inner, args, kwargs = _unwrap(func.func)
        return inner, args + func.args, {**kwargs, **func.keywords}
    if isinstance(func, TaskTemplate):
        return func, (), {}
    raise TaskCallError(
        f"flyte.map needs a task (a function decorated with @env.task) or a functools.partial of one, "
        f"got {type(func).__name__} {getattr(func, '__name__', func)!r}"
    )


async def _next(stream: AsyncIterator[Any]) -> Any:
    return await stream.__anext__()


def _cancel_all(futures: Iterable[asyncio.Future[Any] | None]) -> None:
    for future in futures:
        if future is None:  # already dropped by its consumer
            continue
        if not future.done():
            future.cancel()
        elif not future.cancelled():
            future.exception()  # mark as retrieved: its outcome was delivered or is moot


def _site() -> CallSite | None:
    """Where the user called flyte.map (or flyte.map.aio, which goes through __call__)."""
    frame = sys._getframe(2)
    if frame.f_code is _Mapper.aio.__code__ and frame.f_back is not None:
        frame = frame.f_back
    return CallSite(frame.f_code.co_filename, frame.f_lineno, enclosing_function(frame.f_code))
