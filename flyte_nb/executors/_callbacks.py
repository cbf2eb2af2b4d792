"""Task calls made inside containers become actions of the kernel's run.

An action running in a container (cold or on a reusable worker) that calls a task does not
run it inline: the call travels over a unix socket (in a folder mounted into every
container) to this server, on the kernel's loop, which starts it as a child action of the
calling action through the run's own controller. So every action, however deep, gets its
own container, limits, retries and a row in the widget, exactly as if the parent had run
in the kernel. One server per event loop serves every run on it; a run's executor
registers its controller under a token that its jobs carry.

Nobody else may: each run registered here gets its own secret (``secrets.token_bytes``),
and a connection is served only after the challenge-response of ``wire/_handshake.py``
proved that it holds the secret of the run it speaks for (nothing is unpickled before), and
then only for that run. The secret reaches a container through its environment, a Dask job
inside the job itself, a reusable worker's job over the pool's own authenticated socket:
never through a file. The folder is 0700 and the socket 0600 (:meth:`CallbackServer.hand_to`
gives them to the containers' user); the server listens only while some run needs it.
Workers on other machines (a Dask cluster) reach the same server over TCP, with the same
handshake, or send their messages through the Dask scheduler, each sealed with the run's
secret (``dask/_scheduled.py``), which :meth:`CallbackServer.hear` then hears as it hears a
socket's. A one-shot container also keeps a *lifeline* connection open: when the kernel
dies the connection ends and the container ends itself (``_runtime/_lifeline.py``).

The messages are those of ``wire/_calls.py``: a :class:`~flyte_nb.wire._calls.SubmitCall`
is answered with a :class:`~flyte_nb.wire._calls.CallAnswer` (the child's output or its
failure); a ``SemaphoresUpdate`` updates the gauges of semaphores made in the container,
a ``TracesUpdate`` the trace steps of the running action (neither is answered).
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from .._runtime._failures import failure
from ..data import _layout as layout
from ..data._codec import decode_inputs, encode, fits_inline, loads
from ..model._context import ActionContext
from ..model._gauge import SemaphoreGauge
from ..model._records import CallSite
from ..model._task import original_task
from ..wire._calls import (
    CallAnswer,
    GroupSpec,
    MalformedCallError,
    SemaphoresUpdate,
    SubmitCall,
    TracesUpdate,
    parse_call,
)
from ..wire._environment import SECRET_ENV, SOCKET_ENV, TOKEN_ENV
from ..wire._framing import frame, receive
from ..wire._handshake import challenge
from ..wire._job import CallbackAddress
from ._loop_end import on_loop_end

#: where the folder holding the socket is mounted in containers
CALLBACK_DIR_IN_CONTAINER = "/run/flyte_nb_callbacks"
SOCKET_NAME = "callbacks.sock"
MAX_TASKS = 256

_servers: dict[int, CallbackServer] = {}


class CallbackServer:
    """Answers the task calls of containers of one event loop's runs."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # 0700 (mkdtemp's mode): only this user, and the containers' user once handed to it.
        # The folder lives as long as the loop (reusable workers keep it mounted across
        # runs); the socket in it only while some run needs it.
        self.folder = tempfile.mkdtemp(prefix="flyte_nb-cb-")
        self.path = os.path.join(self.folder, SOCKET_NAME)
        self._server: asyncio.AbstractServer | None = None
        self._tcp: asyncio.Server | None = None
        self._starting = asyncio.Lock()
        self._owner: tuple[int, int] | None = None
        self._secrets: dict[str, bytes] = {}  # run token -> that run's secret
        self._connections: dict[str, set[asyncio.StreamWriter]] = {}  # run token -> its peers
        self._controllers: dict[str, Any] = {}
        self._tasks: dict[bytes, Any] = {}  # pickle -> task: one object per task, so groups match
        self._groups: dict[tuple[str, int, str], Any] = {}
        self._gauges: dict[tuple[str, int, int], SemaphoreGauge] = {}  # of semaphores in containers
        self._tokens = itertools.count()
        self._nonce = uuid.uuid4().hex[:12]  # with a counter: the store keys of offloaded call outputs
        self._outputs = itertools.count()

    @property
    def listening(self) -> bool:
        """Whether the unix socket takes connections (only while some run is registered)."""
        return self._server is not None

    async def start(self) -> None:
        """Listen on the unix socket (0600), unless already listening."""
        async with self._starting:
            if self._server is None:
                self._server = await asyncio.start_unix_server(self._serve_peer, path=self.path)
                os.chmod(self.path, 0o600)
                self._give_away()

    def hand_to(self, uid: int, gid: int) -> None:
        """Give the folder and socket to the user containers run as (they stay 0700/0600:
        that user and this one's root, nobody else). Kept for the socket made next time."""
        self._owner = (uid, gid)
        self._give_away()

    def _give_away(self) -> None:
        if self._owner is None:
            return
        os.chown(self.folder, *self._owner)
        if os.path.exists(self.path):
            os.chown(self.path, *self._owner)

    async def listen_tcp(self, host: str) -> str:
        """Also take calls over TCP on ``host`` (for workers on other machines, such as a Dask
        cluster's); returns the address to give them, ``tcp://host:port``. A connection must
        pass the handshake before anything it sends is unpickled, as on the unix socket."""
        if self._tcp is None:
            self._tcp = await asyncio.start_server(self._serve_peer, host=host, port=0)
        port = self._tcp.sockets[0].getsockname()[1]
        return f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"

    async def _serve_peer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A new connection: served for the run whose secret it proves it holds, else closed."""
        token = await challenge(reader, writer, self._secrets.get)
        if token is None or token not in self._controllers:
            writer.close()
            return
        peers = self._connections.setdefault(token, set())
        peers.add(writer)
        try:
            await self._serve(reader, writer, token)
        except asyncio.CancelledError:
            pass  # the loop is ending (nobody awaits this task: asyncio 3.11 would log the cancel)
        finally:
            peers.discard(writer)

    def register(self, controller: Any) -> str:
        """A token that jobs of ``controller``'s run carry so their calls reach it (the run
        gets its own secret with it)."""
        token = f"{next(self._tokens)}-{uuid.uuid4().hex[:8]}"
        self._controllers[token] = controller
        self._secrets[token] = secrets.token_bytes(32)
        return token

    def secret_of(self, token: str) -> bytes:
        """The secret of a registered run (for a job that travels an authenticated way)."""
        return self._secrets[token]

    def known_secret(self, token: str) -> bytes | None:
        """The secret of ``token``'s run while it is registered, else None."""
        return self._secrets.get(token)

    def run_of(self, token: str) -> tuple[str, Any]:
        """The name and store of ``token``'s run (registered)."""
        controller = self._controllers[token]
        return controller.name, controller.data.store

    def container_environment(self, token: str) -> dict[str, str]:
        """Environment variables of a one-shot container of the run: where its lifeline
        and task calls go, and the run's secret (never written to a file)."""
        return {
            SOCKET_ENV: f"{CALLBACK_DIR_IN_CONTAINER}/{SOCKET_NAME}",
            TOKEN_ENV: token,
            SECRET_ENV: self._secrets[token].hex(),
        }

    def job_callback(
        self, token: str, run: str, action: Any, socket: str, *, with_secret: bool = False
    ) -> CallbackAddress:
        """What a job of ``action`` carries so its task calls reach this server: ``socket``
        (the unix socket's path as the job sees it, or ``tcp://host:port``), the run's token,
        the calling action and its stable path (trace checkpoints use it). The run's secret
        only ``with_secret``, for a job that never lands in a file (a Dask task's argument)."""
        return CallbackAddress(
            socket=socket,
            token=token,
            run=run,
            parent=action.id,
            path=self._controllers[token].action_path(action),
            secret=self._secrets[token].hex() if with_secret else "",
        )

    def unregister(self, token: str) -> None:
        """The run has ended: its secret stops opening anything, its connections (lifelines
        of containers that somehow outlived it) close, and with the last run the server
        stops listening."""
        self._controllers.pop(token, None)
        self._secrets.pop(token, None)
        for writer in self._connections.pop(token, set()):
            writer.close()
        for key in [k for k in self._groups if k[0] == token]:
            del self._groups[key]
        for gauge in [k for k in self._gauges if k[0] == token]:
            del self._gauges[gauge]
        if not self._controllers:
            self._stop_listening()

    def _stop_listening(self) -> None:
        for server in (self._server, self._tcp):
            if server is not None:
                server.close()
        self._server = self._tcp = None
        for peers in self._connections.values():
            for writer in peers:
                writer.close()
        self._connections.clear()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str) -> None:
        calls: set[asyncio.Task[None]] = set()
        lock = asyncio.Lock()
        waiting: list[bytes] = []  # answers of this loop turn, written together

        async def reply(answer: CallAnswer) -> None:
            waiting.append(frame(answer.to_dict()))
            if len(waiting) > 1:
                return  # the first answer of this turn writes it
            await asyncio.sleep(0)  # the other answers of this turn join it: one write for a fanout's
            frames = waiting.copy()
            waiting.clear()
            async with lock:
                writer.write(b"".join(frames))
                await writer.drain()

        try:
            while (message := await receive(reader)) is not None:
                if not self.hear(token, message, calls, reply):
                    break
        finally:
            # the container is gone (ended, killed, cancelled): so are the calls it waited on
            for call in calls:
                call.cancel()
            writer.close()

    def hear(
        self,
        token: str,
        message: Any,
        calls: set[asyncio.Task[None]],
        reply: Callable[[CallAnswer], Awaitable[None]],
    ) -> bool:
        """One message from a job of run ``token`` (whose secret it proved): a report applied,
        or a call started (tracked in ``calls``; its answer goes to ``reply``). False: the
        peer is not heard further (it spoke for another run, or nonsense)."""
        try:
            received: SubmitCall | SemaphoresUpdate | TracesUpdate | MalformedCallError = parse_call(message)
        except MalformedCallError as bad:
            received = bad
        if received.run != token:  # a peer speaks for the run it proved, only
            return False
        if isinstance(received, SemaphoresUpdate):
            self._semaphores(received)
            return True
        if isinstance(received, TracesUpdate):
            self._traces(received)
            return True
        if isinstance(received, MalformedCallError) and received.reply_to is None:
            return False  # nothing to answer: a peer that speaks nonsense is not heard further
        call = asyncio.ensure_future(self._answer(received, reply))
        calls.add(call)
        call.add_done_callback(calls.discard)
        return True

    async def _answer(
        self, message: SubmitCall | MalformedCallError, reply: Callable[[CallAnswer], Awaitable[None]]
    ) -> None:
        if isinstance(message, MalformedCallError):
            answer = CallAnswer(message.reply_to, False, failure=failure(message))
        else:
            answer = await self._submit(message)
        await reply(answer)

    async def _submit(self, call: SubmitCall) -> CallAnswer:
        try:
            controller = self._controllers.get(call.run)
            if controller is None:
                raise RuntimeError("the run this action belongs to has ended")
            store = controller.data.store
            parent = controller.actions[call.parent]
            task = self._task(call.task)
            args, kwargs = await _decode_inputs(call.args, call.kwargs, store)
            group = self._group(call.run, controller, parent, call.group)
            calling = ActionContext(controller, parent, group, call.custom_context)
            value = await controller.submit(task, args, kwargs, calling, None)
            key = layout.callback_output_key(controller.name, f"{self._nonce}-{next(self._outputs)}")
            if fits_inline(value, task.max_inline_io_bytes):  # a few bytes: no thread hop, no store
                payload, _ = encode(value, store=None, key=key, inline_limit=task.max_inline_io_bytes, what="output")
            else:
                payload, _ = await asyncio.to_thread(
                    encode, value, store=store, key=key, inline_limit=task.max_inline_io_bytes, what="output"
                )
            return CallAnswer(call.id, True, payload)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return CallAnswer(call.id, False, failure=failure(exc))

    def _task(self, blob: bytes) -> Any:
        # the pickle itself is the key: a dict lookup hashes it in C, holding the GIL, where a
        # sha256 of a few KB per call would let Dask's client thread in for its time slice
        task = self._tasks.get(blob)
        if task is None:
            if len(self._tasks) >= MAX_TASKS:
                self._tasks.pop(next(iter(self._tasks)))
            task = self._tasks[blob] = original_task(loads(blob))
        return task

    def _group(self, token: str, controller: Any, parent: Any, spec: GroupSpec | None) -> Any:
        """The kernel's group for a group (map or flyte.group) opened in a container."""
        if spec is None:
            return None
        key = (token, parent.id, spec.key)
        group = self._groups.get(key)
        if group is None:
            if spec.kind == "map":
                group = controller.map_group(parent.id, spec.name, spec.concurrency, None, spec.expected)
            else:
                group = controller.named_group(parent.id, spec.name)
            self._groups[key] = group
        return group

    def _semaphores(self, update: SemaphoresUpdate) -> None:
        """Gauges of semaphores that an action's code made in its container, for the widget."""
        controller = self._controllers.get(update.run)
        if controller is None:
            return
        for reported in update.gauges:
            key = (update.run, update.parent, reported.index)
            gauge = self._gauges.get(key)
            if gauge is None:
                site = CallSite(*reported.site)
                gauge = self._gauges[key] = SemaphoreGauge(reported.limit, site=site, parent_action=update.parent)
                controller.semaphores.append(gauge)
            gauge.held, gauge.waiting = reported.held, reported.waiting
        controller.changed()

    def _traces(self, update: TracesUpdate) -> None:
        """The trace steps of an action still running in a container or on a worker."""
        controller = self._controllers.get(update.run)
        if controller is None:
            return
        try:
            traces = loads(update.traces)
        except Exception:  # a value only the container can load: its outcome will tell
            return
        controller.actions[update.parent].traces = traces
        controller.changed()

    async def close(self) -> None:
        self._controllers.clear()
        self._secrets.clear()
        self._stop_listening()
        shutil.rmtree(self.folder, ignore_errors=True)


async def _decode_inputs(args: list[Any], kwargs: dict[str, Any], store: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if any(p.offloaded for p in args) or any(p.offloaded for p in kwargs.values()):
        values, named, _ = await asyncio.to_thread(decode_inputs, args, kwargs, store)  # store reads: off the loop
    else:
        values, named, _ = decode_inputs(args, kwargs, store)
    return values, named


async def register_current_run() -> tuple[CallbackServer, str]:
    """The running loop's server, and the token of the run whose action is current (an
    executor's ``submit`` runs inside its run's controller)."""
    from ..model._context import current

    ctx = current.get()
    assert ctx is not None, "an executor registers from inside a run's controller"
    server = _server_of_loop()
    token = server.register(ctx.controller)  # before listening: no other run's end stops it
    await server.start()
    return server, token


def _server_of_loop() -> CallbackServer:
    loop = asyncio.get_running_loop()
    server = _servers.get(id(loop))
    if server is None or server.loop is not loop:
        server = _servers[id(loop)] = CallbackServer(loop)
        on_loop_end("callback server", lambda: close_callback_server(loop), loop)
    return server


async def callback_server() -> CallbackServer:
    """The server of the running loop, listening (it stops when its last run unregisters)."""
    server = _server_of_loop()
    await server.start()
    return server


async def close_callback_server(loop: asyncio.AbstractEventLoop) -> None:
    server = _servers.pop(id(loop), None)
    if server is not None and server.loop is loop:
        await server.close()


@atexit.register
def _remove_folders_at_exit() -> None:
    for server in list(_servers.values()):
        shutil.rmtree(server.folder, ignore_errors=True)
