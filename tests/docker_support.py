"""A Docker engine for the tests that need one: a skip without it, a failure when CI=true."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from support import in_ci

IMAGE = "flyte-nb-base:bookworm"
#: the base image plus apt (the default base is Debian's "essential" set, which has no apt-get)
APT_BASE = "flyte-nb-base:bookworm-apt"
SHARED = Path(os.environ.get("FLYTE_NB_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def containers_of(client: Any, run_name: str) -> list:
    """flyte_nb's containers of run ``run_name``, started or not."""
    # sparse: no per-container lookups, which race with containers being removed
    return client.containers.list(all=True, filters={"label": f"flyte_nb.run={run_name}"}, sparse=True)


async def until_no_containers(client: Any, run_name: str, within: float = 5.0) -> list:
    """Wait (on the loop, at most ``within`` seconds) until run ``run_name`` has no container
    left; returns those still there."""
    deadline = time.monotonic() + within
    while (left := containers_of(client, run_name)) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return left


def docker_client_or_skip() -> Any:
    try:
        import docker

        client = docker.from_env()
        client.ping()
        client.images.get(IMAGE)
    except Exception as exc:
        if in_ci():
            pytest.fail(f"CI=true needs a Docker engine with {IMAGE} (../shared/tools/docker-engine.sh): {exc}")
        pytest.skip(f"no Docker engine with {IMAGE}: {exc}")
    return client


def ensure_apt_base(client: Any) -> str:
    """The base image with apt, made by the shared engine script when missing."""
    try:
        client.images.get(APT_BASE)
        return APT_BASE
    except Exception:
        pass
    script = SHARED / "tools" / "docker-engine.sh"
    if not script.is_file():
        if in_ci():
            pytest.fail(f"CI=true needs {script} to build {APT_BASE}")
        pytest.skip(f"{script} is missing")
    environment = {**os.environ, "FLYTE_NB_BASE_IMAGE": APT_BASE}
    environment["FLYTE_NB_BASE_PACKAGES"] = "python3,python3-venv,ca-certificates,apt"
    done = subprocess.run(["bash", str(script)], env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return APT_BASE
