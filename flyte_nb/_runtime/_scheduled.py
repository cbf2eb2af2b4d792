"""Inside a Dask worker: a job's task calls through the scheduler (``dask: {callback: scheduler}``).

For clusters whose workers cannot open a connection to the kernel (a gateway, Kubernetes):
each message of the job's :class:`~flyte_nb._runtime._remote.RemoteController` is sealed
with the run's secret (``wire/_scheduled.py``) and logged as an event on the scheduler,
which forwards it to the kernel's client. The kernel's answers arrive by ``Client.run``
calling :func:`deliver_answers` in this worker process; each is checked against the
secret of the job it names before it is unpickled.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import threading
from collections.abc import Callable
from typing import Any

from ..data import _layout as layout
from ..data._store import Store
from ..wire._scheduled import ANSWER, CALL, CALLS_TOPIC, INLINE_BYTES, addressed_to, envelope, open_envelope

#: seconds between two looks at whether the kernel still wants this job (while calls wait)
WATCH_S = 2.0
#: job key -> its channel, while the job runs in this worker process
_channels: dict[str, SchedulerChannel] = {}
_lock = threading.Lock()


class SchedulerChannel:
    """One job's messages to the kernel, as sealed events on the scheduler."""

    def __init__(
        self,
        token: str,
        secret: bytes,
        job: str,
        run: str,
        store: Store,
        on_answer: Callable[[dict[str, Any]], None],
        on_kernel_gone: Callable[[BaseException], None],
    ) -> None:
        from distributed import get_worker

        if not secret or not job:
            raise RuntimeError("a job whose calls go through the scheduler needs its run's secret and its key")
        self.worker = get_worker()
        self.token, self.secret, self.job, self.run, self.store = token, secret, job, run, store
        self.on_answer, self.on_kernel_gone = on_answer, on_kernel_gone
        self.task_key = self.worker.get_current_task()  # the Dask task this job runs as
        self._watch: asyncio.Task[None] | None = None
        self.peer = os.urandom(8).hex()  # this run of the job (Dask may rerun it elsewhere)
        self.loop = asyncio.get_running_loop()
        self._seq = itertools.count(1)
        with _lock:
            _channels[job] = self

    async def send(self, message: dict[str, Any]) -> None:
        """Seal ``message`` and log it for the kernel (a large one through the store)."""
        self.post(await self.seal(pickle.dumps(message)))
        if self._watch is None:
            self._watch = self.loop.create_task(self._watch_kernel())

    async def _watch_kernel(self) -> None:
        """No socket tells this job that its kernel died: the scheduler does, by releasing the
        job's Dask task when the kernel's client leaves. Then the calls still waiting fail
        (as when a socket closes) and the job ends, its thread back to the worker."""
        while True:
            await asyncio.sleep(WATCH_S)
            task = self.worker.state.tasks.get(self.task_key)
            if task is None or task.state in ("cancelled", "released", "forgotten"):
                self._watch = None  # a call made after this starts watching again
                self.on_kernel_gone(
                    ConnectionError("the kernel that ran this job has gone (its Dask task was released)")
                )
                return

    async def seal(self, body: bytes) -> dict[str, Any]:
        """The envelope of ``body``, the next in this job's sequence."""
        stored = None
        if len(body) > INLINE_BYTES:
            stored = layout.callback_message_key(self.run, os.urandom(12).hex())
            await asyncio.to_thread(self.store.put, stored, body)
        seq = next(self._seq)  # after the store: numbered in the order they are posted
        return envelope(
            self.secret, CALL, self.token, self.job, self.peer, seq, body, worker=self.worker.address, stored=stored
        )

    def post(self, sealed: dict[str, Any]) -> None:
        self.worker.log_event(CALLS_TOPIC, sealed)

    def secret_of(self, token: str) -> bytes | None:
        """The secret this job's answers are sealed with, if ``token`` is its run's."""
        return self.secret if token == self.token else None

    def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        with _lock:
            if _channels.get(self.job) is self:
                del _channels[self.job]


def deliver_answers(envelopes: list[dict[str, Any]]) -> int:
    """Hand the kernel's answers to the jobs they name (run by ``Client.run`` in this worker
    process); returns how many were taken. An answer whose seal does not hold is dropped."""
    taken = 0
    for raw in envelopes:
        with _lock:
            channel = _channels.get(addressed_to(raw)[1])
        if channel is None:
            continue  # the job has ended: nobody waits for this answer
        opened = open_envelope(raw, ANSWER, channel.secret_of)
        if opened is None or opened.body is None or opened.peer != channel.peer:
            continue  # not sealed by the kernel, or an answer to an earlier run of the job
        try:
            channel.loop.call_soon_threadsafe(channel.on_answer, pickle.loads(opened.body))
        except RuntimeError:  # the job's loop has just closed
            continue
        taken += 1
    return taken
