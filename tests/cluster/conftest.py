"""The emulated cluster of separate machines (tests/cluster/harness.py), shared by the tests of
this folder: started once, removed after them (a failing test included), and
restored after a test that breaks it. Skips without Docker, except when CI=true."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto_s3 import s3_options
from support import require_dask

import flyte_nb as flyte
from flyte_nb.executors.dask._cluster import CLUSTERS, CLUSTERS_LOCK

from .harness import ClusterHarness
from .image import ensure_image

#: the dask backend's connect timeout in these tests: every fault must surface within it
CONNECT_TIMEOUT_S = 10.0
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@pytest.fixture(scope="package")  # removed once this folder's tests are done, not at the end of the run
def harness(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterHarness]:
    """The running cluster: a scheduler and three workers in containers, an S3 store."""
    require_dask()
    if sys.version_info[:2] != (3, 11):  # pickled functions only travel between equal versions
        pytest.skip(f"the harness image runs Debian bookworm's Python 3.11; this is {sys.version.split()[0]}")
    pytest.importorskip("moto.server")
    pytest.importorskip("s3fs")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in S3_ENV.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(name, raising=False)
        image, _ = ensure_image(docker_client)
        markers = tmp_path_factory.mktemp("cluster-markers")
        markers.chmod(0o777)
        cluster = ClusterHarness(docker_client, image, markers)
        try:
            cluster.start()
            yield cluster
        finally:
            forget_clients(cluster)  # first: they would try to reconnect to removed containers
            cluster.close()


@pytest.fixture
def cluster(harness: ClusterHarness) -> Iterator[ClusterHarness]:
    """The shared cluster, whole again before the test (a test that broke it left it to be
    restored) and checked after it: no task of the test left on the scheduler."""
    if not harness.healthy():
        forget_clients(harness)
        harness.restore()
    with warnings.catch_warnings():
        # the kernel's Python is a later 3.11 release than the image's: Dask says so on connect
        warnings.filterwarnings("ignore", message="Mismatched versions found")
        yield harness


@pytest.fixture
def markers(cluster: ClusterHarness, request: pytest.FixtureRequest) -> Path:
    """A folder of this test that the kernel and every worker read and write (the suite's markers)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{request.node.name[:40]}-", dir=cluster.markers))
    folder.chmod(0o777)
    return folder


def forget_clients(cluster: ClusterHarness) -> None:
    """Close flyte_nb's clients of the cluster (its next run connects again)."""
    with CLUSTERS_LOCK:
        ours = [CLUSTERS.pop(key) for key in list(CLUSTERS) if key in {("address", a) for a in cluster.addresses}]
    for client in ours:
        try:
            client.close()
        except Exception:  # a client of a scheduler that is gone
            pass


def init_on(cluster: ClusterHarness, prefix: str, **dask: Any) -> None:
    """``flyte.init("dask")`` on the cluster: its S3 store under ``prefix``, the callback over
    TCP to the address the workers reach this machine at."""
    flyte.init(
        "dask",
        storage=f"s3://flyte-nb-cluster/{prefix}-{time.monotonic_ns()}",
        storage_options=s3_options(cluster.endpoint),
        dask={
            "address": cluster.address,
            "callback": "tcp",
            "callback_host": cluster.gateway,
            "connect_timeout": CONNECT_TIMEOUT_S,
            **dask,
        },
    )


def until(check: Any, within: float, what: str, every: float = 0.1) -> Any:
    """``check()``'s first truthy answer, asked at most every ``every`` s for ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{what} not within {within} s"
        time.sleep(every)
