"""``@flyte.trace`` checkpoints: a failed run re-run under the same name resumes after the
traced steps that completed; another name starts over (traces do not cache across runs)."""

from __future__ import annotations

import collections
from typing import Any

import pytest
from support import ended_run

import flyte_nb as flyte
from flyte_nb.model._records import TraceRecord

from .conftest import StoreSpec

env = flyte.TaskEnvironment("data_trace")
CALLS: collections.Counter[Any] = collections.Counter()
#: the failure injected in the first run: raise after this step (None: no failure)
FAIL_AFTER: dict[str, int | None] = {"step": None}


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FAIL_AFTER["step"] = None


@flyte.trace
async def fetch(i: int) -> dict[str, int]:
    CALLS[("fetch", i)] += 1
    return {"i": i, "value": i * 10}


@flyte.trace
def describe(item: dict[str, int]) -> str:  # sync traces are recorded, not checkpointed
    CALLS[("describe", item["i"])] += 1
    return f"item {item['i']}"


@env.task
async def pipeline(n: int) -> list[int]:
    values = []
    for i in range(n):
        item = await fetch(i)
        describe(item)
        values.append(item["value"])
        if FAIL_AFTER["step"] == i:
            raise RuntimeError(f"injected failure after step {i}")
    return values


def run(task: Any, *args: Any, name: str) -> flyte.Run:
    """The run of ``task`` named ``name``, ended; a failed one too (``flyte.run`` in a script
    would raise its error)."""
    handle = ended_run(task, *args, runner=flyte.with_runcontext(name=name))
    assert handle.done()
    return handle


def traces(handle: flyte.Run, action: int = 0) -> list[TraceRecord]:
    return [t for t in handle.controller.actions[action].traces or [] if t.name == "fetch"]


def fetches() -> list[int]:
    return [CALLS[("fetch", i)] for i in range(5)]


def test_same_name_resumes_after_completed_traced_steps(local_store_spec: StoreSpec):
    local_store_spec.init()
    FAIL_AFTER["step"] = 2
    failed = run(pipeline, 5, name="same")
    assert failed.phase == "failed"
    with pytest.raises(RuntimeError, match="injected failure after step 2"):
        failed.outputs()
    assert fetches() == [1, 1, 1, 0, 0]
    assert [t.restored for t in traces(failed)] == [False, False, False]

    FAIL_AFTER["step"] = None
    resumed = run(pipeline, 5, name="same")
    assert resumed.outputs()[0] == [0, 10, 20, 30, 40]
    assert fetches() == [1, 1, 1, 1, 1]  # steps 0-2 were not executed again
    assert [t.restored for t in traces(resumed)] == [True, True, True, False, False]
    assert [t.output for t in traces(resumed)] == [{"i": i, "value": i * 10} for i in range(5)]
    # sync traced calls are recorded every time, never restored
    assert [CALLS[("describe", i)] for i in range(5)] == [2, 2, 2, 1, 1]

    # once complete, the same name restores every step
    again = run(pipeline, 5, name="same")
    assert again.outputs()[0] == [0, 10, 20, 30, 40] and fetches() == [1, 1, 1, 1, 1]
    assert all(t.restored for t in traces(again))


def test_another_run_name_executes_everything(local_store_spec: StoreSpec):
    local_store_spec.init()
    FAIL_AFTER["step"] = 1
    run(pipeline, 3, name="first")
    FAIL_AFTER["step"] = None
    other = run(pipeline, 3, name="second")
    assert other.outputs()[0] == [0, 10, 20]
    assert fetches()[:3] == [2, 2, 1]  # nothing restored across runs
    assert not any(t.restored for t in traces(other))
    store = local_store_spec.store()
    assert list(store.keys("runs/first/traces")) and list(store.keys("runs/second/traces"))


@env.task
async def parent(n: int) -> list[int]:
    return await pipeline(n)


def test_traces_inside_a_child_action_resume(local_store_spec: StoreSpec):
    local_store_spec.init()
    FAIL_AFTER["step"] = 0
    assert run(parent, 2, name="nested").phase == "failed"
    FAIL_AFTER["step"] = None
    resumed = run(parent, 2, name="nested")
    assert resumed.outputs()[0] == [0, 10]
    assert fetches()[:2] == [1, 1]
    assert [t.restored for t in traces(resumed, action=1)] == [True, False]
    keys = list(local_store_spec.store().keys("runs/nested/traces"))
    assert keys and all(key.startswith("runs/nested/traces/parent.0/pipeline.0/") for key in keys)


@env.task
async def shifted(start: int, n: int) -> list[int]:
    return [(await fetch(start + i))["value"] for i in range(n)]


def test_a_traced_call_with_other_inputs_is_not_restored(local_store_spec: StoreSpec):
    """Checkpoints are keyed by call order and inputs: the same call with new inputs runs."""
    local_store_spec.init()
    assert run(shifted, 0, 2, name="inputs").outputs()[0] == [0, 10]
    CALLS.clear()
    again = run(shifted, 1, 2, name="inputs")  # calls fetch(1), fetch(2) as calls 0 and 1
    assert again.outputs()[0] == [10, 20]
    assert fetches()[:3] == [0, 1, 1]
    assert [t.restored for t in traces(again)] == [False, False]
    same = run(shifted, 0, 2, name="inputs")  # the original inputs: both restored
    assert same.outputs()[0] == [0, 10] and [t.restored for t in traces(same)] == [True, True]
