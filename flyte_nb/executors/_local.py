"""The embedded backend: actions run inside the kernel process.

Async task bodies run on the run's own event loop, inline in the asyncio task that
awaits them (no extra task per action, which keeps an action's cost near a bare
coroutine's). Sync task bodies run in a thread pool so they never block the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import glob
import warnings
from typing import Any

from .._checks import is_int_at_least
from .._runtime._secrets import secrets_present
from ..errors import AcceleratorNotEnforcedWarning, ConfigError, FlyteNbError
from ..model._context import current
from ..model._exits import mark_if_user_exit
from ..model._report import reporting
from ..wire._secrets import SecretDelivery
from ._base import ActionSpec, Executor, ExecutorCapabilities
from ._reports import saver
from ._threads import SyncThreadPool

#: environments whose accelerator request was noticed as not enforced (once each per process)
_NOTICED: set[str] = set()

#: Sync task bodies running at once. A body that waits for the tasks it called does not count
#: (see _threads): nesting never deadlocks. Threads are only created when needed.
DEFAULT_MAX_THREADS = 64


class LocalExecutor(Executor):
    """Runs actions in-process: async tasks on the loop, sync tasks in threads."""

    name = "local"
    #: every task body runs in the kernel itself (the entry action too, submitted like the rest)
    capabilities = ExecutorCapabilities(reports_start=False, entry_in_process=False, process_boundary=False)

    def __init__(self, *, max_threads: int = DEFAULT_MAX_THREADS, copy_io: bool = False) -> None:
        if not is_int_at_least(max_threads, 1):
            raise ConfigError(f"local: max_threads must be an int >= 1, got {max_threads!r}; write e.g. 64")
        self._max_threads = max_threads
        #: send inputs and outputs through the data layer (pickled, offloaded when large),
        #: as a container would: measures u and d, and checks the data survives the trip
        self.copy_io = bool(copy_io)
        self._pool: SyncThreadPool | None = None
        self._closed = False

    async def submit(self, spec: ActionSpec) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        if self._closed:
            raise FlyteNbError("this LocalExecutor is closed; start a new run to get a fresh one")
        if spec.task.env.resources is not None and spec.task.env.name not in _NOTICED:
            _notice_accelerator(spec.task)
        if spec.task.secrets or spec.task.env.env_vars:
            return await self._submit_with_environment(spec)
        if self.copy_io and spec.data is not None:
            return await self._submit_copied(spec)
        task = spec.task
        # the hot path: no extra coroutine frame per action
        if task.is_async and not task.converts_late and not task.settings.report:
            return task.returned(await task.func(*spec.args, **spec.kwargs))
        return await self._run_body(spec, spec.args, spec.kwargs)

    async def _submit_with_environment(self, spec: ActionSpec) -> Any:
        """The attempt with its environment's ``env_vars`` and its secrets in ``os.environ``
        (secrets also as files) while it runs (``_runtime/_secrets.py``). The process has one
        environment: actions running beside it can see them meanwhile; containers isolate."""
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        variables = [SecretDelivery(name, None, value) for name, value in spec.task.env.env_vars.items()]
        with secrets_present([*variables, *spec.secrets()]):
            if self.copy_io and spec.data is not None:
                return await self._submit_copied(spec)
            return await self._run_body(spec, spec.args, spec.kwargs)

    async def _submit_copied(self, spec: ActionSpec) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        from . import _transfer as transfer

        data = spec.data
        assert data is not None
        ledger = transfer.Ledger()
        try:
            shipment = await asyncio.to_thread(transfer.ship_inputs, spec, data, ledger)
            args, kwargs = await asyncio.to_thread(transfer.receive_inputs, shipment, data, ledger)
            value = await self._run_body(spec, args, kwargs)
            payload = await asyncio.to_thread(transfer.ship_output, value, spec, data, ledger)
            return await asyncio.to_thread(transfer.receive_output, payload, data, ledger)
        finally:
            spec.timings = ledger.timings()

    async def _run_body(self, spec: ActionSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        if not spec.task.settings.report:
            return await self._call_body(spec, args, kwargs)
        with reporting(str(spec.action.id), saver(spec)) as active:
            try:
                value = await self._call_body(spec, args, kwargs)
            except Exception:  # a failed action keeps what it reported too, to show why it failed
                await asyncio.to_thread(active.finish_failed)
                raise
            await asyncio.to_thread(active.finish)
        return value

    async def _call_body(self, spec: ActionSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        task = spec.task
        args, kwargs = task.body_inputs(args, kwargs)
        if task.is_async:
            return task.returned(await task.func(*args, **kwargs))
        if self._pool is None:
            self._pool = SyncThreadPool(self._max_threads)
        # the copied context carries the current action, so tasks called from the body
        # (in the thread) find their parent and their run's loop
        ctx = contextvars.copy_context()
        future = self._pool.submit(ctx, _call, (task.func, *args), kwargs, _lineage())
        return task.returned(await future)

    async def cancel(self, action_id: int) -> None:
        # In-process attempts are stopped by cancelling the asyncio task that awaits them,
        # which the controller does; a sync body already in a thread cannot be interrupted
        # and finishes on its own, its result discarded.
        return None

    async def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    async def __aenter__(self) -> LocalExecutor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _notice_accelerator(task: Any) -> None:
    """In-process, a GPU (or other accelerator) request is not enforced: the body runs in the
    kernel and sees the devices the kernel sees. When none is visible, say so once."""
    device = task.env.resources.get_device()
    _NOTICED.add(task.env.name)
    if device is None or (device.device_class == "GPU" and glob.glob("/dev/nvidia[0-9]*")):
        return
    code = getattr(task.func, "__code__", None)
    warnings.warn_explicit(  # shown at the task's definition: the body runs on the run's loop
        f"task {task.name} requests {device.describe()} (Resources(gpu=...)); on the local backend tasks run "
        "in this process, where no such device is visible, so it runs without one (as in the Flyte SDK's "
        "local mode). On docker a GPU request becomes a device request; on Dask, a worker resource request",
        AcceleratorNotEnforcedWarning,
        filename=code.co_filename if code is not None else "<flyte_nb>",
        lineno=code.co_firstlineno if code is not None else 0,
    )


def _call(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except KeyboardInterrupt as exc:  # raised by the body itself: no signal lands in this thread
        mark_if_user_exit(exc)
        raise


def _lineage() -> list[int]:
    """id() of the current action's record, then of each of its ancestors' (the pool lets the
    descendants of a body that waits for them take its thread's place)."""
    ctx = current.get()
    if ctx is None:
        return [0]
    actions = ctx.controller.actions
    rec = ctx.action
    lineage = [id(rec)]
    while rec.parent is not None:
        rec = actions[rec.parent]
        lineage.append(id(rec))
    return lineage
