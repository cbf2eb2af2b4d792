"""A one-shot container ends itself when its kernel is gone.

The kernel gives each one-shot container, in its environment, where its callback server
listens, the run's token and the run's secret. Before the job starts, a daemon thread opens
a connection there, passes the handshake and then just reads: the kernel never writes on
it, so the read returns only when the connection ends, which happens when the kernel's
process dies (even by ``kill -9``: the system closes its sockets) or its run has ended.
The container then exits at once with :data:`EXIT_KERNEL_GONE`, so no container of a dead
kernel runs on until another kernel sweeps it. A container that cannot reach its kernel
at start exits the same way.
"""

from __future__ import annotations

import os
import socket
import sys
import threading

from ..wire._environment import EXIT_KERNEL_GONE, SECRET_ENV, SOCKET_ENV, TOKEN_ENV
from ..wire._handshake import answer_challenge_blocking


def take_secret() -> bytes | None:
    """The run's secret from the environment (then removed from it), if the kernel gave one."""
    value = os.environ.pop(SECRET_ENV, "")
    try:
        return bytes.fromhex(value) if value else None
    except ValueError:
        return None


def hold(secret: bytes) -> threading.Thread | None:
    """Open the lifeline to the kernel (a daemon thread) if the environment names one."""
    path, token = os.environ.get(SOCKET_ENV, ""), os.environ.get(TOKEN_ENV, "")
    if not path or not token:
        return None
    thread = threading.Thread(target=_lifeline, args=(path, token, secret), name="flyte_nb lifeline", daemon=True)
    thread.start()
    return thread


def _lifeline(path: str, token: str, secret: bytes) -> None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            answer_challenge_blocking(sock, token, secret)
            while sock.recv(4096):  # nothing is ever sent on it: only its end matters
                pass
        reason = "the kernel that started this container has gone (or its run has ended)"
    except OSError as exc:
        reason = f"cannot reach the kernel that started this container ({exc})"
    print(f"flyte_nb: {reason}; the container ends itself", file=sys.__stderr__, flush=True)
    os._exit(EXIT_KERNEL_GONE)
