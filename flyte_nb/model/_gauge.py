"""A semaphore whose gauge (limit, held, waiting) can be read without changing how it works.

The base of the semaphores flyte_nb puts in place of ``asyncio.Semaphore`` while runs
execute: in the kernel (``orchestrator/_semaphores.py``) and inside containers
(``_runtime/_remote.py``, which reports the gauges to the kernel). Reading costs nothing
on the acquire/release path: the numbers come from the semaphore's own state.
"""

from __future__ import annotations

import asyncio

#: ``asyncio.Semaphore`` as it was before flyte_nb put anything in its place
OriginalSemaphore = asyncio.Semaphore


class GaugedSemaphore(OriginalSemaphore):
    """An ``asyncio.Semaphore`` that tells how many slots are held and how many wait."""

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        self.limit = value

    @property
    def held(self) -> int:
        """Slots taken right now."""
        return max(self.limit - self._value, 0)

    @property
    def waiting(self) -> int:
        """Coroutines queued for a slot right now."""
        waiters = self._waiters
        return sum(1 for w in waiters if not w.done()) if waiters else 0


def use_semaphore(cls: type[asyncio.Semaphore]) -> None:
    """Make ``asyncio.Semaphore`` name ``cls`` from now on, in the whole process."""
    # rebinding asyncio's class is the point; to mypy the name is a class, not a variable
    asyncio.Semaphore = cls  # type: ignore[misc]
