"""One job: load the task's function and inputs from the store, call it, store the outcome.

Shared by the one-shot runtime (a container per action) and the reusable worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import time
import traceback
from typing import Any

from ..data._codec import decode, dumps, encode, loads
from ..data._store import Store


async def execute(store: Store, job_key: str) -> dict[str, Any]:
    """Run the job at ``job_key`` and write ``<job_key>.result``; returns the outcome.

    An async function runs on the caller's loop, a sync one in a thread, so a worker can
    run several jobs at once.
    """
    job = loads(store.get(job_key))
    started = time.perf_counter()
    down = 0.0
    args = []
    for payload in job["args"]:
        value, transfer = decode(payload, store)
        down += transfer.seconds
        args.append(value)
    kwargs = {}
    for name, payload in job["kwargs"].items():
        value, transfer = decode(payload, store)
        down += transfer.seconds
        kwargs[name] = value
    func = function_of(job["func"])
    outcome: dict[str, Any] = {"d": down}
    try:
        if inspect.iscoroutinefunction(func):
            value = await func(*args, **kwargs)
        else:
            value = await asyncio.to_thread(func, *args, **kwargs)
        payload, transfer = encode(
            value, store=store, key=job_key + ".output", inline_limit=job["inline_limit"], what="output"
        )
        outcome.update(ok=True, payload=payload, u=transfer.seconds)
    except Exception as exc:  # the task's failure is its outcome, raised again in the kernel
        outcome.update(failure(exc))
    outcome["runtime"] = time.perf_counter() - started
    store.put(job_key + ".result", dumps(outcome))
    return outcome


#: functions already unpickled in this process, by their pickle's hash: a reusable worker
#: keeps one copy of a function, so the module-level state its code builds survives
_functions: dict[str, Any] = {}
MAX_FUNCTIONS = 128


def function_of(blob: bytes) -> Any:
    key = hashlib.sha256(blob).hexdigest()
    func = _functions.get(key)
    if func is None:
        if len(_functions) >= MAX_FUNCTIONS:
            _functions.pop(next(iter(_functions)))
        func = _functions[key] = loads(blob)
    return func


def failure(exc: BaseException) -> dict[str, Any]:
    """An exception as an outcome: pickled when it pickles, and always as text."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        blob: bytes | None = dumps(exc)
        loads(blob)
    except Exception:
        blob = None
    return {"ok": False, "error": blob, "error_type": type(exc).__name__, "message": str(exc), "traceback": text}
