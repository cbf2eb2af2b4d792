"""Issue 12 item 3: the store is not trusted pickle. A pickle planted in the store (one whose
``__reduce__`` writes a marker file) is never unpickled: at a cache key or a trace checkpoint
it is a miss with a ``CacheUntrustedWarning`` and the work runs again; at a result key the
run fails with ``StoreIntegrityError``. Containers and Dask workers seal with their run's key,
which cannot make an entry outside ``runs/<their run>/``."""

from __future__ import annotations

import collections
import glob
from pathlib import Path
from typing import Any

import pytest
from docker_support import IMAGE
from support import ended_run, require_dask

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.data._cache import cache_key
from flyte_nb.data._seal import MAGIC
from flyte_nb.errors import CacheUntrustedWarning, StoreIntegrityError

from ._planted import chain, check_it_runs, planted

env = flyte.TaskEnvironment("store_trust")
offloading = flyte.TaskEnvironment("store_trust_offload", max_inline_io_bytes=1024)
CALLS: collections.Counter[str] = collections.Counter()
FAIL: dict[str, bool] = {"now": False}


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FAIL["now"] = False


@env.task(cache="auto")
async def square(x: int) -> int:
    CALLS["square"] += 1
    return x * x


@flyte.trace
async def fetch(i: int) -> int:
    CALLS["fetch"] += 1
    return i * 10


@env.task
async def pipeline(n: int) -> list[int]:
    values = [await fetch(i) for i in range(n)]
    if FAIL["now"]:
        raise RuntimeError("injected failure after the traced steps")
    return values


def _store_url(tmp_path: Path) -> str:
    return f"file://{tmp_path / 'store'}"


def test_planted_cache_entry_is_a_miss_with_a_warning_and_never_runs(tmp_path: Path):
    check_it_runs(tmp_path)
    flyte.init(storage=_store_url(tmp_path))
    assert flyte.run(square, 7).outputs()[0] == 49 and CALLS["square"] == 1
    store = Store(_store_url(tmp_path))
    keys = list(store.keys("cache"))
    assert len(keys) == 1
    marker = tmp_path / "marker"
    store.put(keys[0], planted(str(marker)))  # what another local user (or program) could write
    with pytest.warns(CacheUntrustedWarning, match="not written by this user's flyte_nb.*not unpickled"):
        again = flyte.run(square, 7)
    assert again.outputs()[0] == 49 and CALLS["square"] == 2  # computed again
    assert not marker.exists()
    hit = flyte.run(square, 7)  # the recomputed entry replaced the planted one
    assert hit.outputs()[0] == 49 and CALLS["square"] == 2 and not marker.exists()


def test_planted_trace_checkpoint_is_a_miss_and_the_call_runs_again(tmp_path: Path):
    flyte.init(storage=_store_url(tmp_path))
    FAIL["now"] = True
    failed = ended_run(pipeline, 3, runner=flyte.with_runcontext(name="trust-resume"))
    assert failed.phase == "failed" and CALLS["fetch"] == 3
    store = Store(_store_url(tmp_path))
    checkpoints = list(store.keys("runs/trust-resume/traces"))
    assert len(checkpoints) == 3
    marker = tmp_path / "marker"
    for key in checkpoints:
        store.put(key, planted(str(marker)))
    FAIL["now"] = False
    with pytest.warns(CacheUntrustedWarning):
        resumed = flyte.with_runcontext(name="trust-resume").run(pipeline, 3)
    assert resumed.outputs()[0] == [0, 10, 20] and CALLS["fetch"] == 6  # none restored: each ran again
    assert not marker.exists()


def test_offloaded_value_with_no_seal_raises_store_integrity_error(tmp_path: Path):
    """An offloaded value (what a result's payload points to) is checked before it is loaded."""
    from flyte_nb.data._codec import Payload, decode

    store = Store(_store_url(tmp_path))
    marker = tmp_path / "marker"
    key = "runs/r/actions/1/attempt-1/job.output"
    store.put(key, planted(str(marker)))
    with pytest.raises(StoreIntegrityError, match="job.output") as caught:
        decode(Payload(100, ref=key), store)
    assert caught.value.key == key and "Delete it" in str(caught.value)
    assert not marker.exists()


# ---------------------------------------------------------------------------- containers


@env.task
def plant_own_result_at_exit(run: str, bad: bytes) -> int:
    """Inside the container: once the runtime has written this job's result, overwrite it
    with a planted pickle (atexit runs after the result is written, before the exit)."""
    import atexit
    import os

    jobs = glob.glob(f"{os.environ['FLYTE_NB_STORAGE']}/runs/{run}/actions/*/attempt-*/job")

    def plant() -> None:
        for job in jobs:
            with open(job + ".result", "wb") as handle:
                handle.write(bad)

    atexit.register(plant)
    return 1


@env.task
def forge(cache_entry: str, other_run_entry: str, bad: bytes) -> dict[str, Any]:
    """Inside the container: try to seal entries outside this run with the run's key."""
    import os

    from flyte_nb.data._seal import RUN_KEY_ENV_VAR, Sealer, SealError

    mine = Sealer.from_env(os.environ[RUN_KEY_ENV_VAR])
    refused = []
    for key in (cache_entry, other_run_entry):
        try:
            mine.seal(key, bad)
        except SealError:
            refused.append(key)
    # forge anyway: the run key used as if it were the store's key, and as another run's key
    root = os.environ["FLYTE_NB_STORAGE"]
    forgeries = {cache_entry: Sealer(mine.key), other_run_entry: Sealer(mine.key, other_run_entry.split("/")[1])}
    for key, sealer in forgeries.items():
        os.makedirs(os.path.dirname(f"{root}/{key}"), exist_ok=True)
        with open(f"{root}/{key}", "wb") as handle:
            handle.write(sealer.seal(key, bad))
    return {"refused": refused}


def test_a_result_planted_in_the_store_fails_the_run_and_is_never_unpickled(docker_client, tmp_path: Path):
    flyte.init("docker", storage=_store_url(tmp_path), docker={"base_image": IMAGE})
    marker = tmp_path / "marker"
    handle = ended_run(
        plant_own_result_at_exit,
        "planted-result",
        planted(str(marker)),
        runner=flyte.with_runcontext(name="planted-result"),
    )
    assert handle.phase == "failed"
    with pytest.raises(Exception) as caught:
        handle.outputs()
    errors = [e for e in chain(caught.value) if isinstance(e, StoreIntegrityError)]
    assert errors and errors[0].key.endswith("job.result"), chain(caught.value)
    assert not marker.exists()


def test_a_container_reads_and_writes_its_run_but_cannot_forge_outside_it(docker_client, tmp_path: Path):
    flyte.init("docker", storage=_store_url(tmp_path), docker={"base_image": IMAGE})
    marker = tmp_path / "marker"
    entry = cache_key(square, (4,), {})
    other = "runs/another-run/actions/0/attempt-1/job.result"
    handle = flyte.with_runcontext(name="forger").run(forge, entry, other, planted(str(marker)))
    assert handle.outputs()[0] == {"refused": [entry, other]}  # its own result, sealed with the run key, reads
    store = Store(_store_url(tmp_path))
    results = glob.glob(f"{store.root}/runs/forger/actions/*/attempt-*/job.result")
    assert results and all(Path(r).read_bytes().startswith(MAGIC) for r in results)
    with pytest.raises(StoreIntegrityError):
        store.get_sealed(other)
    flyte.init(storage=_store_url(tmp_path))  # the kernel looks the forged cache entry up
    with pytest.warns(CacheUntrustedWarning):
        assert flyte.run(square, 4).outputs()[0] == 16
    assert CALLS["square"] == 1 and not marker.exists()


@offloading.task
def blob(n: int) -> bytes:
    return b"x" * n


def test_a_dask_worker_seals_what_it_offloads_and_the_kernel_reads_it(tmp_path: Path):
    require_dask()
    flyte.init("dask", storage=_store_url(tmp_path), dask={"n_workers": 1, "threads_per_worker": 2})
    handle = flyte.with_runcontext(name="dask-sealed").run(blob, 100_000)
    assert handle.outputs()[0] == b"x" * 100_000
    outputs = glob.glob(f"{tmp_path / 'store'}/runs/dask-sealed/actions/*/attempt-*/job.output")
    assert outputs and all(Path(o).read_bytes().startswith(MAGIC) for o in outputs)


pooled = flyte.TaskEnvironment(
    "store_trust_pool", reuse_policy=flyte.ReusePolicy(replicas=1, concurrency=2, idle_ttl=3), max_inline_io_bytes=1024
)


@pooled.task
def pooled_blob(n: int) -> bytes:
    import os

    if "FLYTE_NB_RUN_KEY" in os.environ:  # a worker serves many runs: the key comes with each job
        raise RuntimeError("a pool worker has a run key in its environment")
    return b"p" * n


def test_a_reusable_worker_seals_with_the_key_each_job_brings(docker_client, tmp_path: Path):
    flyte.init("docker", storage=_store_url(tmp_path), docker={"base_image": IMAGE})
    for run in ("pool-a", "pool-b"):
        assert flyte.with_runcontext(name=run).run(pooled_blob, 5000).outputs()[0] == b"p" * 5000
        written = glob.glob(f"{tmp_path / 'store'}/runs/{run}/actions/*/attempt-*/job.*")
        assert {Path(w).name for w in written} >= {"job.output", "job.result"}
        assert all(Path(w).read_bytes().startswith(MAGIC) for w in written)
