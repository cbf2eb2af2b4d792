"""``sys.exit()``, argparse errors, ``raise SystemExit`` and ``raise KeyboardInterrupt`` in task
code fail the action with TaskExitError and the kernel lives; a real interrupt still cancels."""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
import time

import pytest

import flyte_nb as flyte
from flyte_nb.errors import TaskExitError

env = flyte.TaskEnvironment("exits")


@env.task
async def async_exit(code: int) -> int:
    sys.exit(code)


@env.task
def sync_argparse() -> int:
    argparse.ArgumentParser(prog="sync_argparse").parse_args(["--no-such-flag"])
    return 0


@env.task
def sync_interrupt() -> int:
    raise KeyboardInterrupt


@env.task
async def async_interrupt() -> int:
    raise KeyboardInterrupt("by the code")


@env.task
async def parent(which: str) -> str:
    child = {
        "async_exit": lambda: async_exit(3),
        "sync_argparse": sync_argparse.aio,
        "sync_interrupt": sync_interrupt.aio,
        "async_interrupt": async_interrupt,
    }[which]
    try:
        await child()
    except TaskExitError as exc:
        return f"{exc.raised} {exc.code} from {exc.task}"
    return "no exit"


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("async_exit", "SystemExit 3 from exits.async_exit"),
        ("sync_argparse", "SystemExit 2 from exits.sync_argparse"),
        ("sync_interrupt", "KeyboardInterrupt None from exits.sync_interrupt"),
        ("async_interrupt", "KeyboardInterrupt None from exits.async_interrupt"),
    ],
)
def test_an_exit_in_a_child_fails_the_action_with_task_exit_error(which, expected):
    run = flyte.run(parent, which)
    assert run.outputs()[0] == expected
    child = run.controller.actions[1]
    assert child.state == "failed" and child.error.type == "TaskExitError" and child.attempts == 1


def test_an_exit_in_a_run_started_without_waiting_fails_the_run_not_the_loop():
    async def notebook() -> tuple[flyte.Run, int]:
        run = flyte.run(async_exit, 5)  # returns at once; the run proceeds on this loop
        ticks = 0
        for _ in range(200):
            await asyncio.sleep(0.01)
            ticks += 1
            if run.done():
                break
        return run, ticks

    run, ticks = asyncio.run(notebook())
    assert run.phase == "failed" and ticks < 200
    with pytest.raises(TaskExitError, match=r"SystemExit\(5\)"):
        run.outputs()


# ---------------------------------------------------------------------- a real kernel

kernel_mark = pytest.mark.kernel

SETUP = textwrap.dedent(
    """
    import argparse, asyncio, sys, time
    import flyte_nb as flyte
    print(flyte.__file__)
    %load_ext flyte_nb

    env = flyte.TaskEnvironment("kexits")

    @env.task
    async def quits() -> int:
        sys.exit(7)

    @env.task
    def parses() -> int:
        argparse.ArgumentParser(prog="parses").parse_args(["--bad"])
        return 0

    @env.task
    async def spins(seconds: float) -> int:
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:  # busy on the kernel's thread: SIGINT lands in here
            pass
        return 0
    """
)


@kernel_mark
def test_a_kernel_survives_exits_in_runs_and_in_flyte_cells(kernel):
    import flyte_nb

    setup = kernel.execute(SETUP)
    assert setup.error is None, setup.traceback
    assert setup.stdout.strip() == flyte_nb.__file__  # the copy under test
    started = kernel.execute("a = flyte.run(quits); b = flyte.run(parses)")
    assert started.error is None, started.traceback
    waited = kernel.execute(
        "for _ in range(300):\n"
        "    await asyncio.sleep(0.02)\n"
        "    if a.done() and b.done(): break\n"
        "print(a.phase, b.phase)"
    )
    assert waited.error is None, waited.traceback
    assert waited.stdout.split() == ["failed", "failed"]
    errors = kernel.execute(
        "for r in (a, b):\n"
        "    try:\n"
        "        r.outputs()[0]\n"
        "    except flyte.errors.TaskExitError as e:\n"
        "        print(e.task, e.code)"
    )
    assert errors.stdout.split() == ["kexits.quits", "7", "kexits.parses", "2"], errors
    cell = kernel.execute("%%flyte\nraise SystemExit(4)")
    assert cell.error == "TaskExitError" and "SystemExit(4)" in cell.traceback, cell
    cell = kernel.execute("%%flyte\nraise KeyboardInterrupt")
    assert cell.error == "TaskExitError" and "KeyboardInterrupt itself" in cell.traceback, cell
    alive = kernel.execute("print(6 * 7, len(flyte.active_runs()))")
    assert alive.stdout.split() == ["42", "0"], alive


@kernel_mark
def test_a_real_interrupt_in_task_code_still_cancels_the_run(kernel):
    assert kernel.execute(SETUP).error is None
    msg_id = kernel.start("r = flyte.run(spins, 30); r.wait()")
    time.sleep(1.5)  # the body is spinning on the kernel's thread by now
    t0 = time.monotonic()
    kernel.manager.interrupt_kernel()
    interrupted = kernel.collect(msg_id, timeout=30)
    assert time.monotonic() - t0 < 10
    assert interrupted.error == "KeyboardInterrupt", interrupted
    after = kernel.execute("print(r.phase, r.controller.actions[0].state)")
    assert after.stdout.split() == ["cancelled", "cancelled"], after


@env.task(retries=2)
async def exits_in_container(code: int) -> int:
    sys.exit(code)


def test_sys_exit_in_a_container_fails_the_action_with_task_exit_error_not_a_retried_crash(docker_run):
    @env.task
    async def main() -> str:
        try:
            await exits_in_container(3)
        except TaskExitError as exc:
            return f"{exc.raised} {exc.code}"
        return "no exit"

    run = flyte.run(main)
    assert run.outputs()[0] == "SystemExit 3"
    child = run.controller.actions[1]
    assert child.state == "failed" and child.attempts == 1  # the code's own exit is not retried
