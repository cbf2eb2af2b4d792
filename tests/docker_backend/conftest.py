"""flyte_nb on the docker backend (the engine fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from docker_support import IMAGE


@pytest.fixture
def docker_run(docker_client, tmp_path):
    """flyte_nb configured for the docker backend with a file store in tmp_path."""
    import flyte_nb as flyte

    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE})
    return docker_client
