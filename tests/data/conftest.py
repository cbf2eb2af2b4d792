"""Stores for the data-layer tests: ``memory://``, ``file://`` and ``s3://`` on a local moto server.

The moto server is started once per session on 127.0.0.1 with a free port; every test
gets its own prefix (memory name, temp folder, or key prefix in the session's bucket), so
tests never see each other's objects. Nothing but 127.0.0.1 is ever contacted: the S3
options carry explicit test credentials, a region and the endpoint, and the instance
metadata service is disabled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from moto_s3 import BUCKET, s3_options

import flyte_nb as flyte
from flyte_nb.data import Store

STORE_KINDS = ("memory", "file", "s3")


@dataclass
class StoreSpec:
    """Where a test's store lives: the URL and the fsspec options it needs."""

    kind: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)

    def store(self) -> Store:
        return Store(self.url, **self.options)

    def init(self, **settings: Any) -> flyte.Config:
        """``flyte.init`` with this store as the runs' storage."""
        return flyte.init(storage=self.url, storage_options=self.options or None, **settings)


def make_spec(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreSpec:
    unique = uuid.uuid4().hex[:12]
    if kind == "memory":
        return StoreSpec(kind, f"memory://flyte-nb-test-{unique}")
    if kind == "file":
        return StoreSpec(kind, f"file://{tmp_path / 'store'}")
    if kind == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        return StoreSpec(kind, f"s3://{BUCKET}/{unique}", s3_options(endpoint))
    raise ValueError(kind)


def _cleanup(spec: StoreSpec) -> None:
    if spec.kind == "file":
        return  # tmp_path is removed by pytest
    store = spec.store()
    try:
        if store.fs.exists(store.root):
            store.fs.rm(store.root, recursive=True)
    except (OSError, FileNotFoundError):
        pass


@pytest.fixture(params=STORE_KINDS)
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    """Each of the three stores in turn (for conformance tests)."""
    spec = make_spec(request.param, request, tmp_path)
    yield spec
    _cleanup(spec)


@pytest.fixture
def store(store_spec: StoreSpec) -> Store:
    return store_spec.store()


@pytest.fixture(params=("memory", "file"))
def local_store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    """``memory://`` and ``file://`` only (for tests that run many runs)."""
    spec = make_spec(request.param, request, tmp_path)
    yield spec
    _cleanup(spec)


@pytest.fixture
def s3_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    spec = make_spec("s3", request, tmp_path)
    yield spec
    _cleanup(spec)


@pytest.fixture
def file_spec(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSpec:
    return make_spec("file", request, tmp_path)
