"""One job: load the task's function and inputs from the store, call it, store the outcome.

Shared by the one-shot runtime (a container per action) and the reusable worker.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..data import _layout as layout
from ..data._codec import decode_inputs, dumps, encode, loads
from ..data._seal import Sealer
from ..data._store import Store
from ..model._exits import user_exit
from ..model._report import ActiveReport, set_report
from ..model._returns import checked_return
from ..model._types import converted_output, late_inputs
from ..wire._job import CallbackAddress, Job, JobContext
from ..wire._outcome import Outcome
from ..wire._secrets import SecretDelivery
from ._environment import run_environment, run_info_of
from ._failures import failure
from ._secrets import secrets_present
from ._sites import restore_files

if TYPE_CHECKING:
    from ._remote import RemoteController


async def execute(
    store: Store,
    job_key: str,
    *,
    job: bytes | None = None,
    keep_result: bool = True,
    on_first_call: Callable[[], None] | None = None,
    sealer: Sealer | None = None,
    callback_secret: bytes | None = None,
    secrets: tuple[SecretDelivery, ...] = (),
) -> Outcome:
    """Run the job at ``job_key`` and write ``<job_key>.result``; returns the outcome.

    An async function runs on the caller's loop, a sync one in a thread, so a worker can
    run several jobs at once. ``job`` is the job itself when it came another way than the
    store (a Dask task's argument); ``keep_result=False`` leaves the outcome out of the
    store (it travels back that other way). ``on_first_call`` runs on this loop when the
    task first calls another task (a Dask worker hands its thread back then). ``sealer``
    is the run's key when it came with the job (a Dask job, a pool worker's message); a
    container of its own reads it from ``$FLYTE_NB_RUN_KEY``. The job and the values it
    reads from the store are checked against it before they are unpickled.
    ``callback_secret`` is the run's secret for the kernel's handshake when it came another
    way than the job (a container's environment, a pool worker's authenticated socket).
    ``secrets`` are the action's secrets when they came another way than the job (a pool
    worker's socket); they are present while the body runs (``_secrets.py``).
    """
    if sealer is not None:
        store = store.sealed_by(sealer)
    fields = Job.from_dict(loads(job if job is not None else store.get_sealed(job_key)))
    started = time.perf_counter()
    args, kwargs, received = decode_inputs(fields.args, fields.kwargs, store)
    func = function_of(fields.func, fields.files)
    task_name = fields.task or str(getattr(func, "__qualname__", "?"))
    controller, context = _calls_to_kernel(
        fields.callback, store, fields.inline_limit, on_first_call, callback_secret, fields.context, job_key
    )
    report = context.run(_report_of, fields.report, store) if fields.report else None
    environment = run_environment(fields.context.env_vars if fields.context is not None else {})
    environment.__enter__()
    try:
        args, kwargs = late_inputs(func, args, kwargs)
        with secrets_present([*fields.secrets, *secrets]):
            if inspect.iscoroutinefunction(func):
                value = await context.run(asyncio.ensure_future, _exits_fail(task_name, func(*args, **kwargs)))
            else:
                value = await asyncio.to_thread(context.run, func, *args, **kwargs)
        value = converted_output(func, task_name, checked_return(task_name, value))
        if report is not None:
            await asyncio.to_thread(report.finish)
        payload, transfer = encode(
            value,
            store=store,
            key=layout.job_output_key(job_key),
            inline_limit=fields.inline_limit,
            what="return value",
            task=fields.task,
        )
        outcome = Outcome(ok=True, payload=payload, uploaded_s=transfer.seconds)
    except Exception as exc:  # the task's failure is its outcome, raised again in the kernel
        outcome = Outcome.failed(failure(exc))
        if report is not None:  # a failed action keeps what it reported too, to show why it failed
            await asyncio.to_thread(report.finish_failed)
    except (SystemExit, KeyboardInterrupt) as exc:  # a sync body's sys.exit(): the action fails, not the process
        outcome = Outcome.failed(failure(user_exit(exc, task_name) or exc))
    finally:
        environment.__exit__(None, None, None)
        if controller is not None:
            await controller.close()
    outcome.downloaded_s = received.seconds
    if report is not None and report.saved:
        outcome.report = fields.report
    if controller is not None and controller.traces:
        outcome.traces = dumps(controller.traces)
    outcome.runtime_s = time.perf_counter() - started
    if keep_result:
        store.put_sealed(layout.job_result_key(job_key), dumps(outcome.to_dict()))
    return outcome


def _report_of(key: str, store: Store) -> ActiveReport:
    """The job's report, current in the context its body runs in, saved at ``key``."""
    return set_report(layout.action_of_report(key), lambda page: store.put(key, page.encode("utf-8")))


async def _exits_fail(task: str, body: Any) -> Any:
    """Await an async body, its ``SystemExit``/``KeyboardInterrupt`` turned into TaskExitError
    here, inside its asyncio task: leaving the task, asyncio would re-raise them from the loop
    and end the process."""
    try:
        return await body
    except (SystemExit, KeyboardInterrupt) as exc:
        error = user_exit(exc, task)
        if error is None:
            raise
        raise error from None


def _calls_to_kernel(
    callback: CallbackAddress | None,
    store: Store,
    inline_limit: int,
    on_first_call: Callable[[], None] | None,
    secret: bytes | None,
    job_context: JobContext | None = None,
    job_key: str = "",
) -> tuple[RemoteController | None, contextvars.Context]:
    """A context in which the job's task calls go to the kernel (when it offers a socket)."""
    context = contextvars.copy_context()
    if callback is None:
        return None, context
    from ..model._context import ActionContext, current
    from ._remote import RemoteAction, RemoteController, report_semaphores

    report_semaphores()
    controller = RemoteController(
        callback.socket,
        callback.token,
        callback.run,
        callback.parent,
        store,
        inline_limit,
        callback.path,
        secret=secret if secret is not None else bytes.fromhex(callback.secret),
        on_first_call=on_first_call,
        job=job_key,
    )
    action = RemoteAction(callback.parent)
    if job_context is not None:
        controller.run_info = run_info_of(job_context)
        action = RemoteAction(callback.parent, job_context.attempt, controller.run_info.custom_context)
    # RemoteController and RemoteAction stand in for the kernel's Controller and ActionRecord;
    # ActionContext names the kernel's types until a controller protocol sits below both
    context.run(current.set, ActionContext(controller, action))  # type: ignore[arg-type]
    return controller, context


#: functions already unpickled in this process, by their pickle: a reusable worker
#: keeps one copy of a function, so the module-level state its code builds survives
_functions: dict[bytes, Any] = {}
MAX_FUNCTIONS = 128


def function_of(blob: bytes, files: dict[str, str] | None = None) -> Any:
    """The job's function, unpickled once per process, its code's file names put back."""
    # the pickle itself is the key: hashed in C without letting go of the GIL (a sha256 of a
    # few KB per job lets the worker's other threads in for a time slice each time)
    func = _functions.get(blob)
    if func is None:
        if len(_functions) >= MAX_FUNCTIONS:
            _functions.pop(next(iter(_functions)))
        func = _functions[blob] = loads(blob)
        restore_files(func, files or {})
    return func
