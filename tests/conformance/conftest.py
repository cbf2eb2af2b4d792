"""The backends that run actions away from the kernel, for tests written once and run on each."""

from __future__ import annotations

from pathlib import Path

import pytest
from docker_support import IMAGE
from support import require_dask

import flyte_nb as flyte


@pytest.fixture(params=["docker", "dask"])
def away_store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """flyte_nb configured for docker (a container per action; a skip without an engine, a
    failure when CI=true) or dask (two worker processes), with a file store: its folder."""
    store = tmp_path / "store"
    if request.param == "docker":
        request.getfixturevalue("docker_client")
        flyte.init("docker", storage=f"file://{store}", docker={"base_image": IMAGE})
    else:
        require_dask()
        flyte.init("dask", storage=f"file://{store}", dask={"n_workers": 2, "threads_per_worker": 8})
    return store
