"""The executor conformance suite (flyte_nb.testing) on every built-in backend: local,
docker (a container per action, and reusable workers) and dask. Docker runs need an
engine (a skip locally without one, a failure when CI=true)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docker_support import IMAGE, docker_client_or_skip
from support import require_dask

import flyte_nb as flyte
from flyte_nb.testing import ConformanceBackend, ExecutorConformance


def init_backend(tmp_path: Path, backend: str, settings: dict[str, Any], **facts: Any) -> ConformanceBackend:
    """``flyte.init(backend)`` with its ``settings`` on a fresh ``file://`` store, and what
    the suite is told about the backend (``facts``: ConformanceBackend's fields)."""
    store = tmp_path / "store"
    flyte.init(backend, storage=f"file://{store}", **{backend: settings})
    return ConformanceBackend(store=store, **facts)


def require_docker() -> None:
    docker_client_or_skip().close()


class TestLocal(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        return init_backend(tmp_path, "local", {}, process_boundary=False, label="local")


class TestDocker(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        require_docker()
        return init_backend(
            tmp_path,
            "docker",
            {"base_image": IMAGE},
            process_boundary=True,
            fresh_process_per_action=True,
            label="docker",
        )


class TestDockerReuse(ExecutorConformance):
    """The same tasks, sent to reusable worker containers."""

    @pytest.fixture
    def conformance_backend(self, tmp_path):
        require_docker()
        policy = flyte.ReusePolicy(replicas=(1, 2), concurrency=4)
        return init_backend(
            tmp_path, "docker", {"base_image": IMAGE}, process_boundary=True, reuse_policy=policy, label="docker-reuse"
        )


class TestDask(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        require_dask()
        return init_backend(
            tmp_path, "dask", {"n_workers": 2, "threads_per_worker": 8}, process_boundary=True, label="dask"
        )
