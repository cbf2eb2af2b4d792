"""``Resources`` as Dask resource requests, for the resources the workers declare.

cpu and memory are reserved where workers account for them (``dask worker --resources
"cpu=8,memory=32e9"``, or ``worker_resources``) and ignored where they do not. An accelerator
(``Resources(gpu=1)``, ``gpu="T4:1"``, ``flyte.GPU("A100", 2)``, ``flyte.TPU(...)``) is always
requested: ``{"GPU": n}`` (or the worker's spelling of its class, or of the model when a
worker declares the model itself). A request no worker can meet is an error, not a task that
never starts; for an accelerator no worker declares, the scheduler is asked again for a
bounded while (workers come and go) before that error.
"""

from __future__ import annotations

import time
from typing import Any

from ...errors import ConfigError
from ._cluster import Cluster

#: how long an accelerator request waits for a worker that declares it before failing
ACCELERATOR_WAIT_S = 10.0
#: how often the scheduler is asked again meanwhile
ACCELERATOR_POLL_S = 0.5
#: how long a "no worker declares it" answer stands for the actions that ask next (no second wait)
MISSING_TTL_S = 5.0

#: (cluster, resource names asked for) -> when the wait for them last ran out
_MISSING: dict[tuple[int, tuple[str, ...]], float] = {}


def resource_requests(task: Any, cluster: Cluster) -> dict[str, float] | None:
    """Dask resource requests for the task's ``Resources`` (blocks while it waits for workers)."""
    resources = task.env.resources
    if resources is None:
        return None
    wanted = {"cpu": resources.cpu_request, "memory": resources.memory_request}
    wanted = {name: float(amount) for name, amount in wanted.items() if amount}
    device = resources.get_device()
    declared = cluster.declared_resources()
    asks: dict[str, float] = {}
    if device is not None:
        name = _accelerator_name(task, device, cluster, declared)
        declared = cluster.declared_resources()
        asks[name] = _within(task, name, float(device.quantity), declared[name])
    by_lower = {name.lower(): name for name in declared}
    for name, amount in wanted.items():
        declared_name = by_lower.get(name)
        if declared_name is not None:  # else the workers do not account for it: nothing to reserve
            asks[declared_name] = _within(task, declared_name, amount, declared[declared_name])
    return asks or None


def _accelerator_name(task: Any, device: Any, cluster: Cluster, declared: dict[str, float]) -> str:
    """The resource name a worker declares for ``device``: its model (``"T4"``), else its class
    (``"GPU"``, any case); asked again until ``ACCELERATOR_WAIT_S`` has passed."""
    candidates = [device.device_class.lower()] + ([device.device.lower()] if device.device else [])
    missing_key = (id(cluster), tuple(candidates))
    recently_missing = time.monotonic() - _MISSING.get(missing_key, -MISSING_TTL_S) < MISSING_TTL_S
    deadline = time.monotonic() + (0.0 if recently_missing else ACCELERATOR_WAIT_S)
    while True:
        by_lower = {name.lower(): name for name in declared}
        for candidate in reversed(candidates):  # the model first, when a worker names it
            if candidate in by_lower:
                return by_lower[candidate]
        if time.monotonic() >= deadline:
            break
        time.sleep(ACCELERATOR_POLL_S)
        declared = cluster.declared_resources(fresh=True)
    _MISSING[missing_key] = time.monotonic()
    offered = ", ".join(f"{name}={amount:g}" for name, amount in sorted(declared.items())) or "none"
    raise ConfigError(
        f"task {task.name} requests {device.describe()} (Resources(gpu=...)), but no Dask worker declares a "
        f"{device.device_class!r} resource (waited {ACCELERATOR_WAIT_S:g} s; the workers declare: {offered}). "
        f'Start workers with the accelerator and declare it (dask worker --resources "{device.device_class}=1", '
        "or dask: {worker_resources: {...}} for the cluster flyte_nb starts), or remove the gpu request"
    )


def _within(task: Any, name: str, amount: float, largest: float) -> float:
    if amount > largest:
        raise ConfigError(
            f"task {task.name} requests {name}={amount:g} but the largest Dask worker declares "
            f"{name}={largest:g}; lower its Resources or add a larger worker"
        )
    return amount
