"""Runs in progress: their record says ``running`` (with the kernel's host and pid and the
counts so far) while they go, other processes list them, and a run whose kernel died reads
as failed, saying so."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import flyte_nb as flyte
import flyte_nb.orchestrator._run_record as run_record
from flyte_nb.data import _layout as layout
from flyte_nb.errors import RuntimeUserError

ROOT = Path(__file__).resolve().parents[2]
env = flyte.TaskEnvironment("running_runs")
gate: asyncio.Event | None = None


@env.task
async def step(i: int) -> int:
    return i


@env.task
async def waits(n: int) -> int:
    done = sum(await asyncio.gather(*(step(i) for i in range(n))))
    assert gate is not None
    await gate.wait()
    return done


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_running_run_is_listed_with_its_last_state_then_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_record, "RUNNING_REFRESH_S", 0.05)
    store = Path(os.environ["FLYTE_NB_STORAGE"])

    async def main() -> None:
        global gate
        gate = asyncio.Event()
        run = await flyte.with_runcontext(name="still-going").aio(waits, 3)
        record = store / layout.run_record("still-going")
        while not (record.exists() and json.loads(record.read_text())["counts"]["succeeded"] == 3):
            await asyncio.sleep(0.02)
        seen = await flyte.remote.Run.get.aio("still-going")
        assert (seen.phase, seen.done(), seen.lost) == ("running", False, None)
        assert seen._record["pid"] == os.getpid() and seen._record["actions"] == 4
        assert [r.name async for r in flyte.remote.Run.listall.aio(in_phase="running")] == ["still-going"]
        with pytest.raises(RuntimeUserError, match="still running .* once it ends"):
            seen.outputs()
        with pytest.raises(RuntimeUserError, match="still running .* its actions are not kept yet"):
            _ = seen.action
        gate.set()
        assert await run == 3
        assert seen.sync().phase == "succeeded" and seen.outputs()[0] == 3
        assert seen.action.name == "a0" and len(list(flyte.remote.Action.listall(for_run_name="still-going"))) == 4

    asyncio.run(main())


def test_a_run_whose_kernel_died_reads_as_failed_and_says_why(tmp_path: Path) -> None:
    url = f"file://{tmp_path / 'store'}"
    script = textwrap.dedent(
        f"""
        import asyncio
        import flyte_nb as flyte
        flyte.init(storage={url!r})
        env = flyte.TaskEnvironment("doomed")

        @env.task
        async def forever() -> None:
            await asyncio.sleep(3600)

        flyte.with_runcontext(name="doomed").run(forever)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=os.environ.copy())
    try:
        record = tmp_path / "store" / layout.run_record("doomed")
        wait_until(record.exists, timeout=60)
        flyte.init(storage=url)
        assert flyte.remote.Run.get("doomed").phase == "running"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    lost = flyte.remote.Run.get("doomed")
    assert (lost.phase, lost.done()) == ("failed", True)
    assert lost.lost is not None and f"pid {child.pid}" in lost.lost
    assert [r.name for r in flyte.remote.Run.listall(in_phase="failed")] == ["doomed"]
