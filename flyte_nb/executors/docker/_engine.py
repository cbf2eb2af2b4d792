"""One Docker engine as this process uses it: its own threads, and container exits as events.

The docker SDK blocks, so its calls run in threads; but never in asyncio's default executor,
which the kernel shares with everything else (and which has ``cpu + 4`` threads): a
container's ``wait`` would hold a thread for the action's whole life, and with more
containers than threads a kill queued behind the waits could not run until a container
ended by itself. Here instead:

* one thread per engine follows the engine's ``die`` events of this process's containers
  and resolves the future of the container that ended, so waiting for a container holds no
  thread at all;
* blocking calls (create, start, inspect, logs) run in a small pool of their own
  (:data:`CALL_THREADS`), and kills in another (:data:`KILL_THREADS`), so a cancel never
  queues behind starts or behind anything the kernel does in the default executor.

A cancelled run therefore ends as soon as its containers are killed, whatever the number
of containers or the size of the default executor.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: threads for blocking engine calls (create, start, inspect, logs, image checks)
CALL_THREADS = 8
#: threads for kills: a cancel of many containers kills them side by side (a kill mostly
#: waits for the engine, so a thread per running container costs little)
KILL_THREADS = 32
#: seconds a kill is waited for before the caller moves on (the kill goes on in its thread)
KILL_WAIT_S = 5.0
#: seconds between attempts to follow the engine's events again after the stream broke
RESUBSCRIBE_S = 0.5

_engines: dict[tuple[str | None, int], Engine] = {}
_engines_lock = threading.Lock()


class Engine:
    """The thread pools and the exit follower of one Docker engine (``host``) in this process."""

    def __init__(self, host: str | None) -> None:
        self.host = host
        # threads start on first use: making an Engine starts nothing
        self.calls = concurrent.futures.ThreadPoolExecutor(CALL_THREADS, thread_name_prefix="flyte_nb-docker")
        self.kills = concurrent.futures.ThreadPoolExecutor(KILL_THREADS, thread_name_prefix="flyte_nb-docker-kill")
        self._exits: dict[str, concurrent.futures.Future[int | None]] = {}
        self._lock = threading.Lock()
        self._follower: threading.Thread | None = None
        self._stream: Any = None
        self._label = ""

    # ------------------------------------------------------------------ calls
    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the engine's call pool (a cancel stops the wait, not the call)."""
        return await asyncio.get_running_loop().run_in_executor(self.calls, fn, *args)

    async def kill(self, container: Any) -> None:
        """Kill and remove ``container``, waiting at most :data:`KILL_WAIT_S` for it; the
        removal goes on in its thread if the engine is slower, and a cancel of the caller
        never stops it."""
        removal = asyncio.wrap_future(self.kills.submit(kill_container, container))
        try:
            await asyncio.wait_for(asyncio.shield(removal), KILL_WAIT_S)
        except asyncio.TimeoutError:
            removal.add_done_callback(_retrieve)

    def kill_soon(self, container: Any) -> None:
        """Kill and remove ``container`` without waiting (from any thread or callback)."""
        self.kills.submit(kill_container, container)

    # ------------------------------------------------------------------ exits
    def follow(self, label: str) -> None:
        """Start following the engine's ``die`` events of containers labelled ``label`` (once;
        blocking: call it in a thread). Subscribed when this returns: a container started
        afterwards cannot end unseen."""
        with self._lock:
            if self._follower is not None:
                return
            self._label = label
            self._stream = self._subscribe()
            self._follower = threading.Thread(target=self._follow, name="flyte_nb-docker-events", daemon=True)
            self._follower.start()

    def expect_exit(self, container_id: str) -> concurrent.futures.Future[int | None]:
        """A future of ``container_id``'s exit code (None when unknown: it was removed),
        registered before the container starts so its end cannot be missed."""
        future: concurrent.futures.Future[int | None] = concurrent.futures.Future()
        with self._lock:
            self._exits[container_id] = future
        return future

    def forget(self, container_id: str) -> None:
        with self._lock:
            self._exits.pop(container_id, None)

    def _subscribe(self) -> Any:
        from ._images import engine_client

        # a client of its own: the stream holds its connection for as long as it runs
        client = engine_client(self.host)
        return client.events(decode=True, filters={"event": "die", "label": self._label})

    def _follow(self) -> None:
        stream = self._stream
        while True:
            try:
                for event in stream:
                    attributes = event.get("Actor", {}).get("Attributes", {})
                    code = attributes.get("exitCode")
                    self._resolve(event.get("id") or event.get("Actor", {}).get("ID", ""), _int(code))
            except Exception:  # the stream broke (engine restart, closed connection): follow again
                pass
            stream = self._resubscribe()

    def _resubscribe(self) -> Any:
        """Follow again, then settle every container that ended while nobody listened."""
        import docker

        while True:
            time.sleep(RESUBSCRIBE_S)
            try:
                stream = self._subscribe()
                break
            except docker.errors.DockerException:
                continue
        from ._images import engine_client

        client = engine_client(self.host)
        with self._lock:
            pending = list(self._exits)
        for container_id in pending:
            try:
                state = client.api.inspect_container(container_id)["State"]
            except docker.errors.NotFound:
                self._resolve(container_id, None)
                continue
            except docker.errors.DockerException:
                continue
            if not state.get("Running") and state.get("Status") not in ("created", "restarting"):
                self._resolve(container_id, _int(state.get("ExitCode")))
        return stream

    def _resolve(self, container_id: str, code: int | None) -> None:
        with self._lock:
            future = self._exits.pop(container_id, None)
        if future is not None and not future.done():
            try:
                future.set_result(code)
            except concurrent.futures.InvalidStateError:  # cancelled meanwhile: nobody waits
                pass


def engine_for(host: str | None) -> Engine:
    """The engine ``host`` of this process (a forked child gets its own)."""
    key = (host, os.getpid())
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = Engine(host)
        return engine


def kill_container(container: Any) -> None:
    """Kill ``container`` and remove it, in one call to the engine (gone already is fine)."""
    import docker

    try:
        container.remove(force=True)  # SIGKILL, then removal: one round trip, not two
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if exc.status_code != 409:  # 409: its removal is already in progress
            raise


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
