"""Per-action log tails: what a task body prints is kept on its action, and still shown.

While at least one run executes, ``sys.stdout`` and ``sys.stderr`` are wrapped by a
stream that, when the writing code belongs to an action (the context variable says so),
also appends the text to that action's bounded ``logs`` tail. Everything else passes
through untouched; the originals come back when the last run ends.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, TextIO

from ..model._context import current

if TYPE_CHECKING:
    pass

_lock = threading.Lock()
_installed = 0
_saved: tuple[TextIO, TextIO] | None = None


class ActionStream:
    """A text stream that tees writes made by actions into their log tails."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        ctx = current.get()
        if ctx is not None and text:
            ctx.action.append_log(_masked(ctx.controller, text))
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _masked(controller: Any, text: str) -> str:
    """``text`` with the run's secret values masked, as the action's log keeps it."""
    secrets = getattr(getattr(controller, "data", None), "secrets", None)
    return text if secrets is None else secrets.mask(text)


def install() -> None:
    global _installed, _saved
    with _lock:
        _installed += 1
        if _installed == 1:
            _saved = (sys.stdout, sys.stderr)
            sys.stdout = ActionStream(sys.stdout)
            sys.stderr = ActionStream(sys.stderr)


def uninstall() -> None:
    global _installed, _saved
    with _lock:
        _installed = max(_installed - 1, 0)
        if _installed == 0 and _saved is not None:
            # put back only what we replaced: the user may have swapped the streams since
            if isinstance(sys.stdout, ActionStream):
                sys.stdout = _saved[0]
            if isinstance(sys.stderr, ActionStream):
                sys.stderr = _saved[1]
            _saved = None


def log_tail(lines: deque[str] | None, limit: int = 50) -> str:
    """The last ``limit`` lines of a log tail, as one string."""
    if not lines:
        return ""
    text = "".join(lines)
    return "\n".join(text.splitlines()[-limit:])
