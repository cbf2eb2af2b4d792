"""``flyte.durable``: time(), now() and sleep() are traced steps; a failed run re-run under the
same name gets the recorded times back, and a sleep counts from its first start."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from support import ended_run

import flyte_nb as flyte
import flyte_nb.durable

from .conftest import StoreSpec

env = flyte.TaskEnvironment("data_durable")
FAIL: dict[str, bool] = {"now": False}


@env.task
async def stamps() -> tuple[float, str]:
    t = await flyte.durable.time.aio()
    dt = await flyte.durable.now.aio()
    await flyte.durable.sleep.aio(0.5)
    if FAIL["now"]:
        raise RuntimeError("injected failure after sleeping")
    return t, dt.isoformat()


@env.task
def sync_stamps() -> tuple[float, str]:
    t = flyte.durable.time()
    dt = flyte.durable.now()
    flyte.durable.sleep(0.2)
    return t, dt.isoformat()


@pytest.fixture(autouse=True)
def _reset():
    FAIL["now"] = False


def run(task: Any, name: str) -> flyte.Run:
    """The run of ``task`` named ``name``, ended; a failed one too (``flyte.run`` in a script
    would raise its error)."""
    handle = ended_run(task, runner=flyte.with_runcontext(name=name))
    assert handle.done()
    return handle


def test_durable_calls_are_traced_steps_of_the_action(local_store_spec: StoreSpec):
    local_store_spec.init()
    before = time.time()
    handle = run(stamps, "durable-first")
    t, dt = handle.outputs()
    assert before <= t <= time.time()
    assert abs(datetime.fromisoformat(dt).timestamp() - t) < 5
    names = [step.name for step in handle.controller.actions[0].traces or []]
    assert names == ["durable_time", "durable_now", "sleep_start"]


def test_same_run_name_replays_recorded_times_and_the_elapsed_sleep(local_store_spec: StoreSpec):
    local_store_spec.init()
    FAIL["now"] = True
    assert run(stamps, "durable-replay").phase == "failed"
    FAIL["now"] = False
    started = time.monotonic()
    resumed = run(stamps, "durable-replay")
    t, dt = resumed.outputs()
    assert time.monotonic() - started < 0.45  # the half-second sleep had already passed
    steps = resumed.controller.actions[0].traces or []
    assert [s.restored for s in steps] == [True, True, True]
    assert steps[0].output == t and steps[1].output.isoformat() == dt


def test_sync_forms_work_in_a_sync_task_and_outside_a_run(local_store_spec: StoreSpec):
    local_store_spec.init()
    t, _ = run(sync_stamps, "durable-sync").outputs()
    assert t <= time.time()
    assert isinstance(flyte.durable.now(), datetime)
    assert abs(flyte.durable.time() - time.time()) < 1
    started = time.monotonic()
    flyte.durable.sleep(0.05)
    assert time.monotonic() - started >= 0.05
