"""%%flyte in a real Jupyter kernel: names, widget output, --no-wait, interrupt."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.kernel

WIDGET = "application/vnd.jupyter.widget-view+json"
SETUP = """
%load_ext flyte_nb
import asyncio
import flyte_nb as flyte

env = flyte.TaskEnvironment("nb")

@env.task
async def sq(x: int) -> int:
    await asyncio.sleep(0.05)
    return x * x

@env.task
async def sleeper(x: int) -> int:
    await asyncio.sleep(60)
    return x
"""


def test_cell_names_are_visible_to_later_cells_and_the_widget_is_shown(kernel):
    assert kernel.execute(SETUP).error is None
    cell = kernel.execute(
        "%%flyte --concurrency 3\n"
        "sem = asyncio.Semaphore(2)\n"
        "async def limited(i):\n"
        "    async with sem:\n"
        "        return await sq(i)\n"
        "res = await asyncio.gather(*[limited(i) for i in range(8)])\n"
        "sum(res)"
    )
    assert cell.error is None, cell.traceback
    widgets = [o for o in cell.outputs if WIDGET in o]
    assert len(widgets) == 1 and "text/html" in widgets[0] and "flyte-nb-snapshot" in widgets[0]["text/html"]
    assert cell.outputs[-1]["text/plain"] == str(sum(i * i for i in range(8)))
    later = kernel.execute("print(res[-1], len(res))")
    assert later.stdout.split() == ["49", "8"]


def test_no_wait_returns_the_run_and_the_kernel_stays_free(kernel):
    assert kernel.execute(SETUP).error is None
    cell = kernel.execute("%%flyte --no-wait --name bg\nout = await flyte.map(sq, range(20), concurrency=2)")
    assert cell.error is None, cell.traceback
    assert any(WIDGET in o for o in cell.outputs)
    quick = kernel.execute("print(flyte.active_runs()['bg'].phase)")
    assert quick.stdout.strip() == "running"
    done = kernel.execute("await asyncio.sleep(1.0)\nprint(len(out))")
    assert done.stdout.strip() == "20", done


def test_interrupt_cancels_the_cells_run_and_the_kernel_stays_usable(kernel):
    assert kernel.execute(SETUP).error is None
    msg_id = kernel.start("%%flyte --name doomed\nawait asyncio.gather(*[sleeper(i) for i in range(5)])")
    time.sleep(1.5)
    t0 = time.monotonic()
    kernel.manager.interrupt_kernel()
    interrupted = kernel.collect(msg_id, timeout=30)
    assert interrupted.error == "RunCancelledError", interrupted
    assert "interrupted by the user" in interrupted.traceback
    assert time.monotonic() - t0 < 3
    after = kernel.execute("from flyte_nb.session._run import active_runs\nprint(len(active_runs()))")
    assert after.stdout.strip() == "0"
    usable = kernel.execute("%%flyte\nawait sq(3)")
    assert usable.error is None and usable.outputs[-1]["text/plain"] == "9"


def test_the_direct_magic_call_also_cancels_on_interrupt(kernel):
    """get_ipython().run_cell_magic(...) takes the synchronous path (re-entering the loop)."""
    assert kernel.execute(SETUP).error is None
    msg_id = kernel.start(
        "get_ipython().run_cell_magic('flyte', '', 'await asyncio.gather(*[sleeper(i) for i in range(3)])')"
    )
    time.sleep(1.5)
    kernel.manager.interrupt_kernel()
    interrupted = kernel.collect(msg_id, timeout=30)
    assert interrupted.error == "KeyboardInterrupt", interrupted
    assert kernel.execute("print(len(flyte.active_runs()))").stdout.strip() == "0"


def test_a_failing_cell_fails_with_the_original_error(kernel):
    assert kernel.execute(SETUP).error is None
    cell = kernel.execute("%%flyte\nawait sq(2)\nraise ZeroDivisionError('nope')")
    assert cell.error == "ZeroDivisionError"
    assert "flyte_nb/orchestrator" not in cell.traceback  # flyte_nb's frames are hidden


def test_flyte_run_in_a_normal_cell_displays_the_widget(kernel):
    assert kernel.execute(SETUP).error is None
    assert (
        kernel.execute("@env.task\nasync def main(n: int) -> int:\n    return sum(await flyte.map(sq, range(n)))").error
        is None
    )
    cell = kernel.execute("r = flyte.run(main, 5)\nr")
    assert cell.error is None and any(WIDGET in o for o in cell.outputs)
    assert kernel.execute("print(r.wait().outputs()[0])").stdout.strip() == "30"
