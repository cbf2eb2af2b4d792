"""Seed 004, "Scale your workflows": ReusePolicy, batching, traces, controlled fanout, inline data,
cache="auto", flyte.map, the PyIceberg pattern and the before/after data pipeline."""

from __future__ import annotations

import asyncio
import pickle
from datetime import timedelta

import pytest
from support import ended_run

import flyte_nb as flyte

from .examples import scale as ex
from .examples import scale_after, scale_before, scale_map, scale_pyiceberg
from .helpers import actions_of, one_after_another, succeeded_with


def dataset(n: int) -> list[dict]:
    return [{"id": i, "payload": f"row {i}"} for i in range(n)]


def test_reusable_environment_keeps_its_policy():
    policy = ex.env.reuse_policy
    assert isinstance(policy, flyte.ReusePolicy)
    assert policy.replicas == (2, 10)
    assert policy.concurrency == 5
    assert policy.scaledown_ttl == timedelta(minutes=10)
    assert policy.idle_ttl == timedelta(hours=1)
    # "5 tasks per replica = 50 max concurrent"
    assert policy.capacity == 50
    assert ex.process_item.env is ex.env


def test_process_item_runs_in_the_reusable_environment():
    run = flyte.run(ex.process_item, {"id": 7})
    assert run.phase == "succeeded"
    assert run.outputs()[0] == {"processed": 7}


def test_process_large_dataset_batches_1000_items_per_action():
    """The document: "Process batches in parallel (1000 tasks instead of 1M)": here 10 actions for 10,000 items."""
    items = dataset(10_000)
    run = flyte.run(ex.process_large_dataset, items)

    batches = succeeded_with(run, [{"processed": item["id"]} for item in items], ex.process_batch, len(items) // 1000)
    assert len(run.controller.actions) == 1 + len(batches)  # the items are not actions
    assert all(rec.parent == 0 and rec.state == "succeeded" for rec in batches)


def test_process_large_dataset_with_a_partial_last_batch():
    items = dataset(2_345)
    run = flyte.run(ex.process_large_dataset, items)
    assert run.outputs()[0] == [{"processed": item["id"]} for item in items]
    assert len(actions_of(run, ex.process_batch)) == 3


@pytest.fixture
def http_client(monkeypatch: pytest.MonkeyPatch) -> ex.FakeHttpClient:
    client = ex.FakeHttpClient()
    monkeypatch.setattr(ex, "http_client", client)
    return client


def test_traces_are_steps_of_the_calling_action_not_actions(http_client: ex.FakeHttpClient):
    """The document: "Orchestrate using traces instead of tasks": each traced call is a step recorded on
    process_workflow's action."""
    urls = ["https://example.com/a", "https://example.com/b", "https://example.com/c"]
    run = flyte.run(ex.process_workflow, urls)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [{"transformed": {"url": url, "status": 200}} for url in urls]
    assert http_client.requested == urls
    # "Only storage overhead (no task orchestration overhead)": no action besides the entry one
    assert len(run.controller.actions) == 1
    root = run.controller.root
    assert root.task is ex.process_workflow
    traces = root.traces
    assert [step.name for step in traces] == ["fetch_data", "transform_data"] * len(urls)
    for url, fetch, transform in zip(urls, traces[0::2], traces[1::2], strict=True):
        assert fetch.inputs == {"url": url}
        assert fetch.output == {"url": url, "status": 200}
        assert transform.inputs == {"data": fetch.output}
        assert transform.output == {"transformed": fetch.output}
    assert all(step.error is None for step in traces)
    assert all(root.started <= step.started <= step.ended <= root.ended for step in traces)
    assert one_after_another([step] for step in traces)


def test_a_failing_trace_records_its_error(http_client: ex.FakeHttpClient):
    urls = ["https://example.com/a", "https://unreachable.example/b", "https://example.com/c"]
    run = ended_run(ex.process_workflow, urls)

    assert run.phase == "failed"
    with pytest.raises(ConnectionError, match="unreachable"):
        run.outputs()
    assert http_client.requested == urls[:2]
    traces = run.controller.root.traces
    assert [step.name for step in traces] == ["fetch_data", "transform_data", "fetch_data"]
    failed = traces[-1]
    assert failed.inputs == {"url": urls[1]}
    assert failed.output is None
    assert failed.error.type == "ConnectionError"
    assert failed.ended >= failed.started


def test_traced_functions_outside_a_run_are_plain_functions(http_client: ex.FakeHttpClient):
    assert asyncio.run(ex.transform_data({"x": 1})) == {"transformed": {"x": 1}}
    assert asyncio.run(ex.fetch_data("https://example.com/z")) == {"url": "https://example.com/z", "status": 200}


def test_process_million_items_maps_batches_of_100():
    """The document: "Target 10k tasks, each processing 100 items"; 2,500 items make 25 actions of flyte.map."""
    items = dataset(2_500)
    run = flyte.run(ex.process_million_items, items)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [{"processed": item["id"]} for item in items]
    batches = actions_of(run, ex.process_batch)
    assert len(batches) == 25
    maps = [group for group in run.controller.groups if group.kind == "map"]
    assert [(group.total, group.counts["succeeded"]) for group in maps] == [(25, 25)]


def test_process_large_file_passes_a_file_by_reference(tmp_path):
    """The document: "Files passed by reference, not copied": the task downloads its input "only when
    needed", processes it and returns File.new_remote(result_path), a reference to the uploaded result."""
    from flyte_nb.io import File

    from .examples import scale_reference_io

    source = tmp_path / "input.txt"
    source.write_text("large data\n")
    input_file = File.from_local_sync(str(source))
    run = flyte.run(scale_reference_io.process_large_file, input_file)

    assert run.phase == "succeeded"
    result = run.outputs()[0]
    assert isinstance(result, File)
    assert result != input_file and result.name == "input.txt.upper"
    # the returned File is a reference into the store; its content is the processed input
    assert result.hash is not None and "/blobs/" + result.hash + "/" in result.path
    with open(result.download(), encoding="utf-8") as handle:
        assert handle.read() == "LARGE DATA\n"
    # the input in the store is unchanged, and only references crossed the action boundary
    with input_file.open("rb") as handle:
        assert handle.read() == b"large data\n"
    assert len(pickle.dumps(result)) < 1024


def test_process_metadata_passes_a_small_dict_inline():
    metadata = {"source": "s3://bucket/table", "rows": 3, "columns": ["a", "b"]}
    run = flyte.run(ex.process_metadata, metadata)
    assert run.phase == "succeeded"
    assert run.outputs()[0] == {"processed": metadata}


def test_cache_auto_is_accepted_and_the_task_runs():
    """cache="auto" is accepted; what a cache hit does comes with the data layer."""
    assert ex.expensive_computation.cache == flyte.Cache("auto")
    data = {"a": 1, "b": 2, "c": 3}
    for _ in range(2):
        run = flyte.run(ex.expensive_computation, data)
        assert run.phase == "succeeded"
        assert run.outputs()[0] == {"sum": 6}


def test_parallel_processing_maps_process_item_over_items():
    items = dataset(40)
    run = flyte.run(scale_map.parallel_processing, items)

    succeeded_with(run, [{"processed": item} for item in items], scale_map.process_item, len(items))
    maps = [group for group in run.controller.groups if group.kind == "map"]
    assert [group.total for group in maps] == [len(items)]


def test_pyiceberg_pattern_aggregates_each_partition_in_parallel():
    paths = [f"s3://warehouse/db/table/data/part-{i:05d}.parquet" for i in range(10)]
    partitions = 3
    run = flyte.run(scale_pyiceberg.aggregate_table, paths, partitions)

    assert run.phase == "succeeded"
    results = run.outputs()[0]
    assert [result["partition"] for result in results] == list(range(partitions))
    assert sum(result["files"] for result in results) == len(paths)
    assert sorted(path for result in results for path in result["paths"]) == paths
    assert len(actions_of(run, scale_pyiceberg.aggregate_partition)) == partitions


def test_before_and_after_optimization_give_the_same_results_with_far_fewer_actions():
    items = dataset(2_500)
    before = flyte.run(scale_before.process_dataset, items)
    after = flyte.run(scale_after.process_dataset, items)

    expected = [{"processed": item["id"]} for item in items]
    assert before.phase == after.phase == "succeeded"
    assert before.outputs()[0] == expected
    assert after.outputs()[0] == expected
    # before: one action per item ("Create 1M tasks"); after: one per 1,000 items ("Create 1000 tasks")
    assert len(actions_of(before, scale_before.process_item)) == len(items)
    assert len(actions_of(after, scale_after.process_batch)) == 3
    assert len(after.controller.actions) == 4


def test_optimized_pipeline_environment_keeps_its_policy():
    policy = scale_after.env.reuse_policy
    assert policy.replicas == (5, 20)
    assert policy.concurrency == 10
    assert policy.scaledown_ttl == timedelta(minutes=10)
    assert policy.idle_ttl == timedelta(hours=1)
    # "Concurrency enables high throughput (200 concurrent tasks max)"
    assert policy.capacity == 200
