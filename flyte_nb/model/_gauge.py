"""Semaphore gauges: the one record of a semaphore a run's code made, and the semaphore
whose gauge (limit, held, waiting) can be read without changing how it works.

:class:`GaugedSemaphore` is the base of the semaphores flyte_nb puts in place of
``asyncio.Semaphore`` while runs execute: in the kernel (``orchestrator/_semaphores.py``)
and inside containers (``_runtime/_remote.py``, which reports the gauges to the kernel).
Reading costs nothing on the acquire/release path: the numbers come from the semaphore's
own state. Either way the widget reads a :class:`SemaphoreGauge`: a semaphore in the
kernel makes one when asked, a semaphore in a container is one, updated by its reports
(``executors/_callbacks.py``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ._records import CallSite


@dataclass(slots=True)
class SemaphoreGauge:
    """A semaphore of a run: its limit, slots held, coroutines waiting, and where it was made."""

    limit: int
    held: int = 0
    waiting: int = 0
    #: the line of user code that made it
    site: CallSite | None = None
    #: the action whose code made it
    parent_action: int | None = None

    def gauge(self) -> SemaphoreGauge:
        """Itself: a gauge reported from elsewhere is its own latest reading."""
        return self


#: ``asyncio.Semaphore`` as it was before flyte_nb put anything in its place
OriginalSemaphore = asyncio.Semaphore


class GaugedSemaphore(OriginalSemaphore):
    """An ``asyncio.Semaphore`` that tells how many slots are held and how many wait."""

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        self.limit = value
        self.site: CallSite | None = None
        self.parent_action: int | None = None

    @property
    def held(self) -> int:
        """Slots taken right now."""
        return max(self.limit - self._value, 0)

    @property
    def waiting(self) -> int:
        """Coroutines queued for a slot right now."""
        waiters = self._waiters
        return sum(1 for w in waiters if not w.done()) if waiters else 0

    def gauge(self) -> SemaphoreGauge:
        """Its gauge right now."""
        return SemaphoreGauge(self.limit, self.held, self.waiting, self.site, self.parent_action)


def use_semaphore(cls: type[asyncio.Semaphore]) -> None:
    """Make ``asyncio.Semaphore`` name ``cls`` from now on, in the whole process."""
    # rebinding asyncio's class is the point; to mypy the name is a class, not a variable
    asyncio.Semaphore = cls  # type: ignore[misc]
