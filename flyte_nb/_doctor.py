"""``flyte-nb doctor``: what this machine has for each backend, and how to fix what it lacks."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from dataclasses import dataclass
from typing import Any

from ._version import __version__
from .data import _layout as layout

OK, WARN, MISSING = "ok", "warn", "missing"
_MARKS = {OK: "ok  ", WARN: "warn", MISSING: "FAIL"}


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, what was found, and the fix when something is wrong."""

    name: str
    status: str
    detail: str
    fix: str = ""
    #: a missing required piece makes ``doctor`` exit non-zero (the local backend cannot work)
    required: bool = False


def run_checks() -> list[Check]:
    checks = [_python(), _config(), *_packages(), _storage()]
    checks.extend(_docker())
    checks.append(_dask())
    return checks


def report(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"flyte_nb {__version__} on Python {sys.version.split()[0]} ({sys.executable})", ""]
    for check in checks:
        lines.append(f"[{_MARKS[check.status]}] {check.name:<{width}}  {check.detail}")
        if check.fix and check.status != OK:
            lines.append(f"       {'':<{width}}  fix: {check.fix}")
    failing = [c for c in checks if c.status == MISSING and c.required]
    lines += ["", "the embedded local backend is ready" if not failing else "the local backend cannot run; see FAIL"]
    return "\n".join(lines)


def _python() -> Check:
    version = sys.version_info
    if version < (3, 10):
        return Check("python", MISSING, f"{version[0]}.{version[1]}", "use Python 3.10 or newer", required=True)
    return Check("python", OK, f"{version[0]}.{version[1]}.{version[2]}")


def _packages() -> list[Check]:
    wanted = [
        ("ipykernel", True, "pip install ipykernel"),
        ("anywidget", True, "pip install anywidget"),
        ("ipywidgets", True, "pip install ipywidgets"),
        ("papermill", False, "pip install 'flyte_nb[batch]' (for flyte-nb run)"),
        ("jupyterlab", False, "pip install jupyterlab (to see the widgets)"),
    ]
    checks = []
    for name, required, fix in wanted:
        found = importlib.util.find_spec(name) is not None
        if found:
            checks.append(Check(name, OK, f"installed {_version_of(name)}"))
        else:
            checks.append(Check(name, MISSING if required else WARN, "not installed", fix, required=required))
    return checks


def _config() -> Check:
    """Read the config file the way runs do, so the checks below see its settings."""
    from .errors import ConfigError
    from .session._config import init_from_config

    try:
        config = init_from_config()
    except ConfigError as exc:
        return Check("config", MISSING, str(exc), "fix the config file or remove it", required=True)
    if config.source is None:
        return Check("config", OK, "no config file; defaults (backend local)")
    return Check("config", OK, f"{config.source} (backend {config.backend})")


def _storage() -> Check:
    from .session._config import configured_store

    try:
        store = configured_store()
        key = layout.doctor_key(uuid.uuid4().hex)
        store.put(key, b"ok")
        readable = store.get(key) == b"ok"
        store.delete(layout.DOCTOR, recursive=True)
    except Exception as exc:
        return Check(
            "storage",
            MISSING,
            f"cannot write to the store: {type(exc).__name__}: {exc}",
            "point storage: (config) or $FLYTE_NB_STORAGE at a writable place",
            required=True,
        )
    if not readable:
        return Check("storage", MISSING, f"{store.url}: read back something else", required=True)
    return Check("storage", OK, f"{store.url} (writable)")


def _docker() -> list[Check]:
    try:
        import docker
    except ImportError:
        return [Check("docker sdk", WARN, "not installed", "pip install 'flyte_nb[docker]' for the docker backend")]
    from .executors.docker._images import engine_client
    from .model._image import DEFAULT_BASE_IMAGE
    from .session._config import current_config

    settings = current_config().settings("docker")
    checks = [Check("docker sdk", OK, f"installed {docker.__version__}")]
    try:
        client = engine_client(settings.get("host"))
        engine = client.version().get("Version", "?")
    except Exception as exc:
        checks.append(
            Check(
                "docker engine",
                WARN,
                f"not reachable: {exc}",
                "start the Docker engine (or point DOCKER_HOST or docker: {host: ...} at one)",
            )
        )
        return checks
    checks.append(Check("docker engine", OK, f"engine {engine}"))
    base = settings.get("base_image") or DEFAULT_BASE_IMAGE
    try:
        client.images.get(base)
    except docker.errors.ImageNotFound:
        checks.append(
            Check(
                "base image",
                WARN,
                f"{base} is not on the engine (flyte_nb never pulls it)",
                "put it on the engine (docker build / load / pull an image with this kernel's Python), "
                "or set docker: {base_image: ...}",
            )
        )
        return checks
    theirs = _image_python(client, base)
    ours = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if theirs != ours:
        checks.append(
            Check(
                "base image",
                WARN,
                f"{base} has Python {theirs}, this kernel {ours}",
                f"use a base image with Python {ours}: functions travel pickled between equal versions",
            )
        )
    else:
        checks.append(Check("base image", OK, f"{base}, Python {theirs}"))
    return checks


def _image_python(client: Any, image: str) -> str:
    from .executors.docker._images import image_python

    try:
        return image_python(client, image)
    except Exception as exc:
        return f"unknown ({type(exc).__name__})"


def _dask() -> Check:
    if importlib.util.find_spec("distributed") is None:
        return Check(
            "dask", WARN, "dask.distributed not installed", "pip install 'flyte_nb[dask]' for the dask backend"
        )
    from .session._config import current_config

    version = _version_of("distributed")
    address = current_config().settings("dask").get("address")
    if not address:
        return Check("dask", OK, f"dask.distributed {version}; runs start a LocalCluster on this machine")
    try:
        from distributed import Client

        with Client(address, timeout=5, set_as_default=False) as client:
            workers = len(client.scheduler_info(n_workers=-1)["workers"])
    except Exception as exc:
        return Check(
            "dask",
            WARN,
            f"cannot reach the Dask scheduler at {address}: {type(exc).__name__}: {exc}",
            "start it (dask scheduler; dask worker ADDRESS) or remove dask: address from the config",
        )
    if not workers:
        return Check("dask", WARN, f"scheduler at {address} has no workers", f"start some: dask worker {address}")
    return Check("dask", OK, f"dask.distributed {version}; scheduler at {address} with {workers} workers")


def _version_of(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "(version unknown)"
