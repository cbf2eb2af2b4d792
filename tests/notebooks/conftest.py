"""Docker for the notebooks' docker runs (a failure when CI=true and no engine)."""

from __future__ import annotations

import pytest
from docker_support import docker_client_or_skip, ensure_apt_base


@pytest.fixture(scope="session")
def docker_client():
    client = docker_client_or_skip()
    yield client
    client.close()


@pytest.fixture(scope="session")
def apt_base(docker_client):
    return ensure_apt_base(docker_client)
