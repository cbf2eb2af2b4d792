"""Shared fixtures: every test starts from the default config and leaves no run behind."""

from __future__ import annotations

import pytest
from docker_support import docker_client_or_skip, ensure_apt_base
from moto_s3 import moto_endpoint  # noqa: F401 - the s3 server fixture, for every test folder

import flyte_nb._config as config_module
import flyte_nb._run as run_module


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
