"""A reusable worker: a long-lived container that runs jobs the kernel sends it.

``python -m flyte_nb._runtime.worker <socket> <worker-id> <store-root>`` connects to the
kernel's pool over a unix socket in a mounted folder (it works with ``--network none``),
proves with the handshake (``_handshake.py``) that it holds the secret the kernel gave this
worker in its environment, then runs each job it is sent (up to the pool's concurrency at once, async
jobs on this loop, sync ones in threads) and answers with the job's key and the job's
own log. Module-level state (caches, loaded models) lives as long as the worker. When the
connection ends (the pool closed, or the kernel died, even by ``kill -9``) the worker
exits at once, whatever its jobs are doing.

The messages (which job to run or cancel, which is done) are defined in ``wire/_pool.py``.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
from typing import NoReturn

from ..wire._environment import EXIT_KERNEL_GONE, POOL_SECRET_ENV
from ..wire._framing import receive, send
from ..wire._handshake import answer_challenge
from ..wire._pool import CancelJob, JobDone, RunJob, parse_order
from ..wire._secrets import SecretDelivery
from ._output import capture_job_output, job_buffer
from ._secrets import use_secrets_mount


async def serve(socket_path: str, worker_id: str, store_root: str) -> None:
    from flyte_nb._runtime._failures import failure
    from flyte_nb._runtime._job import execute
    from flyte_nb.data import _layout as layout
    from flyte_nb.data._store import Store, default_storage_options
    from flyte_nb.wire._outcome import Outcome

    store = Store(store_root, **default_storage_options())  # a bare path is a file:// store
    secret = bytes.fromhex(os.environ.pop(POOL_SECRET_ENV, ""))  # read once, then removed
    try:
        reader, writer = await asyncio.open_unix_connection(socket_path)
        await answer_challenge(reader, writer, worker_id, secret)
    except OSError as exc:  # the kernel is gone already (or this is not its socket)
        _end(f"cannot reach the kernel's pool ({exc})")
    running: dict[str, asyncio.Task[None]] = {}

    use_secrets_mount()  # the container's private tmpfs at /etc/flyte/secrets, when it has one

    async def run(key: str, seal: str | None, callback_secret: bytes, secrets: tuple[SecretDelivery, ...]) -> None:
        from flyte_nb.data._seal import Sealer

        logs: list[str] = []
        job_buffer.set(logs)
        # the worker serves many runs: each job brings its own run's key (never a file)
        job_store = store.sealed_by(Sealer.from_env(seal)) if seal else store
        try:
            await execute(job_store, key, callback_secret=callback_secret, secrets=secrets)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            from flyte_nb.data._codec import dumps

            job_store.put_sealed(layout.job_result_key(key), dumps(Outcome.failed(failure(exc)).to_dict()))
        finally:
            running.pop(key, None)
        await send(writer, JobDone(key, "".join(logs)).to_dict())

    while True:
        message = await receive(reader)
        if message is None:
            # the pool or the kernel went away: so does the worker, now (a sync job's thread
            # cannot be stopped, and nobody is left to take its result)
            _end("the kernel's pool has gone")
        order = parse_order(message)
        if isinstance(order, RunJob):
            # a fresh context per job, so each job's log buffer stays its own
            running[order.key] = contextvars.copy_context().run(
                asyncio.ensure_future, run(order.key, order.seal, bytes.fromhex(order.secret), order.secrets)
            )
        elif isinstance(order, CancelJob) and order.key in running:
            running[order.key].cancel()


def _end(reason: str) -> NoReturn:
    print(f"flyte_nb: {reason}; the worker ends itself", file=sys.__stderr__, flush=True)
    os._exit(EXIT_KERNEL_GONE)


def main(argv: list[str]) -> int:
    capture_job_output()
    asyncio.run(serve(*argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
