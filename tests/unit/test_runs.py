"""Runs: cancel, action limit, isolation, flyte.run inside a running loop and in a script."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from support import Heartbeat, ended_run

import flyte_nb as flyte
from flyte_nb.errors import ActionLimitError, RunCancelledError

env = flyte.TaskEnvironment("runs")
#: the seed's basic fanout script, with its __main__ block
FANOUT_EXAMPLE = Path(__file__).parents[1] / "seeds" / "examples" / "fanout.py"


@env.task
async def nap(x: int, seconds: float = 0.02) -> int:
    await asyncio.sleep(seconds)
    return x


@env.task
async def fanout(n: int, seconds: float = 0.02) -> list[int]:
    return list(await asyncio.gather(*[nap(i, seconds) for i in range(n)]))


def test_run_inside_a_running_loop_returns_at_once_and_wait_works():
    async def notebook_cell() -> tuple[bool, list[int], str]:
        run = flyte.run(fanout, 10, 0.2)
        returned_before_done = not run.done()
        run.wait()  # a sync wait inside the loop: must not deadlock
        return returned_before_done, run.outputs()[0], run.phase

    before, outputs, phase = asyncio.run(notebook_cell())
    assert before and outputs == list(range(10)) and phase == "succeeded"


def test_run_is_awaitable_and_the_loop_stays_free():
    async def notebook_cell() -> tuple[list[int], int]:
        async with Heartbeat() as beat:
            run = await flyte.run.aio(fanout, 5, 0.3)
            outputs = await run
        return outputs, beat.ticks

    outputs, ticks = asyncio.run(notebook_cell())
    assert outputs == list(range(5))
    assert ticks >= 10  # the loop kept turning while the run ran


def test_cancel_stops_running_and_queued_actions_quickly():
    started: list[int] = []

    @env.task
    async def long(x: int) -> int:
        started.append(x)
        await asyncio.sleep(30)
        return x

    @env.task
    async def main(n: int) -> list[int]:
        return await flyte.map(long, range(n), concurrency=4)

    async def notebook_cell() -> tuple[flyte.Run, float]:
        run = flyte.run(main, 20)
        while len(started) < 4:
            await asyncio.sleep(0.01)
        t0 = time.monotonic()
        assert run.cancel()
        with pytest.raises(RunCancelledError):
            run.wait(timeout=5)
        return run, time.monotonic() - t0

    run, took = asyncio.run(notebook_cell())
    assert took < 1.0
    assert run.phase == "cancelled"
    assert len(started) == 4, "queued actions must never start"
    assert {a.state for a in run.controller.actions} == {"cancelled"}
    assert run.controller.counts["cancelled"] == 5
    with pytest.raises(RunCancelledError):
        run.outputs()
    assert not run.cancel(), "cancelling an ended run reports False"


def test_action_limit_fails_the_run_with_advice_to_batch():
    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[nap(i, 0) for i in range(n)], return_exceptions=True))

    run = ended_run(main, 15, runner=flyte.with_runcontext(max_actions=10))
    # the limit is the run's failure, not an item's value, even with return_exceptions=True
    with pytest.raises(ActionLimitError, match="Batch") as info:
        run.outputs()
    assert "10" in str(info.value) and run.phase == "failed"
    assert len(run.controller.actions) == 11  # root + 10: rejected ones leave no record
    assert run.controller.rejected == 1  # the run ends there: later calls are cancelled, not refused


def test_default_action_limit_is_fifty_thousand():
    @env.task
    async def main(n: int) -> int:
        return len(await flyte.map(nap, range(n), [0] * n, return_exceptions=False))

    with pytest.raises(ActionLimitError, match="50,000 actions"):
        flyte.with_runcontext(max_actions=None).run(main, 50_001).outputs()[0]


def test_two_concurrent_runs_are_isolated():
    async def notebook() -> tuple[flyte.Run, flyte.Run]:
        a = flyte.run(fanout, 5, 0.05)
        b = flyte.run(fanout, 7, 0.3)
        await asyncio.sleep(0.1)
        b.cancel()
        await asyncio.gather(a.until_done(), b.until_done())
        return a, b

    a, b = asyncio.run(notebook())
    assert a.phase == "succeeded" and b.phase == "cancelled"
    assert a.outputs()[0] == list(range(5))
    assert len(a.controller.actions) == 6 and len(b.controller.actions) == 8
    assert a.controller.counts["succeeded"] == 6 and b.controller.counts["succeeded"] == 0
    assert a.name != b.name


def test_run_names_and_repr():
    run = flyte.with_runcontext(name="nightly-1").run(fanout, 3, 0)
    assert run.name == "nightly-1"
    assert run.url.endswith("/runs/nightly-1")
    text = repr(run)
    assert "nightly-1" in text and "succeeded" in text and "4 actions" in text
    auto = flyte.run(fanout, 1, 0)
    assert auto.name.startswith("r-") and auto.name != flyte.run(fanout, 1, 0).name


def test_wait_tolerates_the_seeds_run_argument():
    run = flyte.run(fanout, 2, 0)
    assert run.wait(run) is run


def test_script_mode_runs_the_seed_main_block(tmp_path):
    # the seed's fanout.py as it stands, and one line at the end of its main block to show the result
    script = tmp_path / "fanout.py"
    script.write_text(FANOUT_EXAMPLE.read_text() + "    print(run.phase, sum(run.outputs()[0]))\n")
    (tmp_path / "config.yaml").write_text("backend: local\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert "/runs/r-" in lines[0]
    assert lines[1:] == ["succeeded", str(sum(range(50)))]


def test_interrupt_in_a_script_cancels_the_run(tmp_path):
    script = tmp_path / "long.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, os, signal
            import flyte_nb as flyte

            env = flyte.TaskEnvironment("long")

            @env.task
            async def sleeper(x: int) -> int:
                await asyncio.sleep(30)
                return x

            @env.task
            async def main() -> list:
                loop = asyncio.get_running_loop()
                loop.call_later(0.3, os.kill, os.getpid(), signal.SIGINT)
                return await asyncio.gather(*[sleeper(i) for i in range(5)])

            try:
                flyte.run(main)
            except KeyboardInterrupt:
                run = list(flyte.active_runs().values())
                print("interrupted", len(run))
            """
        )
    )
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 10
    assert done.stdout.split() == ["interrupted", "0"], done.stderr
