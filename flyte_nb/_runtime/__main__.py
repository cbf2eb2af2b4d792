"""Run one action inside a container and leave its outcome in the store.

``python -m flyte_nb._runtime <store-root> <job-key>``: the job (the task's function,
cloudpickled by value, and its inputs' payloads) is read from the store, the function is
called (``asyncio.run`` for an async one), and ``<job-key>.result`` receives the output's
payload, or the exception with its traceback text. The exit code is 0 whenever an outcome
was written, so a non-zero exit always means the container itself failed (OOM, kill).
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
import traceback


def main(argv: list[str]) -> int:
    from flyte_nb.data._codec import decode, dumps, encode, loads
    from flyte_nb.data._store import Store

    root, job_key = argv
    store = Store("file://" + root) if "://" not in root else Store(root)
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
    func = job["func"]
    outcome: dict = {"d": down}
    try:
        value = func(*args, **kwargs)
        if inspect.iscoroutine(value):
            value = asyncio.run(value)
        payload, transfer = encode(
            value, store=store, key=job_key + ".output", inline_limit=job["inline_limit"], what="output"
        )
        outcome.update(ok=True, payload=payload, u=transfer.seconds)
    except Exception as exc:  # the task's failure is its outcome, raised again in the kernel
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            blob = dumps(exc)
            loads(blob)
        except Exception:
            blob = None
        outcome.update(ok=False, error=blob, error_type=type(exc).__name__, message=str(exc), traceback=text)
    outcome["runtime"] = time.perf_counter() - started
    store.put(job_key + ".result", dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
