"""Messages between the kernel and its containers: length-prefixed pickles of small dicts.

Used over unix sockets in folders mounted into the containers (so ``--network none``
holds) by the reusable workers and by actions that call tasks from inside a container.
Only after the peer has passed the handshake (``_handshake.py``): nothing here is read from
a connection that has not proved it holds the secret. A frame longer than
:data:`MAX_FRAME_BYTES` ends the connection before its body is read.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
from typing import Any

#: the largest message a peer may announce (values past the inline limit go through the store)
MAX_FRAME_BYTES = 1 << 30


def frame(message: dict[str, Any]) -> bytes:
    """One message as it goes on the wire (several frames may go in one write)."""
    data = pickle.dumps(message)
    return struct.pack("!I", len(data)) + data


async def send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    writer.write(frame(message))
    await writer.drain()


async def receive(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, or None when the other side has gone (or announced a frame past
    :data:`MAX_FRAME_BYTES`: the caller closes the connection)."""
    try:
        size = struct.unpack("!I", await reader.readexactly(4))[0]
        if size > MAX_FRAME_BYTES:
            return None
        return pickle.loads(await reader.readexactly(size))
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
