"""A running Docker engine with the local base image, or a skip (a failure when CI=true)."""

from __future__ import annotations

import pytest
from support import in_ci

IMAGE = "flyte-nb-base:bookworm"


@pytest.fixture(scope="session")
def docker_client():
    try:
        import docker

        client = docker.from_env()
        client.ping()
        client.images.get(IMAGE)
    except Exception as exc:
        if in_ci():
            pytest.fail(f"CI=true needs a Docker engine with {IMAGE} (../shared/tools/docker-engine.sh): {exc}")
        pytest.skip(f"no Docker engine with {IMAGE}: {exc}")
    yield client
    client.close()


@pytest.fixture
def docker_run(docker_client, tmp_path):
    """flyte_nb configured for the docker backend with a file store in tmp_path."""
    import flyte_nb as flyte

    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE})
    return docker_client


def containers_of(client, run_name: str) -> list:
    # sparse: no per-container lookups, which race with containers being removed
    return client.containers.list(all=True, filters={"label": f"flyte_nb.run={run_name}"}, sparse=True)
