"""The per-run orchestrator: the action tree, states, limits, retries, timeouts, cancel.

A :class:`Controller` lives on the event loop that is already running (the kernel's, or
the one a script starts) and never blocks it. Task calls inside a run come here through
:meth:`Controller.submit`; the controller admits the action (action limit, group), waits
for a run-wide slot if the run has one, then runs attempts through its executor, applying
per-attempt timeouts and retries with backoff, and keeps aggregate counters current so
monitoring costs nothing per action.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import sys
import time
from array import array
from types import CodeType, TracebackType
from typing import TYPE_CHECKING, Any, cast

from ..errors import (
    ActionFailure,
    FlyteNbError,
    MaxQueuedTimeExceededError,
    action_failure_of,
    as_runtime_user_error,
)
from ..executors._base import ActionSpec, Executor
from ..model._context import ActionContext, RunInfo, current, effective_custom_context
from ..model._exits import user_exit
from ..model._limits import DEFAULT_MAX_ACTIONS, RunLimits, action_limit_error  # noqa: F401 - DEFAULT_MAX_ACTIONS: re-exported
from ..model._records import (
    STATES,
    TERMINAL,
    ActionRecord,
    AttemptRecord,
    CallSite,
    GroupRecord,
    State,
    TraceRecord,
    caller_site,
    enclosing_function,
    error_info,
)
from ._cluster_watch import ClusterWatch
from ._deadline import attempt_with_timeout, deadline_scope
from ._events import EventStream, RunSnapshot, snapshot_of
from ._retry import backoff_past_deadline, is_retryable

if TYPE_CHECKING:
    from ..data._run_data import RunData
    from ..model._cluster_info import ClusterInfo
    from ..model._task import TaskTemplate

#: How long a run waits for its leftover actions to acknowledge cancellation.
WIND_DOWN_S = 2.0

_monotonic = time.monotonic
_RUNNING = State.RUNNING
_QUEUED = State.QUEUED


class Controller:
    """Orchestrates one run. Two runs never share a controller, records or limits."""

    def __init__(
        self,
        name: str,
        executor: Executor,
        limits: RunLimits | None = None,
        data: RunData | None = None,
        info: RunInfo | None = None,
    ) -> None:
        self.name = name
        #: what the run's actions read of it through flyte.ctx() (start time, custom context...)
        self.run_info = info or RunInfo(name)
        self.executor = executor
        self.limits = limits or RunLimits()
        #: the run's store, cache and checkpoints (None: nothing is stored)
        self.data = data
        self._siblings: dict[tuple[int, Any], int] = {}
        # each action's place among the calls of its task by its parent, by action id (a
        # compact array: 4 bytes an action instead of an int object on every record)
        self._seq = array("I", [0])
        self._trace_calls: dict[tuple[int, str], int] = {}
        self.actions: list[ActionRecord] = []
        #: asyncio.Semaphores created by this run's code (see orchestrator._semaphores)
        self.semaphores: list[Any] = []
        self.groups: list[GroupRecord] = []
        self.counts: dict[str, int] = dict.fromkeys(STATES, 0)
        self.rejected = 0
        self.peak_running = 0  # most actions running at once, so far
        self.phase: str = State.QUEUED
        self.version = 0
        self.done = False
        self.started_at = 0.0
        self.ended_at = 0.0
        self.events = EventStream(self)
        self.cancel_reason: str | None = None
        #: what fails the whole run whatever its code does (the action limit), once it happened
        self.failure: BaseException | None = None
        self._site_groups: dict[tuple[Any, ...], GroupRecord] = {}
        self._named_groups: dict[tuple[int, str], GroupRecord] = {}
        self._group_ids = itertools.count()
        self._slots: asyncio.Semaphore | None = None
        #: one lock per cache key of the tasks with Cache(serialize=True)
        self._serial_locks: dict[str, asyncio.Lock] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._root_executor: Executor = executor
        #: the cluster the run's actions use, as last seen (executors that report one)
        self.cluster: ClusterInfo | None = None
        self._cluster_watch = ClusterWatch(self)

    # ------------------------------------------------------------------ the run
    @property
    def root(self) -> ActionRecord | None:
        return self.actions[0] if self.actions else None

    async def run_root(
        self,
        task: TaskTemplate,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        entry_executor: Executor | None = None,
    ) -> Any:
        """Run ``task`` as this run's entry action and return its output.

        ``entry_executor`` runs the entry action's body instead of the run's executor (a
        notebook cell drives a run on its own loop with a local executor, whatever the
        backend); its children still go to the run's executor.
        """
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        if entry_executor is not None:
            self._root_executor = entry_executor
        if self.actions:
            raise FlyteNbError(f"run {self.name} has already started; start a new run instead")
        if self.limits.max_action_concurrency:
            self._slots = asyncio.Semaphore(self.limits.max_action_concurrency)
        self.loop = asyncio.get_running_loop()
        self.started_at = _monotonic()
        group = self._new_group(task.short_name, "root", None, None)
        rec = ActionRecord(0, task, None, group, queued=self.started_at)
        rec.custom_context = self.run_info.custom_context
        self._admitted(rec)
        self.phase = State.RUNNING
        self._cluster_watch.start()
        try:
            result = await self._execute(rec, args, kwargs)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            await self._wind_down("the run was cancelled")
            if self.failure is not None:  # cancelled because of it: the run failed
                self._end(State.FAILED)
                raise self.failure from None
            self._end(State.CANCELLED)
            raise
        except BaseException:
            await self._wind_down("the run's entry action failed")
            if self.failure is not None:  # whatever the code made of it, this is why
                self._end(State.FAILED)
                raise self.failure from None
            self._end(State.CANCELLED if self.cancel_reason else State.FAILED)
            raise
        await self._wind_down("the run's entry action returned without awaiting them")
        if self.failure is not None:  # the code caught it and returned: the run failed all the same
            self._end(State.FAILED)
            raise self.failure
        self._end(State.SUCCEEDED)
        return result

    async def _wind_down(self, reason: str) -> None:
        """Cancel actions still going when the entry action ends (abandoned by a failed
        gather, or never awaited) and wait, briefly, until each has a final state."""
        me = asyncio.current_task()
        pending = {
            rec.handle
            for rec in self.actions
            if rec.state not in TERMINAL and rec.handle is not None and rec.handle is not me
        }
        if pending:
            for handle in pending:
                handle.cancel(reason)
            try:
                await asyncio.wait(pending, timeout=WIND_DOWN_S)
            except asyncio.CancelledError:
                pass  # cancelled again while winding down: finish the bookkeeping below
        for rec in self.actions:
            if rec.state not in TERMINAL:  # e.g. a sync body still in its thread: abandoned
                rec.ended = _monotonic()
                self._move(rec, State.CANCELLED)
        await self._cluster_watch.stop()  # the cluster's final numbers, before the run ends

    def cancel(self, reason: str = "cancelled by the user") -> bool:
        """Cancel the run: running actions are cancelled, queued ones never start.

        Returns False when the run had already ended.
        """
        if self.done:
            return False
        if self.cancel_reason is None:
            self.cancel_reason = reason
        for rec in self.actions:
            handle = rec.handle
            if handle is not None and not handle.done():
                handle.cancel(reason)
        self.changed()
        return True

    def _end(self, phase: str) -> None:
        self.phase = phase
        self.ended_at = _monotonic()
        self.done = True
        self.changed()

    # ------------------------------------------------------------------ actions
    async def submit(
        self,
        task: TaskTemplate,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ctx: ActionContext,
        site: tuple[CodeType, int] | None,
    ) -> Any:
        """Start ``task(*args, **kwargs)`` as a child of ``ctx.action`` and return its output."""
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        if self.cancel_reason is not None:
            raise asyncio.CancelledError(self.cancel_reason)
        actions = self.actions
        if len(actions) > self.limits.max_actions:
            raise self.refuse(task.name)
        parent = ctx.action
        if parent.holds_slot:
            parent.holds_slot = False
            self._release_slot()
        group = ctx.group or self._site_group(parent.id, task, site)
        rec = ActionRecord(len(actions), task, parent.id, group, queued=_monotonic())
        rec.custom_context = effective_custom_context(ctx)
        sibling = (parent.id, task)
        seq = self._siblings.get(sibling, 0)
        self._siblings[sibling] = seq + 1
        self._seq.append(seq)
        self._admitted(rec)
        return await self._execute(rec, args, kwargs)

    def actions_left(self) -> int:
        """How many more actions this run may start before it reaches its limit."""
        return max(self.limits.max_actions + 1 - len(self.actions), 0)

    def refuse(self, task: str) -> BaseException:
        """Refuse to start ``task`` past the action limit: the run fails with the returned
        :class:`ActionLimitError` (raise it), however the caller handles it."""
        self.rejected += 1
        error = action_limit_error(self.name, task, self.limits.max_actions)
        if self.failure is None and not self.done:
            self.failure = error
            self.cancel(f"the run reached its limit of {self.limits.max_actions:,} actions")
        self.changed()
        return error

    def action_path(self, rec: ActionRecord) -> str:
        """A stable address of an action within its run (``main/process.3/fetch.0``): the
        same code reaches the same path when the run is run again."""
        parts = []
        while True:
            parts.append(f"{rec.task.short_name}.{self._seq[rec.id]}")
            if rec.parent is None:
                break
            rec = self.actions[rec.parent]
        return "/".join(reversed(parts))

    def _admitted(self, rec: ActionRecord) -> None:
        self.actions.append(rec)
        group = rec.group
        group.members.append(rec)
        group.total += 1
        group.counts[_QUEUED] += 1
        self.counts[_QUEUED] += 1
        self.changed()

    async def _execute(self, rec: ActionRecord, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        task = rec.task
        data = self.data
        cache_key = data.cache_key(task, args, kwargs) if data is not None and task.cache else None
        if cache_key is None or task.cache is None or not task.cache.serialize:
            return await self._attempts(rec, args, kwargs, cache_key)
        # Cache(serialize=True): identical calls of this run wait for the first one, then
        # find its output in the cache
        lock = self._serial_locks.setdefault(cache_key, asyncio.Lock())
        rec.handle = asyncio.current_task()
        async with lock:
            return await self._attempts(rec, args, kwargs, cache_key)

    async def _attempts(
        self, rec: ActionRecord, args: tuple[Any, ...], kwargs: dict[str, Any], cache_key: str | None
    ) -> Any:
        __tracebackhide__ = True
        task = rec.task
        timeout = task.timeout
        # Timeout.__post_init__ turned each bound into float seconds (or None)
        max_runtime = cast("float | None", timeout.max_runtime)
        max_queued = cast("float | None", timeout.max_queued_time)
        total = cast("float | None", timeout.deadline)
        retries = task.retries
        executor = self.executor if rec.parent is not None else self._root_executor
        data = self.data
        try:
            if data is not None and cache_key is not None:
                rec.handle = asyncio.current_task()
                cached = await data.cached(cache_key, task)
                if not data.is_miss(cached):
                    rec.ended = _monotonic()
                    self._move(rec, State.CACHED)
                    return cached
            if self._slots is not None and rec.parent is not None:
                await self._take_slot(rec, max_queued)
            rec.handle = asyncio.current_task()
            now = _monotonic()
            deadline = now + total if total else None
            # an executor that knows when the body really starts (after a scheduler's queue)
            # says so; the action stays queued until then
            started = functools.partial(self._started, rec) if executor.capabilities.reports_start else None
            if started is None:
                self._started(rec)
            while True:
                rec.attempts += 1
                token = current.set(ActionContext(self, rec))
                failed: BaseException | None = None
                try:
                    spec = ActionSpec(
                        rec, task, args, kwargs, rec.attempts, data=self.data, started=started, info=self.run_info
                    )
                    if max_runtime or deadline:
                        result = await attempt_with_timeout(executor, spec, max_runtime, deadline)
                    else:
                        result = await executor.submit(spec)
                except asyncio.CancelledError:
                    raise
                except (SystemExit, KeyboardInterrupt) as stop:
                    exit_error = user_exit(stop, task.name)
                    if exit_error is None:  # a real interrupt: it cancels the run (below)
                        raise
                    self._fail(rec, exit_error)  # the code's own exit: never the kernel's end
                    raise exit_error from None
                except Exception as exc:
                    if self._should_retry(rec, exc, deadline):
                        delay = retries.backoff.delay(rec.attempts - 1) if retries.backoff else 0.0
                        late = backoff_past_deadline(
                            rec.name, rec.id, rec.attempts + 1, delay, deadline, total, _monotonic(), exc
                        )
                        if late is None:
                            self._record_attempt(rec, exc)
                            if delay:
                                await asyncio.sleep(delay)
                            continue
                        self._fail(rec, late)
                        raise late from exc
                    self._fail(rec, exc)
                    failed = as_runtime_user_error(exc)
                    if failed is exc:
                        raise
                finally:
                    current.reset(token)
                    if spec.timings:
                        rec.timings = spec.timings
                if failed is not None:
                    # raised here, outside the except block, so the copy's cause and context
                    # stay the original's; its traceback is the original's
                    raise failed.with_traceback(_below_this_frame(failed.__traceback__))
                if data is not None and cache_key is not None:
                    await data.remember(cache_key, result, task)
                self._started(rec)  # in case the executor's word came after its result
                rec.ended = _monotonic()
                self._move(rec, State.SUCCEEDED)
                return result
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            # an interrupt can land in any action's code; it ends that action as cancelled
            if rec.state not in TERMINAL:
                rec.ended = _monotonic()
                self._move(rec, State.CANCELLED)
            raise
        finally:
            rec.handle = None
            if rec.holds_slot:
                rec.holds_slot = False
                self._release_slot()

    def _release_slot(self) -> None:
        slots = self._slots
        assert slots is not None  # an action holds a slot only in a run that has them
        slots.release()

    async def _take_slot(self, rec: ActionRecord, max_queued: float | None) -> None:
        slots = self._slots
        assert slots is not None
        rec.handle = asyncio.current_task()
        if max_queued:
            async with deadline_scope(max_queued) as scope:
                await slots.acquire()
            if scope.expired:
                raise MaxQueuedTimeExceededError(
                    f"action {rec.name} #{rec.id} waited {max_queued:g} s for a slot of the run's "
                    "max_action_concurrency without getting one (its max_queued_time); raise the limit "
                    "or the timeout",
                    action=rec.name,
                    seconds=max_queued,
                )
        else:
            await slots.acquire()
        rec.holds_slot = True

    def _should_retry(self, rec: ActionRecord, exc: Exception, deadline: float | None) -> bool:
        if rec.attempts > rec.task.retries.count or self.cancel_reason is not None:
            return False
        if not is_retryable(exc):
            return False
        return deadline is None or _monotonic() < deadline

    def _record_attempt(self, rec: ActionRecord, exc: BaseException) -> None:
        if rec.history is None:
            rec.history = []
        started = rec.history[-1].ended if rec.history else rec.started
        rec.history.append(AttemptRecord(rec.attempts, started, _monotonic(), State.FAILED, error_info(exc)))
        self.changed()

    def _fail(self, rec: ActionRecord, exc: BaseException) -> None:
        rec.ended = _monotonic()
        info = error_info(exc)
        rec.error = info
        if rec.history is not None:
            started = rec.history[-1].ended
            rec.history.append(AttemptRecord(rec.attempts, started, rec.ended, State.FAILED, info))
        if action_failure_of(exc) is None:
            total = rec.task.retries.count + 1
            failure = ActionFailure(rec.name, rec.id, rec.attempts, total, info.traceback)
            try:
                # any exception type: its class declares no such attribute
                exc.__flyte_action__ = failure  # type: ignore[attr-defined]
                if hasattr(exc, "add_note"):
                    exc.add_note(
                        f"flyte_nb: raised by action {rec.name} #{rec.id} (attempt {rec.attempts} of "
                        f"{total}) in run {self.name}"
                    )
            except AttributeError:  # an exception type without __dict__: keep it as it is
                pass
        self._move(rec, State.FAILED)

    def _started(self, rec: ActionRecord) -> None:
        """The action's body started (once; later attempts keep it running)."""
        if rec.state == State.QUEUED:
            rec.started = _monotonic()
            self._move(rec, _RUNNING)

    def _move(self, rec: ActionRecord, state: str) -> None:
        old = rec.state
        counts = self.counts
        counts[old] -= 1
        counts[state] += 1
        group = rec.group
        group_counts = group.counts
        group_counts[old] -= 1
        group_counts[state] += 1
        if state is _RUNNING:
            if not group.first_started:
                group.first_started = rec.started
            if group_counts[state] > group.peak_running:
                group.peak_running = group_counts[state]
            if counts[state] > self.peak_running:
                self.peak_running = counts[state]
        else:
            if rec.ended > group.last_ended:
                group.last_ended = rec.ended
            if rec.started:
                # overhead = e (admission to start) + what the executor reported (u, d, t)
                timings = rec.timings
                spent = timings.get("u", 0.0) + timings.get("d", 0.0) + timings.get("t", 0.0) if timings else 0.0
                group.timed += 1
                group.overhead_sum += rec.started - rec.queued + spent
                group.runtime_sum += rec.ended - rec.started - spent
        rec.state = state
        self.changed()

    def changed(self) -> None:
        """Something the widget shows changed: bump the version and wake the watchers."""
        self.version += 1
        if self.events._wakers:
            self.events.notify()

    # ------------------------------------------------------------------ groups
    def _new_group(
        self, name: str, kind: str, parent: int | None, site: CallSite | None, concurrency: int = 0
    ) -> GroupRecord:
        group = GroupRecord(next(self._group_ids), name, kind, parent, site, concurrency)
        self.groups.append(group)
        return group

    def _site_group(self, parent: int, task: TaskTemplate, site: tuple[CodeType, int] | None) -> GroupRecord:
        # filename and line, not the code object: code objects hash by content, slowly
        key = (parent, task, site[0].co_filename, site[1]) if site else (parent, task)
        group = self._site_groups.get(key)
        if group is None:
            where = CallSite(site[0].co_filename, site[1], enclosing_function(site[0])) if site else None
            group = self._new_group(task.short_name, "fanout", parent, where)
            self._site_groups[key] = group
        return group

    def named_group(self, parent: int, name: str) -> GroupRecord:
        """The group ``flyte.group(name)`` puts actions of ``parent`` into (made on first use)."""
        key = (parent, name)
        group = self._named_groups.get(key)
        if group is None:
            group = self._new_group(name, "group", parent, caller_site(3))
            self._named_groups[key] = group
        return group

    def map_group(
        self, parent: int, name: str, concurrency: int, site: CallSite | None, expected: int = 0
    ) -> GroupRecord:
        """A fresh group for one ``flyte.map`` call (``expected``: its item count, if known)."""
        group = self._new_group(name, "map", parent, site, concurrency)
        group.expected = expected
        return group

    # ------------------------------------------------------------------ traces
    def next_trace_call(self, rec: ActionRecord, name: str) -> int:
        """How many times ``rec`` called the traced function ``name`` before this call."""
        key = (rec.id, name)
        call = self._trace_calls.get(key, 0)
        self._trace_calls[key] = call + 1
        return call

    def record_trace(self, rec: ActionRecord, trace: TraceRecord) -> None:
        if rec.traces is None:
            rec.traces = []
        rec.traces.append(trace)
        self.changed()

    # ------------------------------------------------------------------ monitoring
    def snapshot(self) -> RunSnapshot:
        """Aggregate state now; costs O(groups), not O(actions)."""
        return snapshot_of(self)


def _below_this_frame(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` without its first entry when that is the caller's frame (re-raising there adds it again)."""
    caller = sys._getframe(1)
    return tb.tb_next if tb is not None and tb.tb_frame is caller else tb
