"""The executor conformance suite (flyte_nb.testing) on every built-in backend: local,
docker (a container per action, and reusable workers) and dask. Docker runs need an
engine (a skip locally without one, a failure when CI=true)."""

from __future__ import annotations

import pytest
from docker_support import IMAGE
from support import in_ci, require_dask

import flyte_nb as flyte
from flyte_nb.testing import ConformanceBackend, ExecutorConformance


def _require_docker() -> None:
    try:
        import docker

        client = docker.from_env()
        client.ping()
        client.images.get(IMAGE)
        client.close()
    except Exception as exc:
        if in_ci():
            pytest.fail(f"CI=true needs a Docker engine with {IMAGE}: {exc}")
        pytest.skip(f"no Docker engine: {exc}")


class TestLocal(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        store = tmp_path / "store"
        flyte.init("local", storage=f"file://{store}")
        yield ConformanceBackend(store=store, process_boundary=False, label="local")


class TestDocker(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        _require_docker()
        store = tmp_path / "store"
        flyte.init("docker", storage=f"file://{store}", docker={"base_image": IMAGE})
        yield ConformanceBackend(store=store, process_boundary=True, fresh_process_per_action=True, label="docker")


class TestDockerReuse(ExecutorConformance):
    """The same tasks, sent to reusable worker containers."""

    @pytest.fixture
    def conformance_backend(self, tmp_path):
        _require_docker()
        store = tmp_path / "store"
        flyte.init("docker", storage=f"file://{store}", docker={"base_image": IMAGE})
        policy = flyte.ReusePolicy(replicas=(1, 2), concurrency=4)
        yield ConformanceBackend(store=store, process_boundary=True, reuse_policy=policy, label="docker-reuse")


class TestDask(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        require_dask()
        store = tmp_path / "store"
        flyte.init("dask", storage=f"file://{store}", dask={"n_workers": 2, "threads_per_worker": 8})
        yield ConformanceBackend(store=store, process_boundary=True, label="dask")
