"""The seed documents' examples on the backends that run actions elsewhere: docker (each
action in its own container) and dask (each action a task on a worker process)."""

from __future__ import annotations

import pytest
from docker_support import IMAGE, containers_of
from support import peak_overlap, require_dask

import flyte_nb as flyte


@pytest.fixture(params=["docker", "dask"])
def backend(request, tmp_path):
    store = f"file://{tmp_path / 'store'}"
    if request.param == "docker":
        client = request.getfixturevalue("docker_client")
        flyte.init("docker", storage=store, docker={"base_image": IMAGE})
        yield client
        return
    require_dask()
    flyte.init("dask", storage=store, dask={"n_workers": 2, "threads_per_worker": 8})
    yield None


def elsewhere(run) -> None:
    """Every action went through the backend: only executors that run actions elsewhere
    record t (a container's start, a Dask task's wait), the local backend never does."""
    assert all(a.timings and "t" in a.timings for a in run.controller.actions)


def test_seed_000_semaphore_example(backend):
    from seeds.examples import controlling_parallelism as seed

    prompts = [f"prompt {i}" for i in range(8)]
    run = flyte.run(seed.process_batch_with_semaphore, prompts)
    assert run.outputs()[0] == [f"Response to: {p}" for p in prompts]
    calls = [a for a in run.controller.actions if a.task is seed.call_llm_api]
    assert len(calls) == 8 and peak_overlap(calls) <= 3
    elsewhere(run)
    # the semaphore lives where the entry action ran; its gauge reached the kernel
    (gauge,) = run.controller.semaphores
    assert gauge.limit == 3 and gauge.held == 0 and gauge.site.function == "process_batch_with_semaphore"


def test_seed_001_map_example(backend):
    from seeds.examples import map_demo

    run = flyte.run(map_demo.main, 6)
    assert run.outputs()[0] == [x**2 for x in range(6)]
    (group,) = [g for g in run.controller.groups if g.kind == "map"]
    assert group.counts["succeeded"] == 6
    elsewhere(run)


def test_seed_002_async_model_examples(backend):
    from seeds.examples import async_model

    chunks = ["a", "b", "c"]
    run = flyte.run(async_model.parallel_pipeline, chunks)
    assert run.outputs()[0] == [f"Processed chunk {i}: {c}" for i, c in enumerate(chunks)]
    assert flyte.run(async_model.modern_workflow, [1, 2, 3]).outputs()[0] == [4, 9, 16]
    # flyte.map iterated from a sync task body, in its container's or worker's thread
    assert flyte.run(async_model.sync_map_example, 3).outputs()[0] == ["item 0", "item 1", "item 2"]
    with pytest.raises(ValueError, match="unlucky"):
        flyte.run(async_model.async_map_example, 14).outputs()


def test_seed_003_fanout_example(backend):
    from seeds.examples import fanout

    run = flyte.run(fanout.main, r=6)
    assert run.outputs()[0] == list(range(6))
    elsewhere(run)
    if backend is not None:  # docker: no container of the run is left
        assert containers_of(backend, run.name) == []


def test_seed_004_reusable_containers_and_batching(backend):
    from seeds.examples import scale_after

    items = [{"id": i} for i in range(2500)]
    run = flyte.run(scale_after.process_dataset, items)
    assert run.outputs()[0] == [{"processed": i} for i in range(2500)]
    assert len(run.controller.actions) == 1 + 3  # three batches of at most 1000
    elsewhere(run)


def test_seed_004_traces(backend):
    from seeds.examples import scale

    run = flyte.run(scale.process_workflow, ["a", "b"])
    assert len(run.outputs()[0]) == 2
    (entry,) = run.controller.actions
    assert [t.name for t in entry.traces] == ["fetch_data", "transform_data"] * 2  # recorded where it ran


def test_seed_004_file_by_reference(backend, tmp_path):
    from seeds.examples import scale_reference_io

    from flyte_nb.io import File

    source = tmp_path / "input.txt"
    source.write_text("large data\n")
    run = flyte.run(scale_reference_io.process_large_file, File.from_local_sync(str(source)))
    result = run.outputs()[0]
    assert isinstance(result, File) and result.name == "input.txt.upper"
    with open(result.download(), encoding="utf-8") as handle:
        assert handle.read() == "LARGE DATA\n"
    elsewhere(run)
