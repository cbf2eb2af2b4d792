"""Inside a container: task calls go back to the kernel, which runs them as child actions.

``execute`` installs a :class:`RemoteController` as the job's action context. The
task-calling code paths (``task()``, ``.aio()``, ``flyte.map``, ``flyte.group``,
``@flyte.trace``) see an object with the controller's interface; each call is encoded like
any action's inputs and sent to the kernel over a unix socket or TCP (opened on the first call,
after the handshake that proves the run's secret both ways), or through the Dask scheduler
as sealed events (``_scheduled.py``),
and the answer (the child's output or its exception) comes back the same way. Many calls
can be in flight at once over the one connection (a ``gather`` fanout from a container).
Traces are checkpointed in the run's store like the kernel's (keyed by the calling action's
path, sent with the job); they reach the kernel while the job runs (at most every 0.1 s) and
once more, final, with the job's outcome. ``asyncio.Semaphore`` is a
:class:`ReportedSemaphore` in the container: its gauge is sent to the kernel while it
changes, so the run's widget shows semaphores written inside tasks too.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..data import _layout as layout
from ..data._codec import decode, dumps, encode
from ..data._store import Store
from ..errors import ActionLimitError
from ..model._context import RunInfo, current
from ..model._gauge import GaugedSemaphore, use_semaphore
from ..wire._calls import CallAnswer, Gauge, GroupSpec, SemaphoresUpdate, SubmitCall, TracesUpdate
from ..wire._framing import receive, send
from ..wire._handshake import answer_challenge
from ..wire._scheduled import SCHEDULER_ADDRESS
from ._failures import error_of

#: seconds between two reports of a job's semaphore gauges and traces (only changes are sent)
REPORT_S = 0.1


@dataclass(frozen=True, slots=True)
class RemoteAction:
    """The calling action, as the kernel numbers it: its attempt (from 1) and custom context."""

    id: int
    attempts: int = 1
    custom_context: Mapping[str, str] | None = None


@dataclass(slots=True)
class RemoteGroup:
    """A group opened in the container; the kernel makes its own on the first call in it."""

    key: str
    kind: str
    name: str
    concurrency: int = 0
    expected: int = 0
    members: list[Any] = field(default_factory=list)

    def spec(self) -> GroupSpec:
        return GroupSpec(self.key, self.kind, self.name, self.concurrency, self.expected)


class ReportedSemaphore(GaugedSemaphore):
    """``asyncio.Semaphore`` inside a container's job: the kernel's widget shows its gauge."""

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        controller = getattr(current.get(), "controller", None)
        if isinstance(controller, RemoteController):
            code, line = sys._getframe(1).f_code, sys._getframe(1).f_lineno
            controller.watch_semaphore(self, (code.co_filename, line, code.co_name))


def report_semaphores() -> None:
    """Make ``asyncio.Semaphore`` report its gauges (this process runs only flyte_nb jobs)."""
    use_semaphore(ReportedSemaphore)


class RemoteController:
    """The controller interface task calls use, answered by the kernel over a socket."""

    def __init__(
        self,
        socket_path: str,
        token: str,
        run: str,
        parent: int,
        store: Store,
        inline_limit: int,
        path: str = "",
        *,
        secret: bytes = b"",
        on_first_call: Callable[[], None] | None = None,
        job: str = "",
    ) -> None:
        self.socket_path = socket_path  # a unix socket's path, tcp://host:port, or scheduler://
        self.job = job  # the job's key: names it to the kernel when calls go through the scheduler
        self.secret = secret  # the run's: proves this job to the kernel (and the kernel to it)
        self.on_first_call = on_first_call
        self.path = path  # the calling action's stable address in its run (for trace checkpoints)
        self.token = token
        self.run = run
        #: what flyte.ctx() shows of the run (the job's context replaces this)
        self.run_info = RunInfo(run)
        self.parent = parent
        self.store = store
        self.inline_limit = inline_limit
        self.loop = asyncio.get_running_loop()
        self.semaphores: list[Any] = []
        #: the run's actions live in the kernel; nothing here looks them up
        self.actions: list[Any] = []
        self.traces: list[Any] = []
        self._ids = itertools.count()
        self._pending: dict[int, asyncio.Future[CallAnswer]] = {}
        #: sends one message to the kernel, and ends the connection (once connected)
        self._outbox: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self._hang_up: Callable[[], None] | None = None
        self._connecting: asyncio.Future[None] | None = None
        self._task_blobs: dict[int, tuple[Any, bytes]] = {}
        self._named: dict[str, RemoteGroup] = {}
        self._watched: list[tuple[ReportedSemaphore, tuple[str, int, str]]] = []
        self._reported: list[Gauge] = []
        self._reporter: asyncio.Task[None] | None = None
        self._data: Any = None
        self._trace_calls: dict[str, int] = {}
        self._trace_version = 0
        self._traces_sent = 0

    # ------------------------------------------------------------------ the controller's interface
    async def submit(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: Any, site: Any) -> Any:
        if asyncio.get_running_loop() is not self.loop:  # a sync task body's thread
            future = asyncio.run_coroutine_threadsafe(self.submit(task, args, kwargs, ctx, site), self.loop)
            return await asyncio.wrap_future(future)
        if self.on_first_call is not None:
            first, self.on_first_call = self.on_first_call, None
            first()
        await self._connect()
        call = next(self._ids)
        base = layout.callback_folder(self.run, os.urandom(12).hex())
        message = SubmitCall(
            id=call,
            run=self.token,
            parent=self.parent,
            group=ctx.group.spec() if isinstance(ctx.group, RemoteGroup) else None,
            custom_context=dict(ctx.custom_context) if ctx.custom_context is not None else None,
            task=self._blob(task),
            args=[self._encode(value, layout.callback_arg_key(base, i)) for i, value in enumerate(args)],
            kwargs={name: self._encode(value, layout.callback_kwarg_key(base, name)) for name, value in kwargs.items()},
        )
        answer = self.loop.create_future()
        self._pending[call] = answer
        try:
            assert self._outbox is not None
            await self._outbox(message.to_dict())
            reply = await answer
        finally:
            self._pending.pop(call, None)
        if reply.ok:
            return decode(reply.payload, self.store)[0]
        assert reply.failure is not None
        raise error_of(reply.failure, "the kernel")

    def map_group(self, parent: int, name: str, concurrency: int, site: Any, expected: int = 0) -> RemoteGroup:
        return RemoteGroup(os.urandom(12).hex(), "map", name, concurrency, expected)

    def named_group(self, parent: int, name: str) -> RemoteGroup:
        group = self._named.get(name)
        if group is None:
            group = self._named[name] = RemoteGroup(os.urandom(12).hex(), "group", name)
        return group

    @property
    def data(self) -> Any:
        """The run's data (its store, trace checkpoints), made when code first needs it: an
        action that uses neither ``flyte.io`` nor traces never imports it."""
        if self._data is None:
            from ..data._run_data import RunData

            self._data = RunData(self.store, self.run)
        return self._data

    def actions_left(self) -> None:
        return None  # the kernel holds the run's action limit: its refusal cancels this action

    def refuse(self, task: str) -> BaseException:
        return ActionLimitError(f"{task}: the run's action limit is held by the kernel")

    def action_path(self, action: Any) -> str:
        return self.path

    def next_trace_call(self, action: Any, name: str) -> int:
        call = self._trace_calls.get(name, 0)
        self._trace_calls[name] = call + 1
        return call

    def record_trace(self, action: Any, trace: Any) -> None:
        self.traces.append(trace)  # reported while the job runs; its outcome has the final list
        self.changed()

    def changed(self) -> None:
        self._trace_version += 1
        self._report()

    # ------------------------------------------------------------------ live reports
    def watch_semaphore(self, semaphore: ReportedSemaphore, site: tuple[str, int, str]) -> None:
        self._watched.append((semaphore, site))
        self._report()

    def _report(self) -> None:
        """Start the reporter of gauges and traces on the job's loop (once)."""
        if self._reporter is not None:
            return
        try:
            here = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            here = False
        if here:
            self._reporter = self.loop.create_task(self._report_changes())
        else:  # a sync task body's thread
            self.loop.call_soon_threadsafe(self._report)

    def _gauges(self) -> list[Gauge]:
        return [Gauge(index, site, s.limit, s.held, s.waiting) for index, (s, site) in enumerate(self._watched)]

    async def _send_gauges(self, gauges: list[Gauge]) -> None:
        if gauges != self._reported and self._outbox is not None:
            self._reported = gauges
            await self._outbox(SemaphoresUpdate(self.token, self.parent, gauges).to_dict())

    async def _send_traces(self) -> None:
        if self._traces_sent == self._trace_version or not self.traces:
            return
        self._traces_sent = self._trace_version
        try:
            traces = dumps(self.traces)
        except Exception:  # a step's value that does not pickle: the outcome will say so
            return
        await self._connect()  # traces travel even from an action that calls no task
        assert self._outbox is not None
        await self._outbox(TracesUpdate(self.token, self.parent, traces).to_dict())

    async def _report_changes(self) -> None:
        while True:
            await self._send_gauges(self._gauges())
            await self._send_traces()
            await asyncio.sleep(REPORT_S)

    # ------------------------------------------------------------------ plumbing
    def _blob(self, task: Any) -> bytes:
        known = self._task_blobs.get(id(task))
        if known is None or known[0] is not task:
            known = self._task_blobs[id(task)] = (task, dumps(task))
        return known[1]

    def _encode(self, value: Any, key: str) -> Any:
        return encode(value, store=self.store, key=key, inline_limit=self.inline_limit, what="input")[0]

    async def _connect(self) -> None:
        if self._connecting is None:
            self._connecting = self.loop.create_task(self._open())
        await asyncio.shield(self._connecting)

    async def _open(self) -> None:
        if self.socket_path == SCHEDULER_ADDRESS:
            from ._scheduled import SchedulerChannel

            channel = SchedulerChannel(
                self.token, self.secret, self.job, self.run, self.store, self._answered, self._kernel_gone
            )
            self._outbox, self._hang_up = channel.send, channel.close
            return
        if self.socket_path.startswith("tcp://"):
            host, _, port = self.socket_path[len("tcp://") :].rpartition(":")
            reader, writer = await asyncio.open_connection(host.strip("[]"), int(port))
        else:
            reader, writer = await asyncio.open_unix_connection(self.socket_path)
        await answer_challenge(reader, writer, self.token, self.secret)  # before any pickle
        self._outbox, self._hang_up = functools.partial(send, writer), writer.close
        self.loop.create_task(self._read(reader))

    def _answered(self, message: dict[str, Any]) -> None:
        """The kernel's answer to one of this job's calls (on the job's loop)."""
        reply = CallAnswer.from_dict(message)
        future = self._pending.get(reply.id)
        if future is not None and not future.done():
            future.set_result(reply)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while (message := await receive(reader)) is not None:
            self._answered(message)
        self._kernel_gone(ConnectionError("the kernel closed the connection this action's task calls went over"))

    def _kernel_gone(self, error: BaseException) -> None:
        """Nobody will answer this job's calls any more: those waiting fail with ``error``."""
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)

    async def close(self) -> None:
        if self._reporter is not None:
            self._reporter.cancel()
            try:
                await self._send_gauges(self._gauges())  # the final state: nothing held
            except ConnectionError:
                pass
        if self._hang_up is not None:
            self._hang_up()
