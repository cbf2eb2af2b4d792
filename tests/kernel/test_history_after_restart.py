"""A run made in a kernel is read back after a real kernel restart, and from a plain script:
its outputs, inputs, actions, a report's HTML and a failed action's error, from the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]

RUN = textwrap.dedent(
    """
    import asyncio, os
    import flyte_nb as flyte

    env = flyte.TaskEnvironment("restart")

    @env.task(report=True)
    async def chart(points: list[int]) -> int:
        flyte.report.log(f"<h2>chart of {len(points)} points</h2>")
        return sum(points)

    @env.task
    async def brittle(x: int) -> int:
        raise ValueError(f"brittle cannot take {x}")

    @env.task
    async def pipeline(points: list[int], label: str = "demo") -> str:
        total = await chart(points)
        failures = await asyncio.gather(brittle(total), return_exceptions=True)
        return f"{label}: {total}, {len(failures)} failure(s)"

    r = flyte.with_runcontext(name="before-restart").run(pipeline, [1, 2, 3], label="kept")
    r.wait(quiet=True)
    print(r.phase, os.getpid())
    """
)

#: what a new process reads back (it prints one JSON line)
CHECK = textwrap.dedent(
    """
    import json, os
    import flyte_nb as flyte

    listed = [r.name for r in flyte.remote.Run.listall()]
    run = flyte.remote.Run.get("before-restart")
    actions = list(flyte.remote.Action.listall(for_run_name=run.name))
    chart = next(a for a in actions if a.task_name == "restart.chart")
    failure = run.first_failure()
    print(json.dumps({
        "pid": os.getpid(),
        "listed": listed,
        "phase": run.phase,
        "outputs": list(run.outputs()),
        "inputs": run.inputs().to_dict(),
        "actions": [[a.name, a.task_name, a.phase.value] for a in actions],
        "report": chart.get_report(),
        "failure": [failure.name, failure.task_name, failure.error_info.code, failure.error_message],
    }))
    """
)


def check(seen: dict) -> None:
    assert seen["listed"] == ["before-restart"] and seen["phase"] == "succeeded"
    assert seen["outputs"] == ["kept: 6, 1 failure(s)"]
    assert seen["inputs"] == {"points": [1, 2, 3], "label": "kept"}
    assert seen["actions"] == [
        ["a0", "restart.pipeline", "succeeded"],
        ["a1", "restart.chart", "succeeded"],
        ["a2", "restart.brittle", "failed"],
    ]
    assert "<h2>chart of 3 points</h2>" in seen["report"]
    assert seen["failure"] == ["a2", "restart.brittle", "ValueError", "brittle cannot take 6"]


def test_a_restarted_kernel_and_a_script_read_the_run_back(kernel) -> None:
    ran = kernel.execute(RUN)
    assert ran.error is None, ran.traceback
    phase, pid = ran.stdout.split()
    assert phase == "succeeded"

    kernel.manager.restart_kernel(now=True)
    kernel.client.wait_for_ready(timeout=60)
    again = kernel.execute(CHECK)
    assert again.error is None, again.traceback
    seen = json.loads(again.stdout.strip().splitlines()[-1])
    assert seen["pid"] != int(pid)  # a new kernel process: nothing survived in memory
    check(seen)

    script = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, cwd=ROOT, env=os.environ.copy()
    )
    assert script.returncode == 0, script.stderr
    check(json.loads(script.stdout.strip().splitlines()[-1]))
