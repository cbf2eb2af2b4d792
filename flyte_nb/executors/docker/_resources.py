"""``Resources`` as container options: cpu and memory limits, GPUs as device requests, shm size.

A GPU request (``Resources(gpu=1)``, ``gpu="T4:1"``, ``gpu=flyte.GPU("A100", 2)``) becomes a
device request for that many GPUs (``DeviceRequest(count=n, capabilities=[["gpu"]])``, what
``docker run --gpus n`` sends); the model and partition cannot be chosen on one engine. An
engine without a GPU runtime refuses such a container: flyte_nb asks once per engine, before
building or starting anything, and fails the action with what was requested and why. Other
accelerator classes (TPU, Neuron, Gaudi, AMD, Apple Silicon) have no device request on a Docker
engine, and fail the same way.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from ...errors import AppleSiliconNotAvailableError, ConfigError
from ...model._policies import Resources, memory_bytes

#: where ``shm="auto"`` takes its size from: the host's own shared memory
HOST_SHM = "/dev/shm"
#: the engine's answer to a GPU device request it cannot meet (docker 19.03 and later)
_NO_GPU_DRIVER = "could not select device driver"

#: engine host -> None when it gives containers GPUs, else why not (asked once per process)
_GPU_SUPPORT: dict[str | None, str | None] = {}
_GPU_LOCK = threading.Lock()


def container_limits(resources: Resources | None) -> dict[str, Any]:
    """Keyword arguments of ``containers.create`` for ``resources``: cpu and memory limits, the
    GPUs as device requests, and ``/dev/shm``'s size."""
    limits: dict[str, Any] = {}
    if resources is None:
        return limits
    if resources.cpu_limit:
        limits["nano_cpus"] = int(resources.cpu_limit * 1e9)
    if resources.memory_limit:
        limits["mem_limit"] = resources.memory_limit
        limits["memswap_limit"] = resources.memory_limit
    device = resources.get_device()
    if device is not None and device.device_class == "GPU":
        import docker

        limits["device_requests"] = [docker.types.DeviceRequest(count=device.quantity, capabilities=[["gpu"]])]
    shm = shm_bytes(resources)
    if shm is not None:
        limits["shm_size"] = shm
    return limits


def shm_bytes(resources: Resources) -> int | None:
    """The ``/dev/shm`` size in bytes ``Resources.shm`` asks for; ``"auto"`` is the host's."""
    if resources.shm is None:
        return None
    if resources.shm == "auto":
        try:
            stats = os.statvfs(HOST_SHM)
        except OSError:
            return None  # no shared memory to measure: the engine's default
        return stats.f_blocks * stats.f_frsize or None
    return memory_bytes(resources.shm, "Resources.shm")


def check_devices(client: Any, host: str | None, task_name: str, resources: Resources | None, probe_image: str) -> None:
    """Fail at once (``ConfigError``) when ``resources`` asks for an accelerator this engine
    cannot give a container; the engine is asked once per process, with a throwaway container
    of ``probe_image`` (an image on the engine: nothing is pulled)."""
    device = resources.get_device() if resources is not None else None
    if device is None:
        return
    if device.device_class == "APPLE_SILICON":
        raise AppleSiliconNotAvailableError(
            f"task {task_name} requests the Apple Silicon GPU (Resources(gpu=...)); a Docker container cannot "
            "use a Mac's Metal GPU. Run it on the local backend (in-process, on the Mac) or remove the request"
        )
    if device.device_class != "GPU":
        raise ConfigError(
            f"task {task_name} requests {device.describe()} (Resources(gpu=...)), but a Docker engine can give "
            "containers NVIDIA GPUs only; there is no device request for this accelerator. Run it on a "
            "cluster with that accelerator, or remove the gpu request to run it here"
        )
    with _GPU_LOCK:
        if host not in _GPU_SUPPORT:
            _GPU_SUPPORT[host] = _why_no_gpus(client, probe_image)
        why = _GPU_SUPPORT[host]
    if why is not None:
        raise ConfigError(
            f"task {task_name} requests {device.describe()} (Resources(gpu=...)), but this Docker engine "
            f"cannot give containers GPUs: {why}. Install the NVIDIA Container Toolkit on the engine's host "
            "(and restart the engine), or remove the gpu request (or run on the local backend, where it is "
            "not enforced)"
        )


def _why_no_gpus(client: Any, probe_image: str) -> str | None:
    """None when the engine starts a container with a GPU device request, else why not."""
    import docker

    runtimes = sorted((client.info().get("Runtimes") or {}).keys())
    probe = client.containers.create(
        probe_image,
        ["true"],
        device_requests=[docker.types.DeviceRequest(count=1, capabilities=[["gpu"]])],
        network_mode="none",
        labels={"flyte_nb.probe": "gpu"},
    )
    try:
        probe.start()
        return None
    except docker.errors.APIError as exc:
        said = str(exc.explanation or exc)
        if _NO_GPU_DRIVER not in said:
            return f"a container asking for a GPU did not start ({said})"
        return f"it has no GPU runtime (its runtimes: {', '.join(runtimes) or 'none'}; docker says: {said})"
    finally:
        probe.remove(force=True)
