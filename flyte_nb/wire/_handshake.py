"""Who may talk to the kernel: a challenge-response before any pickle crosses a socket.

The kernel's callback server and a worker pool's socket answer only peers that prove they
hold a secret the kernel made for them (a run's, or a worker's), without ever sending it:

1. the server sends ``MAGIC`` and a random nonce;
2. the client sends its token (which run or worker it speaks for), a nonce of its own, and
   ``HMAC-SHA256(secret, "client" + server nonce + token)``;
3. the server looks the token's secret up, compares in constant time and, only if it
   matches, proves itself back with ``HMAC-SHA256(secret, "server" + client nonce + server
   nonce + token)``; else it closes the connection, having read nothing but fixed-size bytes.

So nothing is unpickled from a peer that has not proved it holds the secret, and a
container never sends its calls to an impostor that took the socket's place. The same
exchange runs over unix sockets and TCP, from asyncio (the kernel, a job's task calls) or a
plain blocking socket (a container's lifeline thread).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import socket
import struct
from collections.abc import Callable

from ..errors import HandshakeError

MAGIC = b"flyte_nb-auth-1\n"
NONCE_BYTES = 32
MAC_BYTES = 32
MAX_TOKEN_BYTES = 255
#: seconds a peer has to complete the exchange before it is dropped
HANDSHAKE_TIMEOUT_S = 10.0


def _client_mac(secret: bytes, server_nonce: bytes, token: bytes) -> bytes:
    return hmac.new(secret, b"client" + server_nonce + token, hashlib.sha256).digest()


def _server_mac(secret: bytes, client_nonce: bytes, server_nonce: bytes, token: bytes) -> bytes:
    return hmac.new(secret, b"server" + client_nonce + server_nonce + token, hashlib.sha256).digest()


def _answer(secret: bytes, token: str, server_nonce: bytes) -> tuple[bytes, bytes]:
    """What the client sends after the server's challenge, and its own nonce."""
    raw = token.encode()
    if len(raw) > MAX_TOKEN_BYTES:
        raise ValueError(f"a handshake token has at most {MAX_TOKEN_BYTES} bytes")
    nonce = os.urandom(NONCE_BYTES)
    return struct.pack("!B", len(raw)) + raw + nonce + _client_mac(secret, server_nonce, raw), nonce


async def challenge(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, secret_of: Callable[[str], bytes | None]
) -> str | None:
    """Server side: the token the peer proved it holds the secret of, or None (then the
    caller closes the connection). ``secret_of`` gives a token's secret (None: unknown)."""
    nonce = os.urandom(NONCE_BYTES)
    try:
        writer.write(MAGIC + nonce)
        await writer.drain()
        raw, client_nonce, said = await asyncio.wait_for(_read_answer(reader), HANDSHAKE_TIMEOUT_S)
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, OSError):
        return None
    try:
        token = raw.decode()
    except UnicodeDecodeError:
        return None
    secret = secret_of(token)
    # an unknown token is compared too (against a secret nobody has): same work, no hint
    expected = _client_mac(secret if secret is not None else os.urandom(32), nonce, raw)
    if not hmac.compare_digest(said, expected) or secret is None:
        return None
    try:
        writer.write(_server_mac(secret, client_nonce, nonce, raw))
        await writer.drain()
    except (ConnectionError, OSError):
        return None
    return token


async def _read_answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes, bytes]:
    size = (await reader.readexactly(1))[0]
    raw = await reader.readexactly(size)
    return raw, await reader.readexactly(NONCE_BYTES), await reader.readexactly(MAC_BYTES)


async def answer_challenge(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str, secret: bytes
) -> None:
    """Client side over asyncio streams: prove we hold ``secret`` for ``token`` and check
    that the server holds it too; raises :class:`HandshakeError` otherwise."""
    try:
        await asyncio.wait_for(_prove(reader, writer, token, secret), HANDSHAKE_TIMEOUT_S)
    except (asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
        raise HandshakeError("the kernel refused this connection (wrong or missing secret)") from exc


async def _prove(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str, secret: bytes) -> None:
    hello = await reader.readexactly(len(MAGIC) + NONCE_BYTES)
    if not hello.startswith(MAGIC):
        raise HandshakeError("the socket does not speak flyte_nb's handshake")
    server_nonce = hello[len(MAGIC) :]
    answer, nonce = _answer(secret, token, server_nonce)
    writer.write(answer)
    await writer.drain()
    proof = await reader.readexactly(MAC_BYTES)
    if not hmac.compare_digest(proof, _server_mac(secret, nonce, server_nonce, token.encode())):
        raise HandshakeError("the server does not hold the run's secret: not talking to it")


def answer_challenge_blocking(sock: socket.socket, token: str, secret: bytes) -> None:
    """Client side over a blocking socket (a thread with no event loop)."""
    sock.settimeout(HANDSHAKE_TIMEOUT_S)
    hello = _read_exactly(sock, len(MAGIC) + NONCE_BYTES)
    if not hello.startswith(MAGIC):
        raise HandshakeError("the socket does not speak flyte_nb's handshake")
    server_nonce = hello[len(MAGIC) :]
    answer, nonce = _answer(secret, token, server_nonce)
    sock.sendall(answer)
    proof = _read_exactly(sock, MAC_BYTES)
    if not hmac.compare_digest(proof, _server_mac(secret, nonce, server_nonce, token.encode())):
        raise HandshakeError("the server does not hold the run's secret: not talking to it")
    sock.settimeout(None)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise HandshakeError("the kernel refused this connection (wrong or missing secret)")
        data += chunk
    return data
