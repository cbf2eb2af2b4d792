"""A reusable worker: a long-lived container that runs jobs the kernel sends it.

``python -m flyte_nb._runtime.worker <socket> <worker-id> <store-root>`` connects to the
kernel's pool over a unix socket in a mounted folder (it works with ``--network none``),
says hello, then runs each job it is sent (up to the pool's concurrency at once, async
jobs on this loop, sync ones in threads) and answers with the job's key and the job's
own log. Module-level state (caches, loaded models) lives as long as the worker.

Messages are length-prefixed pickles of small dicts: ``{"hello": id}`` → kernel,
``{"run": key, "seal": run key}`` / ``{"cancel": key}`` → worker, ``{"done": key, "logs": text}`` → kernel.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys

from ._output import capture_job_output, job_buffer
from ._wire import receive, send


async def serve(socket_path: str, worker_id: str, store_root: str) -> None:
    from flyte_nb._runtime._job import execute, failure
    from flyte_nb.data._store import Store, default_storage_options

    store = Store(store_root, **default_storage_options())  # a bare path is a file:// store
    reader, writer = await asyncio.open_unix_connection(socket_path)
    await send(writer, {"hello": worker_id})
    running: dict[str, asyncio.Task[None]] = {}

    async def run(key: str, seal: str | None) -> None:
        from flyte_nb.data._seal import Sealer

        logs: list[str] = []
        job_buffer.set(logs)
        # the worker serves many runs: each job brings its own run's key (never a file)
        job_store = store.sealed_by(Sealer.from_env(seal)) if seal else store
        try:
            await execute(job_store, key)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            from flyte_nb.data._codec import dumps

            job_store.put_sealed(key + ".result", dumps(failure(exc)))
        finally:
            running.pop(key, None)
        await send(writer, {"done": key, "logs": "".join(logs)})

    while True:
        message = await receive(reader)
        if message is None:
            break  # the kernel went away: so does the worker
        if "run" in message:
            key = message["run"]
            # a fresh context per job, so each job's log buffer stays its own
            running[key] = contextvars.copy_context().run(asyncio.ensure_future, run(key, message.get("seal")))
        elif "cancel" in message and message["cancel"] in running:
            running[message["cancel"]].cancel()
    for task in running.values():
        task.cancel()


def main(argv: list[str]) -> int:
    capture_job_output()
    asyncio.run(serve(*argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
