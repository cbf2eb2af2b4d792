"""Messages between the kernel and its containers: length-prefixed pickles of small dicts.

Used over unix sockets in folders mounted into the containers (so ``--network none``
holds) by the reusable workers and by actions that call tasks from inside a container.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
from typing import Any


async def send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    data = pickle.dumps(message)
    writer.write(struct.pack("!I", len(data)) + data)
    await writer.drain()


async def receive(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, or None when the other side has gone."""
    try:
        header = await reader.readexactly(4)
        return pickle.loads(await reader.readexactly(struct.unpack("!I", header)[0]))
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
