"""A test backend: the local executor plus a fixed, reported container start (t)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from flyte_nb.executors._base import ActionSpec
from flyte_nb.executors._local import LocalExecutor

START_S = 0.02


class SlowStartExecutor(LocalExecutor):
    """Like a cold container per action: every attempt pays START_S before the body."""

    name = "slow-start"

    async def submit(self, spec: ActionSpec) -> Any:
        started = time.monotonic()
        await asyncio.sleep(START_S)
        # what the start really took: on a loaded machine the sleep overruns, and counting the
        # overrun as the body's runtime would make a no-op body look slower than its start
        spec.timings = {"t": time.monotonic() - started}
        return await super().submit(spec)
