"""One job: load the task's function and inputs from the store, call it, store the outcome.

Shared by the one-shot runtime (a container per action) and the reusable worker.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import inspect
import time
import traceback
from collections.abc import Callable
from typing import Any

from ..data import _layout as layout
from ..data._codec import decode_inputs, dumps, encode, loads
from ..data._seal import Sealer
from ..data._store import Store
from ..model._exits import user_exit
from ..model._returns import checked_return
from ._sites import restore_files


async def execute(
    store: Store,
    job_key: str,
    *,
    job: bytes | None = None,
    keep_result: bool = True,
    on_first_call: Callable[[], None] | None = None,
    sealer: Sealer | None = None,
    callback_secret: bytes | None = None,
) -> dict[str, Any]:
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
    """
    if sealer is not None:
        store = store.sealed_by(sealer)
    fields: dict[str, Any] = loads(job if job is not None else store.get_sealed(job_key))
    started = time.perf_counter()
    args, kwargs, received = decode_inputs(fields["args"], fields["kwargs"], store)
    func = function_of(fields["func"], fields.get("files", {}))
    outcome: dict[str, Any] = {"d": received.seconds}
    task_name = str(fields.get("task") or getattr(func, "__qualname__", "?"))
    callback = fields.get("callback")
    controller, context = _calls_to_kernel(callback, store, fields["inline_limit"], on_first_call, callback_secret)
    try:
        if inspect.iscoroutinefunction(func):
            value = await context.run(asyncio.ensure_future, _exits_fail(task_name, func(*args, **kwargs)))
        else:
            value = await asyncio.to_thread(context.run, func, *args, **kwargs)
        value = checked_return(task_name, value)
        payload, transfer = encode(
            value,
            store=store,
            key=layout.job_output_key(job_key),
            inline_limit=fields["inline_limit"],
            what="return value",
            task=fields.get("task", ""),
        )
        outcome.update(ok=True, payload=payload, u=transfer.seconds)
    except Exception as exc:  # the task's failure is its outcome, raised again in the kernel
        outcome.update(failure(exc))
    except (SystemExit, KeyboardInterrupt) as exc:  # a sync body's sys.exit(): the action fails, not the process
        outcome.update(failure(user_exit(exc, task_name) or exc))
    finally:
        if controller is not None:
            await controller.close()
    if controller is not None and controller.traces:
        outcome["traces"] = dumps(controller.traces)
    outcome["runtime"] = time.perf_counter() - started
    if keep_result:
        store.put_sealed(layout.job_result_key(job_key), dumps(outcome))
    return outcome


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
    callback: dict[str, Any] | None,
    store: Store,
    inline_limit: int,
    on_first_call: Callable[[], None] | None,
    secret: bytes | None,
) -> tuple[Any, Any]:
    """A context in which the job's task calls go to the kernel (when it offers a socket)."""
    context = contextvars.copy_context()
    if callback is None:
        return None, context
    from ..model._context import ActionContext, current
    from ._remote import RemoteAction, RemoteController, report_semaphores

    report_semaphores()
    controller = RemoteController(
        callback["socket"],
        callback["token"],
        callback["run"],
        callback["parent"],
        store,
        inline_limit,
        callback.get("path", ""),
        secret=secret if secret is not None else bytes.fromhex(callback.get("secret", "")),
        on_first_call=on_first_call,
    )
    # RemoteController and RemoteAction stand in for the kernel's Controller and ActionRecord;
    # ActionContext names the kernel's types until a controller protocol sits below both
    context.run(current.set, ActionContext(controller, RemoteAction(callback["parent"])))  # type: ignore[arg-type]
    return controller, context


#: functions already unpickled in this process, by their pickle's hash: a reusable worker
#: keeps one copy of a function, so the module-level state its code builds survives
_functions: dict[str, Any] = {}
MAX_FUNCTIONS = 128


def function_of(blob: bytes, files: dict[str, str] | None = None) -> Any:
    """The job's function, unpickled once per process, its code's file names put back."""
    key = hashlib.sha256(blob).hexdigest()
    func = _functions.get(key)
    if func is None:
        if len(_functions) >= MAX_FUNCTIONS:
            _functions.pop(next(iter(_functions)))
        func = _functions[key] = loads(blob)
        restore_files(func, files or {})
    return func


def failure(exc: BaseException) -> dict[str, Any]:
    """An exception as an outcome: pickled when it pickles, and always as text."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    blob: bytes | None
    try:
        blob = dumps(exc)
        loads(blob)
    except Exception:
        blob = None
    return {"ok": False, "error": blob, "error_type": type(exc).__name__, "message": str(exc), "traceback": text}


def error_of(outcome: dict[str, Any], where: str) -> BaseException:
    """The exception a failed outcome carries, raised again here: its own type when it
    unpickles (with the traceback from ``where`` as a note), else :class:`RemoteTaskError`."""
    if outcome.get("error") is not None:
        try:
            exc = loads(outcome["error"])
        except Exception:
            exc = None
        if isinstance(exc, BaseException):
            if hasattr(exc, "add_note"):
                exc.add_note(f"raised in {where}; its traceback:\n" + outcome["traceback"])
            # any exception type: its class declares no such attribute
            exc.__flyte_remote_traceback__ = outcome["traceback"]  # type: ignore[attr-defined]
            return exc
    from ..errors import RemoteTaskError

    return RemoteTaskError(
        f"{outcome['error_type']}: {outcome['message']}\n{outcome['traceback']}", error_type=outcome["error_type"]
    )
