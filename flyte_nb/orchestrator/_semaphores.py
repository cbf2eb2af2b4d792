"""Semaphore gauges: the usual ``asyncio.Semaphore`` pattern of Flyte 2 workflows, observed without changing it.

While at least one run executes, ``asyncio.Semaphore`` names :class:`TrackedSemaphore`, a
subclass that registers itself with the run whose code created it. Its gauge (a
``model.SemaphoreGauge``) is read from the semaphore's own state when a monitor asks, so acquiring
and releasing cost exactly what they cost before. When the last run ends the original
class is put back: nothing outside runs changes.
"""

from __future__ import annotations

import asyncio
import sys
import threading

from ..model._context import current
from ..model._gauge import GaugedSemaphore, OriginalSemaphore, use_semaphore
from ..model._records import CallSite, enclosing_function

_lock = threading.Lock()
_installed = 0


class TrackedSemaphore(GaugedSemaphore):
    """An ``asyncio.Semaphore`` that a run's monitor can read."""

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        ctx = current.get()
        if ctx is not None:
            frame = sys._getframe(1)
            self.site = CallSite(frame.f_code.co_filename, frame.f_lineno, enclosing_function(frame.f_code))
            self.parent_action = ctx.action.id
            ctx.controller.semaphores.append(self)


def install() -> None:
    """Count one more executing run; the first one puts the tracked class in place."""
    global _installed
    with _lock:
        _installed += 1
        if _installed == 1:
            use_semaphore(TrackedSemaphore)


def uninstall() -> None:
    """Count one run less; the last one restores ``asyncio.Semaphore``."""
    global _installed
    with _lock:
        _installed = max(_installed - 1, 0)
        if _installed == 0 and asyncio.Semaphore is TrackedSemaphore:
            use_semaphore(OriginalSemaphore)
