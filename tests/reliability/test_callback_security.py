"""Item 1 of issue 12: the callback channel and the pool socket run nobody's code in the kernel.

A stranger (another uid, or the notebook's own uid without the run's secret) that connects
to a live run's callback socket, its reusable-worker pool socket or a Dask run's TCP
callback and sends a pickle whose ``__reduce__`` writes a file: the file never appears, the
run succeeds, the folders are 0700 and the sockets 0600, and the callback server is gone
once the run has ended.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import subprocess
import sys
import time

import pytest
from docker_support import IMAGE
from support import require_dask

import flyte_nb as flyte

#: connects to argv[1] (a unix socket's path or tcp://host:port) and sends, at once, a
#: length-prefixed pickle that creates the file argv[2] when unpickled; prints what happened
ATTACK = r"""
import pickle, socket, struct, sys
address, marker = sys.argv[1:3]

class Evil:
    def __reduce__(self):
        return (open, (marker, "w"))  # unpickling it creates the marker, as the kernel's user

data = pickle.dumps({"id": 1, "op": "submit", "run": "0", "hello": "w0", "task": Evil()})
try:
    if address.startswith("tcp://"):
        host, _, port = address[len("tcp://"):].rpartition(":")
        sock = socket.create_connection((host, int(port)), timeout=10)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(address)
    sock.sendall(struct.pack("!I", len(data)) + data)
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(2)
    try:
        while sock.recv(4096):  # until the kernel closes it (or a short while)
            pass
    except socket.timeout:
        pass
    print("sent")
except OSError as exc:
    print("refused", type(exc).__name__)
"""

oneshot = flyte.TaskEnvironment("security_oneshot")
pooled = flyte.TaskEnvironment("security_pool", reuse_policy=flyte.ReusePolicy(replicas=1, idle_ttl=60))


@pooled.task
async def square(x: int) -> int:
    return x * x


@oneshot.task
async def calls_then_holds(n: int, hold: float) -> list[int]:
    values = list(await asyncio.gather(*[square(i) for i in range(n)]))  # task calls through the kernel
    await asyncio.sleep(hold)  # the run stays live while the strangers try
    return values


def attack(address: str, marker: str, *, uid: int | None = None) -> str:
    """Run the attacker (as ``uid`` when given) and return what it printed."""
    command = [sys.executable, "-c", ATTACK, address, marker]
    if uid is not None:
        command = ["setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def until(predicate, seconds: float = 120.0):
    """Poll ``predicate`` until it gives something true (bounded)."""
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)
    return value


def _live_server():
    from flyte_nb.executors import _callbacks

    return next((s for s in _callbacks._servers.values() if os.path.exists(s.path)), None)


def _ready_pool():
    from flyte_nb.executors.docker import _pool

    for pool in _pool._pools.values():
        if pool.env.name == "security_pool" and any(w.ready.done() for w in pool.workers.values()):
            return pool
    return None


@pytest.mark.skipif(os.geteuid() != 0, reason="another uid needs root (setpriv), as in CI")
def test_strangers_on_the_callback_and_pool_sockets_run_nothing_in_the_kernel(docker_client, tmp_path):
    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE})
    markers = {name: str(tmp_path / f"pwned-{name}") for name in ("cb-other", "cb-same", "pool-other", "pool-same")}

    async def notebook():
        run = await flyte.run.aio(calls_then_holds, 3, 4.0)
        pool = await until(_ready_pool)
        server = await until(_live_server)
        await until(lambda: run.controller.actions and run.controller.actions[-1].state == "succeeded")
        modes = {
            "cb folder": mode(server.folder),
            "cb socket": mode(server.path),
            "pool folder": mode(pool.folder),
            "pool socket": mode(pool.socket),
        }
        said = dict(
            zip(
                markers,
                await asyncio.gather(
                    asyncio.to_thread(attack, server.path, markers["cb-other"], uid=65534),
                    asyncio.to_thread(attack, server.path, markers["cb-same"]),
                    asyncio.to_thread(attack, pool.socket, markers["pool-other"], uid=65534),
                    asyncio.to_thread(attack, pool.socket, markers["pool-same"]),
                ),
                strict=True,
            )
        )
        live_during_attacks = not run.done()
        await run
        return run, server, modes, said, live_during_attacks

    run, server, modes, said, live_during_attacks = asyncio.run(notebook())
    assert [name for name, path in markers.items() if os.path.exists(path)] == []
    assert live_during_attacks  # (else the attacks proved nothing: lengthen calls_then_holds' hold)
    assert run.outputs()[0] == [0, 1, 4]
    assert modes == {"cb folder": 0o700, "cb socket": 0o600, "pool folder": 0o700, "pool socket": 0o600}
    # another uid cannot even reach the sockets; the same uid reaches them and is refused
    assert said["cb-other"].startswith("refused") and said["pool-other"].startswith("refused")
    assert said["cb-same"] == "sent" and said["pool-same"] == "sent"
    # the run has ended: nobody needs the server, so it listens no more
    assert not os.path.exists(server.path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe, pytest.raises(OSError):
        probe.connect(server.path)


dask_env = flyte.TaskEnvironment("security_dask")


@dask_env.task
async def child(x: int) -> int:
    return x + 1


@dask_env.task
async def dask_parent(hold: float) -> int:
    value = await child(1)  # a task call back to the kernel, over TCP
    await asyncio.sleep(hold)
    return value


@pytest.mark.skipif(os.geteuid() != 0, reason="another uid needs root (setpriv), as in CI")
def test_strangers_on_a_dask_runs_tcp_callback_run_nothing_in_the_kernel(tmp_path):
    require_dask()
    flyte.init("dask", storage=f"file://{tmp_path / 'store'}", dask={"n_workers": 1, "callback": "tcp"})
    markers = {name: str(tmp_path / f"pwned-{name}") for name in ("other", "same")}

    async def notebook():
        run = await flyte.run.aio(dask_parent, 3.0)
        server = await until(lambda: (s := _live_server()) is not None and s._tcp is not None and s)
        await until(lambda: len(run.controller.actions) == 2 and run.controller.actions[1].state == "succeeded")
        address = await server.listen_tcp("127.0.0.1")  # the address its jobs were given
        said = await asyncio.gather(
            asyncio.to_thread(attack, address, markers["other"], uid=65534),
            asyncio.to_thread(attack, address, markers["same"]),
        )
        live_during_attacks = not run.done()
        await run
        return run, address, said, live_during_attacks

    run, address, said, live_during_attacks = asyncio.run(notebook())
    assert [name for name, path in markers.items() if os.path.exists(path)] == []
    assert live_during_attacks
    assert run.outputs()[0] == 2
    assert said == ["sent", "sent"]  # TCP: anyone connects; nobody without the secret is heard
    host, _, port = address[len("tcp://") :].rpartition(":")
    with pytest.raises(OSError):  # the run has ended: the port is closed
        socket.create_connection((host, int(port)), timeout=5).close()


def _authenticated_peer_sends(payload_of) -> bytes:
    """What a peer that passed the handshake of run A gets back after sending
    ``payload_of(token_a, token_b)`` (then closing its side), until the server closes."""
    from flyte_nb.executors._callbacks import CallbackServer
    from flyte_nb.wire._handshake import answer_challenge

    async def go() -> bytes:
        server = CallbackServer(asyncio.get_running_loop())
        token_a, token_b = server.register(object()), server.register(object())
        await server.start()
        try:
            reader, writer = await asyncio.open_unix_connection(server.path)
            await answer_challenge(reader, writer, token_a, server.secret_of(token_a))
            writer.write(payload_of(token_a, token_b))
            await writer.drain()
            return await asyncio.wait_for(reader.read(), 10)  # b"": closed without an answer
        finally:
            await server.close()

    return asyncio.run(go())


def test_a_frame_past_the_size_cap_ends_the_connection_before_it_is_read():
    import struct

    from flyte_nb.wire._framing import MAX_FRAME_BYTES

    # a 2 GiB frame announced and never sent: the server must not wait for (or allocate) it
    assert _authenticated_peer_sends(lambda a, b: struct.pack("!I", 2 * MAX_FRAME_BYTES)) == b""


def test_a_peer_speaks_only_for_the_run_whose_secret_it_proved():
    import pickle
    import struct

    def other_runs_call(token_a: str, token_b: str) -> bytes:
        data = pickle.dumps({"id": 1, "op": "submit", "run": token_b, "parent": 0, "task": b"", "args": []})
        return struct.pack("!I", len(data)) + data

    assert _authenticated_peer_sends(other_runs_call) == b""  # closed, not answered
