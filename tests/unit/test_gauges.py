"""One record for a semaphore's gauge, whether the semaphore lives in the kernel or in a container."""

from __future__ import annotations

import asyncio

from flyte_nb.model._gauge import GaugedSemaphore, SemaphoreGauge
from flyte_nb.model._records import CallSite


def test_a_semaphore_in_the_kernel_reads_as_a_gauge_record():
    async def go() -> tuple[SemaphoreGauge, SemaphoreGauge]:
        sem = GaugedSemaphore(2)
        sem.site, sem.parent_action = CallSite("cell.py", 3, "main"), 0
        await sem.acquire()
        await sem.acquire()
        waiter = asyncio.ensure_future(sem.acquire())
        await asyncio.sleep(0)
        busy = sem.gauge()
        sem.release()
        await waiter
        sem.release()
        sem.release()
        return busy, sem.gauge()

    busy, idle = asyncio.run(go())
    assert busy == SemaphoreGauge(2, held=2, waiting=1, site=CallSite("cell.py", 3, "main"), parent_action=0)
    assert idle == SemaphoreGauge(2, held=0, waiting=0, site=CallSite("cell.py", 3, "main"), parent_action=0)


def test_a_reported_gauge_is_its_own_latest_reading():
    gauge = SemaphoreGauge(5, site=CallSite("task.py", 9, "work"), parent_action=3)
    gauge.held, gauge.waiting = 4, 7  # what the callback server does with a container's report
    assert gauge.gauge() is gauge and (gauge.limit, gauge.held, gauge.waiting) == (5, 4, 7)
