"""The executor conformance suite and the seed examples on the emulated cluster of separate
machines: workers in their own containers, an S3 store, task calls from workers over TCP to the
kernel (and, for the suite, through the scheduler)."""

from __future__ import annotations

import pytest
from conformance.test_seeds_on_backends import (  # noqa: F401 - collected here, on this folder's backend
    test_seed_000_semaphore_example,
    test_seed_001_map_example,
    test_seed_002_async_model_examples,
    test_seed_003_fanout_example,
    test_seed_004_file_by_reference,
    test_seed_004_reusable_containers_and_batching,
    test_seed_004_traces,
)

from flyte_nb.testing import ConformanceBackend, ExecutorConformance

from .conftest import init_on


class TestDaskCluster(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, cluster, markers):
        init_on(cluster, "conformance")
        # the store is S3; the suite's marker files go through a folder every worker mounts
        return ConformanceBackend(store=markers, process_boundary=True, label="dask-cluster")


class TestDaskClusterCallsThroughTheScheduler(ExecutorConformance):
    """The same, with task calls made on workers carried to the kernel through the scheduler
    (the mode for clusters whose workers cannot open connections to the kernel)."""

    @pytest.fixture
    def conformance_backend(self, cluster, markers):
        init_on(cluster, "conformance-scheduled", callback="scheduler", callback_host=None)
        return ConformanceBackend(store=markers, process_boundary=True, label="dask-cluster-scheduled")


@pytest.fixture
def backend(cluster):
    """The seed tests' backend: the cluster (None: no docker containers to check)."""
    init_on(cluster, "seeds")
    return None
