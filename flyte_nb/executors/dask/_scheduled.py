"""The kernel's end of task calls carried through the Dask scheduler (``callback: scheduler``).

Why events and ``Client.run``, not a ``distributed.Queue`` or Pub/Sub: a worker logs an
event on its existing connection to the scheduler (no client of its own, as a Queue would
need), the scheduler forwards it at once to the subscribed kernel's client and keeps only
the topic's last events (bounded in count; ``wire/_scheduled.py`` bounds each one's size),
while Pub/Sub drops messages without a subscriber and a Queue holds them until someone
polls. Answers go back with ``Client.run`` to the one worker process that asked, over the
scheduler's own connection to it.

Each run using this mode is a :class:`Route` (its token, its loop, the callback server it
registered with). An event is handed to its run's loop, checked there (the run's secret,
a sequence number the job has not used yet: a forged or replayed message is dropped before
anything is unpickled) and heard by the callback server as a socket's message would be.
When an attempt ends, its calls still waiting are cancelled and its job stops being heard.
"""

from __future__ import annotations

import asyncio
import contextvars
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..._runtime._scheduled import deliver_answers
from ...data import _layout as layout
from ...wire._calls import CallAnswer
from ...wire._scheduled import (
    ANSWER,
    CALL,
    CALLS_TOPIC,
    Opened,
    addressed_to,
    body_matches,
    envelope,
    open_envelope,
)
from .._callbacks import CallbackServer


@dataclass
class _Job:
    """What the kernel knows of one job's messages: which run of it speaks (``peer``: Dask
    reruns a job whose worker died), the sequence numbers taken from it (events may arrive
    out of order, so not only the last), its worker process, and its calls being answered."""

    peer: str
    worker: str
    seen: set[int] = field(default_factory=set)
    calls: set[asyncio.Task[None]] = field(default_factory=set)


class Route:
    """One run's task calls through the scheduler (lives on the run's loop)."""

    def __init__(self, client: Any, server: CallbackServer, token: str) -> None:
        self.client, self.server, self.token = client, server, token
        self.loop = server.loop
        self.jobs: dict[str, _Job] = {}
        self.ended: set[str] = set()  # jobs whose attempt ended: never heard again
        self.retired: set[tuple[str, str]] = set()  # (job, peer): earlier runs of a job
        #: messages dropped: unsealed, forged, replayed, or of an ended job
        self.refused = 0
        self._outgoing: dict[str, list[dict[str, Any]]] = {}  # worker -> sealed answers to send

    def receive(self, raw: Any) -> None:
        """An event for this run (on its loop): heard if its seal and sequence hold."""
        opened = open_envelope(raw, CALL, self._secret)
        if opened is None or opened.job in self.ended or (opened.job, opened.peer) in self.retired:
            self.refused += 1
            return
        job = self.jobs.get(opened.job)
        if job is None or job.peer != opened.peer:
            if job is not None:  # a rerun of the job: its earlier run is gone, as a closed socket
                self._retire(opened.job, job)
            job = self.jobs[opened.job] = _Job(opened.peer, opened.worker)
        if opened.seq in job.seen:  # one already taken: a replay
            self.refused += 1
            return
        job.seen.add(opened.seq)
        if opened.body is not None:
            self._hear(opened.job, job, opened.body)
        else:
            task = self.loop.create_task(self._fetch(opened, job))
            job.calls.add(task)
            task.add_done_callback(job.calls.discard)

    def _retire(self, key: str, job: _Job) -> None:
        self.retired.add((key, job.peer))
        for call in list(job.calls):
            call.cancel()

    def _secret(self, token: str) -> bytes | None:
        return self.server.known_secret(token) if token == self.token else None

    async def _fetch(self, opened: Opened, job: _Job) -> None:
        """A message too large for an event: read from the store, checked, then heard."""
        key = opened.stored
        assert key is not None  # sealed by the job: still, only ever a message of this run's
        run, store = self.server.run_of(self.token)
        if not (key.startswith(f"{layout.run_root(run)}/") and key.endswith("/message")) or ".." in key:
            self.refused += 1
            return
        try:
            body = await asyncio.to_thread(store.get, key)
            await asyncio.to_thread(store.delete, key)
        except (OSError, KeyError):
            self.refused += 1
            return
        if not body_matches(opened, body) or self.jobs.get(opened.job) is not job:
            self.refused += 1
            return
        self._hear(opened.job, job, body)

    def _hear(self, key: str, job: _Job, body: bytes) -> None:
        try:
            message = pickle.loads(body)
        except Exception:  # sealed with the run's secret, yet not a message: nothing to answer
            return

        async def reply(answer: CallAnswer) -> None:
            self._send(key, job, answer)

        if not self.server.hear(self.token, message, job.calls, reply):
            self.end_job(key)  # it spoke for another run, or nonsense: not heard further

    def _send(self, key: str, job: _Job, answer: CallAnswer) -> None:
        """Queue a sealed answer for the job's worker; a turn's answers to one worker go in
        one ``Client.run``."""
        secret = self.server.known_secret(self.token)
        if secret is None or not job.worker:
            return
        sealed = envelope(secret, ANSWER, self.token, key, job.peer, answer.id, pickle.dumps(answer.to_dict()))
        if not self._outgoing:
            self.loop.call_soon(self._flush)
        self._outgoing.setdefault(job.worker, []).append(sealed)

    def _flush(self) -> None:
        outgoing, self._outgoing = self._outgoing, {}
        for worker, answers in outgoing.items():
            # on the client's loop, from an empty context (see _executor._outside_run); a
            # worker that has gone takes its job with it, so its answers are dropped
            run = self.client._run(deliver_answers, answers, workers=[worker], on_error="ignore")
            contextvars.Context().run(asyncio.run_coroutine_threadsafe, run, self.client.loop.asyncio_loop)

    def end_job(self, key: str) -> None:
        """The attempt running job ``key`` has ended: its calls still waiting are cancelled."""
        self.ended.add(key)
        job = self.jobs.pop(key, None)
        if job is not None:
            self._retire(key, job)

    def close(self) -> None:
        for key in list(self.jobs):
            self.end_job(key)


class ScheduledCalls:
    """One cluster client's subscription to the calls topic, routing events to runs."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.routes: dict[str, Route] = {}
        client.subscribe_topic(CALLS_TOPIC, self._on_event)

    def route(self, server: CallbackServer, token: str) -> Route:
        route = self.routes[token] = Route(self.client, server, token)
        return route

    def unroute(self, token: str) -> None:
        route = self.routes.pop(token, None)
        if route is not None:
            route.close()

    def _on_event(self, event: tuple[float, Any]) -> None:  # on the client's loop
        raw = event[1]
        route = self.routes.get(addressed_to(raw)[0])
        if route is None:
            return  # another kernel's run, or one that has ended
        _call_soon(route.loop, route.receive, raw)

    def close(self) -> None:
        for token in list(self.routes):
            self.unroute(token)
        self.client.unsubscribe_topic(CALLS_TOPIC)


def _call_soon(loop: asyncio.AbstractEventLoop, func: Callable[[Any], None], arg: Any) -> None:
    try:
        loop.call_soon_threadsafe(func, arg)
    except RuntimeError:  # the run's loop has closed
        pass
