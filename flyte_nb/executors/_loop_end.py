"""What executors keep open per event loop, closed when a script's run ends its loop.

Reusable worker pools and the callback server outlive one run: a notebook's loop keeps
them for the next run. A script's ``flyte.run`` ends its loop with the run, so whoever
opens such a thing registers how to close it here, and the session calls
:func:`close_loop` at the end instead of probing which executor modules were imported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

#: id(loop) -> (the loop, closers by name, in registration order)
_closers: dict[int, tuple[asyncio.AbstractEventLoop, dict[str, Callable[[], Awaitable[None]]]]] = {}


def on_loop_end(
    name: str, closer: Callable[[], Awaitable[None]], loop: asyncio.AbstractEventLoop | None = None
) -> None:
    """Have ``closer()`` awaited when ``loop`` (default: the running one) ends its run.

    Registering the same ``name`` again for a loop keeps one closer (the newest), so an
    executor may call this every time it opens its per-loop resource.
    """
    loop = loop or asyncio.get_running_loop()
    entry = _closers.get(id(loop))
    if entry is None or entry[0] is not loop:  # a dead loop's id may be reused
        entry = _closers[id(loop)] = (loop, {})
    entry[1][name] = closer


async def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Await every closer registered for ``loop`` once, the newest first (like an
    ``AsyncExitStack``: what was opened on top of something else closes before it)."""
    entry = _closers.pop(id(loop), None)
    if entry is None or entry[0] is not loop:
        return
    for closer in reversed(entry[1].values()):
        await closer()
