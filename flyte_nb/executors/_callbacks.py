"""Task calls made inside containers become actions of the kernel's run.

An action running in a container (cold or on a reusable worker) that calls a task does not
run it inline: the call travels over a unix socket (in a folder mounted into every
container) to this server, on the kernel's loop, which starts it as a child action of the
calling action through the run's own controller. So every action, however deep, gets its
own container, limits, retries and a row in the widget, exactly as if the parent had run
in the kernel. One server per event loop serves every run on it; a run's executor
registers its controller under a token that its jobs carry.

Workers on other machines (a Dask cluster) reach the same server over TCP, after saying a
secret they got with their job. Messages (see ``_runtime/_wire.py``): ``{"id", "op":
"submit", "run", "parent", "group", "task", "args", "kwargs"}`` → ``{"id", "ok": True,
"payload"}`` or ``{"id", "ok": False, ...failure}``; ``{"op": "semaphores", "run",
"parent", "gauges"}`` (no answer) updates the gauges of semaphores made in the container,
``{"op": "traces", "run", "parent", "traces"}`` (no answer) the trace steps of the
running action.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import hmac
import itertools
import os
import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any

from .._context import ActionContext
from .._runtime._job import failure
from .._runtime._wire import receive, send
from .._task import original_task
from ..data._codec import decode_inputs, encode, loads
from ..orchestrator._records import CallSite

#: where the folder holding the socket is mounted in containers
CALLBACK_DIR_IN_CONTAINER = "/run/flyte_nb_callbacks"
SOCKET_NAME = "callbacks.sock"
MAX_TASKS = 256
#: seconds a TCP client has to say the secret
HANDSHAKE_TIMEOUT_S = 10.0

_servers: dict[int, CallbackServer] = {}


@dataclass(slots=True)
class RemoteSemaphore:
    """The gauge of a semaphore in a container, as last reported (read by the widget)."""

    limit: int
    held: int = 0
    waiting: int = 0
    site: CallSite | None = None
    parent_action: int | None = None


class CallbackServer:
    """Answers the task calls of containers of one event loop's runs."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.folder = tempfile.mkdtemp(prefix="flyte_nb-cb-")
        os.chmod(self.folder, 0o777)  # containers may run as another user
        self.path = os.path.join(self.folder, SOCKET_NAME)
        self._server: asyncio.AbstractServer | None = None
        self._tcp: asyncio.AbstractServer | None = None
        #: what a TCP client must send first (the unix socket is guarded by its folder instead)
        self.secret = secrets.token_hex(16)
        self._controllers: dict[str, Any] = {}
        self._tasks: dict[str, Any] = {}  # pickle hash -> task: one object per task, so groups match
        self._groups: dict[tuple[str, int, str], Any] = {}
        self._gauges: dict[tuple[str, int, int], RemoteSemaphore] = {}
        self._tokens = itertools.count()

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._serve, path=self.path)
        os.chmod(self.path, 0o777)

    async def listen_tcp(self, host: str) -> str:
        """Also take calls over TCP on ``host`` (for workers on other machines, such as a Dask
        cluster's); returns the address to give them, ``tcp://host:port``. A connection must
        first send :attr:`secret`, or it is closed before anything it sends is read."""
        if self._tcp is None:
            self._tcp = await asyncio.start_server(self._serve_tcp, host=host, port=0)
        port = self._tcp.sockets[0].getsockname()[1]
        return f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        expected = self.secret.encode()
        try:
            said = await asyncio.wait_for(reader.readexactly(len(expected)), HANDSHAKE_TIMEOUT_S)
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            said = b""
        if not hmac.compare_digest(said, expected):
            writer.close()
            return
        await self._serve(reader, writer)

    def register(self, controller: Any) -> str:
        """A token that jobs of ``controller``'s run carry so their calls reach it."""
        token = f"{next(self._tokens)}-{uuid.uuid4().hex[:8]}"
        self._controllers[token] = controller
        return token

    def job_callback(self, token: str, run: str, action: Any, socket: str) -> dict[str, Any]:
        """What a job of ``action`` carries so its task calls reach this server: ``socket``
        (the unix socket's path as the job sees it, or ``tcp://host:port``), the secret, the
        run's token, the calling action and its stable path (trace checkpoints use it)."""
        return {
            "socket": socket,
            "secret": self.secret,
            "token": token,
            "run": run,
            "parent": action.id,
            "path": self._controllers[token].action_path(action),
        }

    def unregister(self, token: str) -> None:
        self._controllers.pop(token, None)
        for key in [k for k in self._groups if k[0] == token]:
            del self._groups[key]
        for key in [k for k in self._gauges if k[0] == token]:
            del self._gauges[key]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        calls: set[asyncio.Task[None]] = set()
        lock = asyncio.Lock()

        async def answer(message: dict[str, Any]) -> None:
            reply = await self._submit(message)
            async with lock:
                await send(writer, reply)

        try:
            while (message := await receive(reader)) is not None:
                if message.get("op") == "semaphores":
                    self._semaphores(message)
                    continue
                if message.get("op") == "traces":
                    self._traces(message)
                    continue
                call = asyncio.ensure_future(answer(message))
                calls.add(call)
                call.add_done_callback(calls.discard)
        finally:
            # the container is gone (ended, killed, cancelled): so are the calls it waited on
            for call in calls:
                call.cancel()
            writer.close()

    async def _submit(self, message: dict[str, Any]) -> dict[str, Any]:
        reply_to = message["id"]
        try:
            controller = self._controllers.get(message["run"])
            if controller is None:
                raise RuntimeError("the run this action belongs to has ended")
            store = controller.data.store
            parent = controller.actions[message["parent"]]
            task = self._task(message["task"])
            args, kwargs = await _decode_inputs(message["args"], message["kwargs"], store)
            group = self._group(message["run"], controller, parent, message.get("group"))
            value = await controller.submit(task, args, kwargs, ActionContext(controller, parent, group), None)
            key = f"runs/{controller.name}/callbacks/{uuid.uuid4().hex}/output"
            payload, _ = await asyncio.to_thread(
                encode, value, store=store, key=key, inline_limit=task.max_inline_io_bytes, what="output"
            )
            return {"id": reply_to, "ok": True, "payload": payload}
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return {"id": reply_to, **failure(exc)}

    def _task(self, blob: bytes) -> Any:
        key = hashlib.sha256(blob).hexdigest()
        task = self._tasks.get(key)
        if task is None:
            if len(self._tasks) >= MAX_TASKS:
                self._tasks.pop(next(iter(self._tasks)))
            task = self._tasks[key] = original_task(loads(blob))
        return task

    def _group(self, token: str, controller: Any, parent: Any, spec: dict[str, Any] | None) -> Any:
        """The kernel's group for a group (map or flyte.group) opened in a container."""
        if spec is None:
            return None
        key = (token, parent.id, spec["key"])
        group = self._groups.get(key)
        if group is None:
            if spec["kind"] == "map":
                group = controller.map_group(parent.id, spec["name"], spec["concurrency"], None, spec["expected"])
            else:
                group = controller.named_group(parent.id, spec["name"])
            self._groups[key] = group
        return group

    def _semaphores(self, message: dict[str, Any]) -> None:
        """Gauges of semaphores that an action's code made in its container, for the widget."""
        controller = self._controllers.get(message["run"])
        if controller is None:
            return
        for index, (filename, line, function), limit, held, waiting in message["gauges"]:
            key = (message["run"], message["parent"], index)
            gauge = self._gauges.get(key)
            if gauge is None:
                site = CallSite(filename, line, function)
                gauge = self._gauges[key] = RemoteSemaphore(limit, site=site, parent_action=message["parent"])
                controller.semaphores.append(gauge)
            gauge.held, gauge.waiting = held, waiting
        controller._changed()

    def _traces(self, message: dict[str, Any]) -> None:
        """The trace steps of an action still running in a container or on a worker."""
        controller = self._controllers.get(message["run"])
        if controller is None:
            return
        try:
            traces = loads(message["traces"])
        except Exception:  # a value only the container can load: its outcome will tell
            return
        controller.actions[message["parent"]].traces = traces
        controller._changed()

    async def close(self) -> None:
        for server in (self._server, self._tcp):
            if server is not None:
                server.close()
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
    from .._context import current

    ctx = current.get()
    assert ctx is not None, "an executor registers from inside a run's controller"
    server = await callback_server()
    return server, server.register(ctx.controller)


async def callback_server() -> CallbackServer:
    """The server of the running loop, started on first use."""
    loop = asyncio.get_running_loop()
    server = _servers.get(id(loop))
    if server is None or server.loop is not loop:
        server = CallbackServer(loop)
        await server.start()
        _servers[id(loop)] = server
    return server


async def close_callback_server(loop: asyncio.AbstractEventLoop) -> None:
    server = _servers.pop(id(loop), None)
    if server is not None and server.loop is loop:
        await server.close()


@atexit.register
def _remove_folders_at_exit() -> None:
    for server in list(_servers.values()):
        shutil.rmtree(server.folder, ignore_errors=True)
