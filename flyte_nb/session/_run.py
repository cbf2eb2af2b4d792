"""``flyte.run``: start a task as a run, and the :class:`Run` handle it returns.

Inside a running event loop (a notebook cell, async code) the run is scheduled on that
loop and ``flyte.run`` returns at once; ``run.wait()`` re-enters the loop so it can
block a cell without freezing anything. With no loop (a script) the run completes
inside ``flyte.run``, so the Flyte docs' ``__main__`` blocks work as written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import string
import threading
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import Any, Literal

from .._runtime._environment import run_environment
from ..errors import FlyteNbError, RunCancelledError, TaskCallError
from ..executors import create_executor
from ..executors._local import LocalExecutor
from ..executors._loop_end import close_loop
from ..model._context import current
from ..model._records import ActionRecord, State
from ..model._sync import reenter
from ..model._task import TaskTemplate
from ..orchestrator import _logs as logs
from ..orchestrator import _semaphores as semaphores
from ..orchestrator._controller import Controller, RunLimits
from ..orchestrator._events import RunSnapshot
from ..orchestrator._run_record import RunningRecord, run_files
from ._action_io import ActionInputs, ActionOutputs, action_inputs, action_outputs
from ._config import configured_store, current_config
from ._display import LiveDisplay, run_display
from ._remote_settings import warn_remote_settings_ignored
from ._run_context import apply_log_levels, run_info
from ._run_logs import check_max_lines, entry_log_tail
from ._run_options import RunOptions, check_run_name
from ._secrets import run_secrets, secrets_of_run
from ._sync_and_aio import SyncAndAio

log = logging.getLogger("flyte_nb")

_active: dict[str, Run] = {}
_NAME_ALPHABET = string.ascii_lowercase + string.digits

#: How long ``wait()`` gives a run to wind down after an interrupt before re-raising.
INTERRUPT_GRACE_S = 1.0
#: How often ``wait(wait_for="running")`` looks whether a queued run has started.
RUNNING_POLL_S = 0.02

WaitFor = Literal["terminal", "running"]


def _check_wait_for(wait_for: str) -> None:
    if wait_for not in ("terminal", "running"):
        raise ValueError(f"wait_for must be 'terminal' or 'running', got {wait_for!r}")


class Run:
    """A started run: its name and state, a way to wait for it, its inputs and outputs, its
    logs, and abort. The names are the Flyte 2 SDK's ``flyte.remote.Run`` names; ``wait``,
    ``outputs``, ``inputs``, ``abort`` and ``show_logs`` also have their ``.aio`` twins."""

    def __init__(
        self,
        controller: Controller,
        backend: str,
        task: TaskTemplate[Any, Any],
        inputs: ActionInputs | None = None,
    ) -> None:
        self.controller = controller
        self.backend = backend
        self.task = task
        self._inputs = inputs if inputs is not None else ActionInputs()
        self._future: asyncio.Future[Any] | None = None
        self._widget: LiveDisplay | None = None

    # ------------------------------------------------------------------ state
    @property
    def name(self) -> str:
        return self.controller.name

    @property
    def url(self) -> str:
        """Where this run keeps its data: ``runs/<name>`` in the store (``file://...``)."""
        from ..data import _layout as layout  # the data layer loads with the first run, not with flyte_nb

        data = self.controller.data
        if data is None:
            return f"flyte-nb://{self.backend}/{layout.run_root(self.name)}"
        return data.store.url_of(layout.run_root(self.name))

    @property
    def page_url(self) -> str | None:
        """The run page (``runs/<name>/index.html`` in the store: header, groups, timeline,
        failed actions, report links; self-contained HTML), once the run has ended; None before.
        ``url`` stays the run's folder, as the SDK's ``url`` is fixed for a run's whole life."""
        from ..data import _layout as layout

        data = self.controller.data
        if data is None or not self.controller.done:
            return None
        return data.store.url_of(layout.run_page_key(self.name))

    @property
    def phase(self) -> str:
        """``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``."""
        return self.controller.phase

    def done(self) -> bool:
        """True once the run has ended, whichever way."""
        return self.controller.done

    def sync(self) -> Run:
        """The run itself: its state is always current (the SDK's ``sync()`` fetches it)."""
        return self

    def snapshot(self) -> RunSnapshot:
        """Counts per state and per group right now."""
        return self.controller.snapshot()

    def actions(self) -> list[ActionRecord]:
        """Every action of this run so far, the entry action first. The list is a copy;
        each record is live (``task``, ``state``, ``attempts``, ``history``, ``started``,
        ``ended``, ``timings``, ``traces``)."""
        return list(self.controller.actions)

    # ------------------------------------------------------------------ waiting
    def _wait(
        self,
        *_legacy: Any,
        quiet: bool = False,
        wait_for: WaitFor = "terminal",
        timeout: float | None = None,
    ) -> Run:
        """Block until the run ends (or ``timeout`` seconds pass: TimeoutError), and return it;
        a failed run raises its error, a cancelled one :class:`RunCancelledError`.

        ``wait_for="running"`` returns once the run has started instead. ``quiet`` is
        accepted for the SDK's sake: the widget is the progress display. Safe in a notebook
        cell: the kernel's loop keeps running the run meanwhile. An interrupt (Ctrl-C, the
        kernel's stop button) cancels the run, then re-raises.
        """
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        _check_wait_for(wait_for)
        if not self._block_until(wait_for, timeout):
            raise TimeoutError(f"run {self.name} is still {self.phase} after {timeout:g} s")
        if self.done():
            self._finish_display()
            self._raise_if_failed()
        return self

    def _block_until(self, wait_for: WaitFor, timeout: float | None) -> bool:
        """Block until the run reaches ``wait_for`` (True) or ``timeout`` passes (False),
        re-entering the run's loop in a notebook cell; never raises the run's error."""
        __tracebackhide__ = True
        if self.done():
            return True
        ctx = current.get()
        if ctx is not None and ctx.controller is self.controller:
            raise FlyteNbError(f"run {self.name} cannot wait for itself from one of its own actions")
        assert self._future is not None
        loop = self._future.get_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is None and loop.is_running():  # another thread: block on the loop's thread
            return asyncio.run_coroutine_threadsafe(self._until(wait_for, timeout), loop).result()
        if running is loop:
            try:
                return reenter(loop, self._until(wait_for, timeout))
            except KeyboardInterrupt:
                self.cancel("interrupted by the user (KeyboardInterrupt)")
                reenter(loop, self.until_done(INTERRUPT_GRACE_S))
                self._finish_display()  # the widget shows how the interrupted run ended
                raise
        raise FlyteNbError(
            f"run {self.name} belongs to another event loop; await it there (await run) instead of run.wait()"
        )

    async def _wait_aio(self, quiet: bool = False, wait_for: WaitFor = "terminal", timeout: float | None = None) -> Run:
        """``await run.wait.aio()``: wait on the running loop; raises as :meth:`wait` does."""
        __tracebackhide__ = True
        _check_wait_for(wait_for)
        if not await self._until(wait_for, timeout):
            raise TimeoutError(f"run {self.name} is still {self.phase} after {timeout:g} s")
        if self.done():
            self._finish_display()
            self._raise_if_failed()
        return self

    wait = SyncAndAio(_wait, _wait_aio)

    def _finish_display(self) -> None:
        """Put the final state into this run's widget now, while the waiting cell is
        still the one executing (so the executed notebook keeps it)."""
        if self._widget is not None:
            self._widget.finish()
            self._widget.show_snapshot()

    async def until_done(self, timeout: float | None = None) -> bool:
        """Wait on the running loop until the run has ended, or ``timeout`` seconds passed;
        True if it ended. Never raises the run's error (:meth:`wait` and :meth:`outputs` do)."""
        assert self._future is not None
        finished, _ = await asyncio.wait({self._future}, timeout=timeout)
        return bool(finished)

    async def _until(self, wait_for: WaitFor, timeout: float | None) -> bool:
        if wait_for == "terminal":
            return await self.until_done(timeout)
        assert self._future is not None
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self.phase == State.QUEUED and not self.done():
            step = RUNNING_POLL_S if deadline is None else min(RUNNING_POLL_S, deadline - loop.time())
            if step <= 0:
                return False
            await asyncio.wait({self._future}, timeout=step)
        return True

    def _raise_if_failed(self) -> None:
        """Raise the ended run's error: its own for a failure, :class:`RunCancelledError`
        for a cancelled run."""
        __tracebackhide__ = True
        assert self._future is not None
        if self._future.cancelled() or self.phase == State.CANCELLED:
            raise RunCancelledError(f"run {self.name} was cancelled: {self.controller.cancel_reason}")
        error = self._future.exception()
        if error is not None:
            raise error

    def __await__(self) -> Generator[Any, None, Any]:
        """``await run`` waits for the run and gives the entry task's return value as it
        is (not wrapped in :class:`ActionOutputs`), or raises its error."""
        return self._outputs_async().__await__()

    async def _outputs_async(self) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        assert self._future is not None
        try:
            with _interrupt_cancels(self):
                outputs = await asyncio.shield(self._future)
        except asyncio.CancelledError:
            if self.phase == State.CANCELLED:
                self._finish_display()
                raise RunCancelledError(f"run {self.name} was cancelled: {self.controller.cancel_reason}") from None
            self.cancel("the code awaiting it was cancelled")
            raise
        except Exception:
            self._finish_display()  # a failed run's widget and snapshot show how it failed
            raise
        self._finish_display()
        return outputs

    def _result(self) -> Any:
        """Wait, then the entry task's return value as it is (or its error raised)."""
        __tracebackhide__ = True
        self.wait()
        assert self._future is not None
        return self._future.result()

    def _outputs(self) -> ActionOutputs:
        """The entry task's outputs as the SDK's ``ActionOutputs``, a tuple: ``outputs()[0]``,
        ``a, b = outputs()``, ``.o0``, ``.named_outputs``. Waits for the run first; a failed
        run raises its error, a cancelled one :class:`RunCancelledError`. A task returning a
        tuple (annotated ``tuple[A, B]``, a ``NamedTuple``, or not annotated) has one output
        per element; ``await run`` gives the value as it was returned."""
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        return action_outputs(self.task.signature.return_annotation, self._result())

    async def _outputs_aio(self) -> ActionOutputs:
        __tracebackhide__ = True
        value = await self._outputs_async()
        return action_outputs(self.task.signature.return_annotation, value)

    outputs = SyncAndAio(_outputs, _outputs_aio)

    def _inputs_of(self) -> ActionInputs:
        """The entry task's inputs by parameter name, defaults applied (a dict-like
        ``ActionInputs``); available as soon as the run has started."""
        return self._inputs

    async def _inputs_aio(self) -> ActionInputs:
        return self._inputs

    inputs = SyncAndAio(_inputs_of, _inputs_aio)

    def cancel(self, reason: str = "cancelled by the user") -> bool:
        """Stop the run: running actions are cancelled and queued ones never start.
        Returns False if it had already ended."""
        return self.controller.cancel(reason)

    def _abort(self, reason: str = "Manually aborted from the SDK api.") -> None:
        """The SDK's name for :meth:`cancel`: stop the run (nothing happens if it has ended)."""
        self.controller.cancel(reason)

    async def _abort_aio(self, reason: str = "Manually aborted from the SDK api.") -> None:
        self.controller.cancel(reason)

    abort = SyncAndAio(_abort, _abort_aio)

    # ------------------------------------------------------------------ logs
    def _show_logs(
        self,
        attempt: int | None = None,
        max_lines: int = 100,
        show_ts: bool = False,
        raw: bool = False,
        filter_system: bool = False,
    ) -> None:
        """Print the last ``max_lines`` lines the entry action printed (stdout and stderr),
        once the run has ended (the SDK follows the log to the end); a failed run's log too.

        flyte_nb keeps one tail per action across its attempts, so ``attempt`` (1 to the
        number of attempts made) chooses nothing more; ``show_ts``, ``raw`` and
        ``filter_system`` are accepted for the SDK's sake (lines carry no timestamps and
        there are no system lines).
        """
        check_max_lines(max_lines)
        self._block_until("terminal", None)
        print(entry_log_tail(self.controller.actions, attempt, max_lines))

    async def _show_logs_aio(
        self,
        attempt: int | None = None,
        max_lines: int = 100,
        show_ts: bool = False,
        raw: bool = False,
        filter_system: bool = False,
    ) -> None:
        check_max_lines(max_lines)
        await self._until("terminal", None)
        print(entry_log_tail(self.controller.actions, attempt, max_lines))

    show_logs = SyncAndAio(_show_logs, _show_logs_aio)

    # ------------------------------------------------------------------ display
    def widget(self) -> Any:
        """The run's live widget (made once; needs the ``anywidget`` package)."""
        if self._widget is None:
            self._widget = run_display().widget(self)
        return self._widget

    def _ipython_display_(self) -> None:
        # drawn by the display the package face registered (the session never imports the notebook)
        run_display().show(self)

    def __repr__(self) -> str:
        snap = self.controller
        counts = ", ".join(f"{n} {state}" for state, n in snap.counts.items() if n)
        elapsed = (snap.ended_at or _now()) - snap.started_at if snap.started_at else 0.0
        total = len(snap.actions)
        return (
            f"<Run {self.name} {self.phase} · {self.task.name} · {self.backend} · "
            f"{total} action{'s' if total != 1 else ''}{f' ({counts})' if counts else ''} · {elapsed:.2f} s>"
        )


@contextlib.contextmanager
def _interrupt_cancels(run: Run) -> Iterator[None]:
    """While ``await run`` waits in the main thread, Ctrl-C / a kernel interrupt cancels the
    run (then ``await run`` raises RunCancelledError). Without this, an interrupt during an
    awaiting notebook cell is raised somewhere inside the event loop, or (ipykernel 7)
    not delivered to the cell at all."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: object) -> None:
        loop.call_soon_threadsafe(run.cancel, "interrupted by the user (SIGINT)")

    try:
        signal.signal(signal.SIGINT, on_interrupt)
    except (ValueError, OSError):  # not allowed here (embedded interpreter): leave it be
        yield
        return
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGINT) is on_interrupt:
            signal.signal(signal.SIGINT, previous)


class Runner:
    """Run options (``flyte.with_runcontext(...)``) waiting for a task to run with them."""

    def __init__(self, options: RunOptions | None = None) -> None:
        options = options or RunOptions()
        config = current_config()
        self.name = options.name
        self.backend = options.backend or config.backend
        self.limits = RunLimits(
            max_actions=config.max_actions if options.max_actions is None else options.max_actions,
            max_action_concurrency=(
                config.max_action_concurrency
                if options.max_action_concurrency is None
                else options.max_action_concurrency
            ),
        )
        self.overwrite_cache = options.overwrite_cache
        self.disable_run_cache = options.disable_run_cache
        self.env_vars = dict(options.env_vars or {})
        self.options = options

    def run(self, task: TaskTemplate[Any, Any], *args: Any, **kwargs: Any) -> Run:
        """Start ``task(*args, **kwargs)`` as a run. In a running loop it returns at once;
        in a script it returns when the run has ended."""
        __tracebackhide__ = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        handle, main = self._prepare(task, args, kwargs, report_failure=loop is not None)
        if loop is not None:
            handle._future = _start(loop, handle, main)
            return handle
        try:
            asyncio.run(_settle(handle, main))
        except asyncio.CancelledError:
            if handle.phase != State.CANCELLED:
                raise
        finally:
            _active.pop(handle.name, None)
        handle._raise_if_failed()  # a script stops on a failed run, as with the Flyte 2 SDK
        return handle

    async def aio(self, task: TaskTemplate[Any, Any], *args: Any, **kwargs: Any) -> Run:
        """Start the run on the current loop and return its handle at once."""
        return self._launch(task, args, kwargs)

    def _run_data(self, name: str, config: Any, vault: Any = None) -> Any:
        from ..data._run_data import CACHE_OFF, CACHE_OVERWRITE, CACHE_USE, RunData
        from ..data._sweep import sweep_in_background

        mode = CACHE_OFF if self.disable_run_cache else CACHE_OVERWRITE if self.overwrite_cache else CACHE_USE
        store = configured_store(config)
        sweep_in_background(store)  # temporaries of writers killed in earlier runs; never waited for
        return RunData(
            store,
            name,
            cache_mode=mode,
            max_io_bytes=config.max_io_bytes,
            env_vars=self.env_vars,
            secrets=vault,
            max_kept_bytes=config.max_kept_io_bytes,
        )

    def start(self, task: TaskTemplate[Any, Any], *, in_process: bool = False) -> Run:
        """Start ``task()`` as a run on the running loop and return at once.

        ``in_process`` keeps the entry action on this loop whatever the backend: it is how
        a ``%%flyte`` cell drives a run.
        """
        return self._launch(task, (), {}, in_process=in_process)

    def _launch(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, in_process: bool = False) -> Run:
        """Start a run on the running loop; its handle at once."""
        handle, main = self._prepare(task, args, kwargs, in_process=in_process)
        handle._future = _start(asyncio.get_running_loop(), handle, main)
        return handle

    def _prepare(
        self,
        task: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        in_process: bool = False,
        report_failure: bool = True,
    ) -> tuple[Run, Any]:
        if not isinstance(task, TaskTemplate):
            what = getattr(task, "__name__", None) or type(task).__name__
            raise TaskCallError(
                f"flyte.run needs a task, got {type(task).__name__} {what!r}; decorate the function with "
                "@env.task (env = flyte.TaskEnvironment('name')) and pass that"
            )
        args, kwargs = task.check_call(args, kwargs)
        name = check_run_name(self.name) if self.name is not None else _new_name()  # set after __init__ too
        if name in _active:
            raise TaskCallError(f"a run named {name!r} is still running; wait for it or choose another name")
        config = current_config()
        vault = run_secrets(config.secrets_files)
        vault.require(secrets_of_run(task))  # a missing secret stops the run before anything runs
        executor = create_executor(self.backend, config.settings(self.backend))
        apply_log_levels(self.options)
        info = run_info(name, self.options)
        controller = Controller(name, executor, self.limits, self._run_data(name, config, vault), info)
        handle = Run(controller, self.backend, task, action_inputs(task.signature, args, kwargs))
        _active[name] = handle
        # an executor that runs actions elsewhere drives the run from here: the entry action
        # runs in this process and each action it starts goes to the executor
        in_process = in_process or executor.capabilities.entry_in_process
        return handle, _main(handle, args, kwargs, in_process=in_process, report_failure=report_failure)


def _start(loop: asyncio.AbstractEventLoop, handle: Run, main: Any) -> asyncio.Task[Any]:
    task = loop.create_task(main, name=f"flyte_nb run {handle.name}")
    # a failure is logged once by _main and kept for outputs(); asyncio need not warn about it
    task.add_done_callback(_mark_retrieved)
    return task


def _mark_retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def _main(
    handle: Run,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    in_process: bool = False,
    report_failure: bool = True,
) -> Any:
    __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
    controller = handle.controller
    outputs: ActionOutputs | None = None
    semaphores.install()
    logs.install()
    record = RunningRecord(controller, handle.backend) if controller.data is not None else None
    if record is not None:
        record.start()
    try:
        async with controller.executor:
            entry = LocalExecutor(max_threads=1) if in_process else None
            # in-process actions see the run's env_vars in this process while it runs; shipped
            # jobs carry them instead (a worker started meanwhile must not inherit them)
            here = not controller.executor.capabilities.process_boundary
            env_vars = controller.data.env_vars if controller.data is not None and here else {}
            with run_environment(env_vars):
                result = await controller.run_root(handle.task, args, kwargs, entry_executor=entry)
                outputs = action_outputs(handle.task.signature.return_annotation, result)
                return result
    except Exception as exc:
        # a %%flyte cell shows its own error, and a script raises it; a run started in a loop
        # may have no one waiting for it
        if report_failure and not in_process:
            log.warning("flyte_nb run %s failed: %s: %s", handle.name, type(exc).__name__, exc)
        raise
    finally:
        logs.uninstall()
        semaphores.uninstall()
        _active.pop(handle.name, None)
        try:
            if record is not None:
                await record.stop()  # its last write lands before the ended run's record
            if controller.data is not None and controller.done:
                too_big = await controller.data.persist_values(_entry_values(handle, outputs))  # before the record
                not_kept = {key.rsplit("/", 1)[-1]: size for key, size in too_big.items()}  # "inputs", "outputs"
                # the ended run's records no longer change: they are written out off the loop
                files = await controller.data.store.io(run_files, controller, handle.backend, not_kept)
                await controller.data.persist(files)
        except asyncio.CancelledError:
            pass  # cancelled while writing the record: the run has ended all the same


def _entry_values(handle: Run, outputs: ActionOutputs | None) -> dict[str, Any]:
    """What an ended run keeps for ``flyte.remote.Run``: its inputs, and its outputs when it
    succeeded (plain tuple and dict: they load without this module)."""
    from ..data import _layout as layout

    values: dict[str, Any] = {layout.run_inputs_key(handle.name): dict(handle._inputs)}
    if outputs is not None:
        values[layout.run_outputs_key(handle.name)] = (tuple(outputs), list(outputs._fields))
    return values


async def _settle(handle: Run, main: Any) -> None:
    """Script mode: run to the end, keeping the outcome on the handle (``flyte.run`` raises
    a failure once the loop is closed)."""
    loop = asyncio.get_running_loop()
    handle._future = loop.create_future()
    try:
        result = await main
    except asyncio.CancelledError:
        handle._future.cancel()
        raise
    except Exception as exc:
        handle._future.set_exception(exc)
        _mark_retrieved(handle._future)
    else:
        handle._future.set_result(result)
    finally:
        await close_loop(loop)  # this loop ends with the run: so do its pools and servers


def with_runcontext(
    mode: str | None = None,
    *,
    name: str | None = None,
    service_account: str | None = None,
    version: str | None = None,
    copy_style: str = "loaded_modules",
    dry_run: bool = False,
    copy_bundle_to: Any = None,
    interactive_mode: bool | None = None,
    raw_data_path: str | None = None,
    run_base_dir: str | None = None,
    run_start_time: datetime | None = None,
    overwrite_cache: bool = False,
    project: str | None = None,
    domain: str | None = None,
    env_vars: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    interruptible: bool | None = None,
    log_level: int | None = None,
    log_format: str = "console",
    user_log_level: int | None = None,
    reset_root_logger: bool = False,
    disable_run_cache: bool = False,
    queue: str | None = None,
    max_action_concurrency: int | None = None,
    notifications: Any = None,
    custom_context: dict[str, str] | None = None,
    cache_lookup_scope: str = "global",
    preserve_original_types: bool = False,
    debug: bool = False,
    tracked: bool = False,
    tracked_strict: bool = False,
    _tracker: Any = None,
    backend: str | None = None,
    max_actions: int | None = None,
) -> Runner:
    """Options for the next run: ``flyte.with_runcontext(name="nightly",
    custom_context={"team": "ml"}, max_action_concurrency=8).run(task, ...)``.

    Every option of the Flyte 2 SDK is accepted. Those that mean something locally do it
    (``name``, ``overwrite_cache``, ``disable_run_cache``, ``env_vars``, ``custom_context``,
    ``interactive_mode``, ``raw_data_path``, ``run_base_dir``, ``run_start_time``,
    ``max_action_concurrency``, ``log_level``, ``user_log_level``; ``labels`` and
    ``annotations`` are kept on the run); those that only mean something on a Flyte cluster
    (``mode="remote"``, ``project``, ``queue``, ...) are named in one
    :class:`~flyte_nb.errors.RemoteSettingsIgnoredWarning`. flyte_nb adds ``backend=`` and
    ``max_actions=``.
    """
    if mode not in (None, "local", "remote", "hybrid"):
        raise TaskCallError(f"mode must be 'local', 'remote' or 'hybrid', got {mode!r}")
    if mode == "hybrid" and not name and not run_base_dir:
        raise ValueError("Run name and run base dir are required for hybrid mode")
    if copy_style == "custom":
        raise ValueError("copy_style='custom' is not yet supported through with_runcontext.")
    if copy_style == "none" and not version:
        raise ValueError("Version is required when copy_style is 'none'")
    cluster_only = {
        "service_account": service_account,
        "version": version,
        "copy_style": None if copy_style == "loaded_modules" else copy_style,
        "dry_run": dry_run,
        "copy_bundle_to": copy_bundle_to,
        "project": project,
        "domain": domain,
        "interruptible": interruptible,
        "log_format": None if log_format == "console" else log_format,
        "reset_root_logger": reset_root_logger,
        "queue": queue,
        "notifications": notifications,
        "cache_lookup_scope": None if cache_lookup_scope == "global" else cache_lookup_scope,
        "debug": debug,
        "tracked": tracked,
        "tracked_strict": tracked_strict,
        "_tracker": _tracker,
    }
    ignored = [f"mode={mode!r}"] if mode in ("remote", "hybrid") else []
    ignored += [
        option for option, value in cluster_only.items() if value is not None and value is not False and value != ()
    ]
    options = RunOptions(
        name=name,
        backend=backend,
        max_action_concurrency=max_action_concurrency,
        max_actions=max_actions,
        overwrite_cache=overwrite_cache,
        disable_run_cache=disable_run_cache,
        env_vars=env_vars,
        custom_context=custom_context,
        interactive_mode=interactive_mode,
        raw_data_path=raw_data_path,
        run_base_dir=run_base_dir,
        run_start_time=run_start_time,
        labels=labels,
        annotations=annotations,
        log_level=log_level,
        user_log_level=user_log_level,
    )
    warn_remote_settings_ignored(ignored, "flyte.with_runcontext()", stacklevel=2)
    return Runner(options)


def run(task: TaskTemplate[Any, Any], *args: Any, **kwargs: Any) -> Run:
    """Run ``task(*args, **kwargs)`` and return its :class:`Run`.

    In a notebook (a running loop) it starts the run and returns at once: use
    ``run.wait()``, ``await run`` or ``run.outputs()`` (each raises the run's error if it
    fails). In a script it returns when the run has ended, and raises the run's error if
    it failed.
    """
    return Runner().run(task, *args, **kwargs)


async def _run_aio(task: TaskTemplate[Any, Any], *args: Any, **kwargs: Any) -> Run:
    return await Runner().aio(task, *args, **kwargs)


# the async twin as an attribute of the function (flyte.run.aio, as Flyte 2 spells it)
run.aio = _run_aio  # type: ignore[attr-defined]


def active_runs() -> dict[str, Run]:
    """Runs of this process that have not ended yet, by name."""
    return dict(_active)


def _new_name() -> str:
    while True:
        name = "r-" + "".join(secrets.choice(_NAME_ALPHABET) for _ in range(6))
        if name not in _active:
            return name


def _now() -> float:
    import time

    return time.monotonic()
