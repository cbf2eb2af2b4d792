"""Seed 002, "Asynchronous model": gather as parallelism, sync tasks and .aio(), sync and async flyte.map."""

from __future__ import annotations

import pytest
from support import ended_run

import flyte_nb as flyte

from .examples import async_model as ex
from .helpers import actions_of, peak_overlap, timed_run

#: process_chunk sleeps this long (the document's `await asyncio.sleep(1)`).
CHUNK_S = 1.0


def test_parallel_pipeline_processes_chunks_in_parallel():
    """The document: "the orchestrator schedules each process_chunk task on separate ... pods", so
    n chunks take one chunk's time."""
    chunks = ["alpha", "beta", "gamma", "delta"]
    run, elapsed = timed_run(ex.parallel_pipeline, chunks)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [f"Processed chunk {i}: {chunk}" for i, chunk in enumerate(chunks)]
    calls = actions_of(run, ex.process_chunk)
    assert len(calls) == len(chunks)
    assert peak_overlap(calls) == len(chunks)
    assert 0.9 * CHUNK_S <= elapsed < 2 * CHUNK_S, elapsed  # not len(chunks) seconds


def test_legacy_computation_is_a_plain_function_outside_a_run():
    """The document: "Existing synchronous function works unchanged"."""
    assert ex.legacy_computation(3) == 16


def test_legacy_computation_runs_as_a_sync_task():
    run = flyte.run(ex.legacy_computation, 4)
    assert run.phase == "succeeded"
    assert run.outputs()[0] == 25


def test_modern_workflow_gathers_sync_tasks_through_aio():
    """The document: "Call sync tasks from async context using .aio()"."""
    numbers = [0, 1, 2, 3, 4, 5, 10]
    run = flyte.run(ex.modern_workflow, numbers)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [(n + 1) ** 2 for n in numbers]
    calls = actions_of(run, ex.legacy_computation)
    assert len(calls) == len(numbers)
    assert all(rec.parent == 0 and rec.state == "succeeded" for rec in calls)


@pytest.mark.parametrize("example", ["sync_map_example", "async_map_example"])
def test_map_examples_return_one_result_per_item_in_order(example: str):
    """The document: "flyte.map.aio() for async contexts, flyte.map() for sync contexts"."""
    task = getattr(ex, example)
    n = 10
    run = flyte.run(task, n)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [f"item {x}" for x in range(n)]
    items = actions_of(run, ex.process_item)
    assert len(items) == n
    assert all(rec.parent == 0 for rec in items)
    # "Automatic UI grouping: Creates logical groups"
    maps = [group for group in run.controller.groups if group.kind == "map"]
    assert [(group.total, group.counts["succeeded"]) for group in maps] == [(n, n)]


@pytest.mark.parametrize("example", ["sync_map_example", "async_map_example"])
def test_map_examples_raise_the_failed_items_error(example: str):
    """return_exceptions hands the failure back as a value; the examples raise it, failing the run with it."""
    task = getattr(ex, example)
    with pytest.raises(ValueError, match=f"item {ex.UNLUCKY} is unlucky"):
        flyte.run(task, ex.UNLUCKY + 5)  # a script stops on the failed run
    run = ended_run(task, ex.UNLUCKY + 5)
    assert run.phase == "failed"
    with pytest.raises(ValueError, match=f"item {ex.UNLUCKY} is unlucky"):
        run.outputs()
    failed = [rec for rec in actions_of(run, ex.process_item) if rec.state == "failed"]
    assert len(failed) == 1
    assert failed[0].error.type == "ValueError"
    assert run.controller.root.state == "failed"
