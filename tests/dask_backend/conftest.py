"""flyte_nb on the dask backend: LocalClusters of worker processes that flyte_nb starts
(one per settings, shared by the tests of this process, closed at exit)."""

from __future__ import annotations

import pytest
from support import require_dask


@pytest.fixture(autouse=True)
def needs_dask():
    require_dask()


@pytest.fixture
def dask_run(tmp_path):
    """flyte_nb configured for the dask backend with a file store in tmp_path."""
    import flyte_nb as flyte

    flyte.init("dask", storage=f"file://{tmp_path / 'store'}", dask={"n_workers": 2, "threads_per_worker": 8})
    return tmp_path / "store"
