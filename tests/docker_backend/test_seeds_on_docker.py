"""The seed documents' examples on the docker backend: each action in its own container."""

from __future__ import annotations

import pytest

import flyte_nb as flyte

from .conftest import containers_of


def _in_containers(run) -> None:
    """Every action went through the docker executor: only it records t (container start;
    0 on a reusable worker), the local backend never does."""
    assert all(a.timings and "t" in a.timings for a in run.controller.actions)


def test_seed_000_semaphore_example(docker_run):
    from seeds.examples import controlling_parallelism as seed
    from support import peak_overlap

    prompts = [f"prompt {i}" for i in range(8)]
    run = flyte.run(seed.process_batch_with_semaphore, prompts)
    assert run.outputs() == [f"Response to: {p}" for p in prompts]
    calls = [a for a in run.controller.actions if a.task is seed.call_llm_api]
    assert len(calls) == 8 and peak_overlap(calls) <= 3
    _in_containers(run)


def test_seed_001_map_example(docker_run):
    from seeds.examples import map_demo

    run = flyte.run(map_demo.main, 6)
    assert run.outputs() == [x**2 for x in range(6)]
    (group,) = [g for g in run.controller.groups if g.kind == "map"]
    assert group.counts["succeeded"] == 6
    _in_containers(run)


def test_seed_002_async_model_examples(docker_run):
    from seeds.examples import async_model

    chunks = ["a", "b", "c"]
    run = flyte.run(async_model.parallel_pipeline, chunks)
    assert run.outputs() == [f"Processed chunk {i}: {c}" for i, c in enumerate(chunks)]
    assert flyte.run(async_model.modern_workflow, [1, 2, 3]).outputs() == [4, 9, 16]
    # flyte.map iterated from a sync task body, in its container's thread
    assert flyte.run(async_model.sync_map_example, 3).outputs() == ["item 0", "item 1", "item 2"]
    with pytest.raises(ValueError, match="unlucky"):
        flyte.run(async_model.async_map_example, 14).outputs()


def test_seed_003_fanout_example(docker_run):
    from seeds.examples import fanout

    run = flyte.run(fanout.main, r=6)
    assert run.outputs() == list(range(6))
    _in_containers(run)
    assert containers_of(docker_run, run.name) == []


def test_seed_004_reusable_containers_and_batching(docker_run):
    from seeds.examples import scale_after

    items = [{"id": i} for i in range(2500)]
    run = flyte.run(scale_after.process_dataset, items)
    assert run.outputs() == [{"processed": i} for i in range(2500)]
    assert len(run.controller.actions) == 1 + 3  # three batches of at most 1000
    _in_containers(run)


def test_seed_004_file_by_reference(docker_run, tmp_path):
    from seeds.examples import scale_reference_io

    from flyte_nb.io import File

    source = tmp_path / "input.txt"
    source.write_text("large data\n")
    run = flyte.run(scale_reference_io.process_large_file, File.from_local_sync(str(source)))
    result = run.outputs()
    assert isinstance(result, File) and result.name == "input.txt.upper"
    with open(result.download(), encoding="utf-8") as handle:
        assert handle.read() == "LARGE DATA\n"
    _in_containers(run)
