"""Shared fixtures: every test starts from the default config and leaves no run behind."""

from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from docker_support import IMAGE, docker_client_or_skip, ensure_apt_base
from kernel_support import Kernel, start_kernel
from moto_s3 import moto_endpoint  # noqa: F401 - the s3 server fixture, for every test folder

import flyte_nb.session._config as config_module
import flyte_nb.session._run as run_module

#: what flyte_nb's behaviour depends on: a new release of any of these can change it (cloudpickle
#: 3.1.3 did, for the call sites of shipped code), so every test run says which versions it had
TRACKED_DISTRIBUTIONS = (
    "cloudpickle",
    "fsspec",
    "anywidget",
    "ipywidgets",
    "ipykernel",
    "ipython",
    "jupyter-client",
    "nbclient",
    "papermill",
    "jupyterlab",
    "playwright",
    "docker",
    "distributed",
    "dask",
    "tblib",
    "s3fs",
    "moto",
    "pandas",
    "pyarrow",
    "pyyaml",
    "platformdirs",
    "nest-asyncio",
    "pytest",
)


def dependency_versions() -> dict[str, str]:
    """The installed version of each tracked distribution ("missing" when it is not installed)."""
    versions = {"python": platform.python_version()}
    for name in TRACKED_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def pytest_report_header(config: pytest.Config) -> list[str]:
    """The versions the tests ran with, at the top of the output and in test-artifacts/versions.json."""
    versions = dependency_versions()
    artifacts = Path(config.rootpath) / "test-artifacts"
    try:
        artifacts.mkdir(exist_ok=True)
        (artifacts / "versions.json").write_text(json.dumps(versions, indent=1) + "\n")
    except OSError as exc:  # a read-only checkout still runs its tests; the header has the versions
        print(f"conftest: could not write {artifacts / 'versions.json'}: {exc}", file=sys.stderr)
    line = ", ".join(f"{name} {version}" for name, version in versions.items())
    return [f"dependency versions: {line}"]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Temporary files of the product and of every subprocess, kernel and worker the tests start
    (downloads without a destination, callback folders, Dask's scratch space) go to one folder
    removed when the test process exits, so a test run leaves nothing in /tmp. pytest's own
    tmp_path base is fixed first, outside it."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        factory.getbasetemp()
    # short on purpose: unix socket paths made under it are limited to ~100 bytes
    folder = tempfile.mkdtemp(prefix="fnbt-")
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    # registered before any cluster or pool is started, so it runs after their own exit hooks
    # (atexit runs last-registered first): Dask removes its scratch space before this folder goes
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Default config, no config file found by accident, no runs left over."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.delenv(config_module.CONFIG_ENV_VAR, raising=False)
    # every test gets its own empty store (cache entries, checkpoints)
    monkeypatch.setenv("FLYTE_NB_STORAGE", str(tmp_path_factory.mktemp("store")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setattr(config_module, "_current", None)
    yield
    leftover = [name for name, run in run_module._active.items() if not run.done()]
    run_module._active.clear()
    assert not leftover, f"runs still active after the test: {leftover}"


@pytest.fixture(scope="session")
def docker_client():
    """A Docker engine with the base image: a skip without one, a failure when CI=true."""
    client = docker_client_or_skip()
    yield client
    client.close()


@pytest.fixture(scope="session")
def apt_base(docker_client):
    """The base image with apt (made by the shared engine script when missing)."""
    return ensure_apt_base(docker_client)


@pytest.fixture
def docker_run(docker_client, tmp_path):
    """flyte_nb configured for the docker backend with a file store in tmp_path."""
    import flyte_nb as flyte

    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE})
    return docker_client


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    """A real IPython kernel running this interpreter, shut down after the test."""
    yield from start_kernel()
