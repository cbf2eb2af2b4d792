"""A test backend: the local executor plus a fixed, reported container start (t)."""

from __future__ import annotations

import asyncio
from typing import Any

from flyte_nb.executors._base import ActionSpec
from flyte_nb.executors._local import LocalExecutor

START_S = 0.02


class SlowStartExecutor(LocalExecutor):
    """Like a cold container per action: every attempt pays START_S before the body."""

    name = "slow-start"

    async def submit(self, spec: ActionSpec) -> Any:
        await asyncio.sleep(START_S)
        spec.timings = {"t": START_S}
        return await super().submit(spec)
