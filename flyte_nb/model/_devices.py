"""Accelerators: ``flyte.GPU``, ``TPU``, ``Neuron``, ``AMD_GPU``, ``HABANA_GAUDI``, ``APPLE_SILICON``.

Each returns a :class:`Device`, which ``Resources(gpu=...)`` takes beside a count (``gpu=1``)
and an SDK accelerator string (``gpu="T4:1"``). The names and their checks are the Flyte 2
SDK's. Where a device is honoured: on docker, an NVIDIA GPU request becomes a device request
(and fails at once where the engine has no GPU runtime); on Dask, a resource request
(``resources={"GPU": n}``); in-process, it is recorded and not enforced (one notice says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from ..errors import ConfigError

__all__ = [
    "AMD_GPU",
    "APPLE_SILICON",
    "GPU",
    "HABANA_GAUDI",
    "TPU",
    "Device",
    "DeviceClass",
    "Neuron",
]

DeviceClass = Literal["GPU", "TPU", "NEURON", "AMD_GPU", "HABANA_GAUDI", "APPLE_SILICON"]

SharedGPUType = Literal["T4 shared", "L4 shared", "A10G shared", "A10 shared", "L40S shared"]
GPUType = Literal[
    "A2",
    "A10",
    "A10G",
    "A100",
    "A100_80G",
    "B200",
    "H100",
    "H200",
    "L4",
    "L40s",
    "T4",
    "V100",
    "RTX_PRO_4500",
    "RTX_PRO_6000",
    "GB10",
    SharedGPUType,
]
GPUQuantity = Literal[1, 2, 3, 4, 5, 6, 7, 8]
A100Parts = Literal["1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"]
A100_80GBParts = Literal["1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]
H100Parts = Literal["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]
H200Parts = Literal["1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"]
RTXPro6000Parts = Literal["1g.24gb", "2g.48gb", "4g.96gb"]
TPUType = Literal["V5E", "V5P", "V6E"]
V5EParts = Literal["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"]
V5PParts = Literal[
    "2x2x1", "2x2x2", "2x4x4", "4x4x4", "4x4x8", "4x8x8", "8x8x8", "8x8x16", "8x16x16", "16x16x16", "16x16x24"
]
V6EParts = Literal["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"]
NeuronType = Literal["Inf1", "Inf2", "Trn1", "Trn1n", "Trn2", "Trn2u"]
AMD_GPUType = Literal["MI100", "MI210", "MI250", "MI250X", "MI300A", "MI300X", "MI325X", "MI350X", "MI355X"]
HABANA_GAUDIType = Literal["Gaudi1"]
APPLE_SILICON_DEVICE = "AppleSilicon"

#: the SDK's older spellings, still accepted
_GPU_ALIASES = {"A100 80G": "A100_80G", "RTX PRO 6000": "RTX_PRO_6000"}
_PARTITIONS: dict[str, tuple[str, ...]] = {
    "A100": get_args(A100Parts),
    "A100_80G": get_args(A100_80GBParts),
    "H100": get_args(H100Parts),
    "H200": get_args(H200Parts),
    "RTX_PRO_6000": get_args(RTXPro6000Parts),
    "V5E": get_args(V5EParts),
    "V5P": get_args(V5PParts),
    "V6E": get_args(V6EParts),
}
#: device name -> its class, for accelerator strings such as "T4:1" or "Trn1:4"
_CLASS_OF: dict[str, DeviceClass] = {
    **dict.fromkeys(get_args(GPUType), "GPU"),  # the shared ones included (Literal flattens)
    **dict.fromkeys(get_args(TPUType), "TPU"),
    **dict.fromkeys(get_args(NeuronType), "NEURON"),
    **dict.fromkeys(get_args(AMD_GPUType), "AMD_GPU"),
    **dict.fromkeys(get_args(HABANA_GAUDIType), "HABANA_GAUDI"),
    APPLE_SILICON_DEVICE: "APPLE_SILICON",
}
_ACCELERATOR = r"([A-Za-z][A-Za-z0-9_. \-]*?)(?::([1-9][0-9]*))?"  # compiled on first use (re caches it)


@dataclass(frozen=True, slots=True)
class Device:
    """An accelerator request: how many, of which class, which model and partition."""

    quantity: int
    device_class: DeviceClass
    device: str | None = None
    partition: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.quantity, int) or isinstance(self.quantity, bool) or self.quantity < 1:
            raise ConfigError(f"GPU quantity must be at least 1, got {self.quantity!r}")
        if self.device_class not in get_args(DeviceClass):
            raise ConfigError(f"device_class must be one of {get_args(DeviceClass)}, got {self.device_class!r}")
        if (self.device == APPLE_SILICON_DEVICE) != (self.device_class == "APPLE_SILICON"):
            raise ConfigError('The Apple Silicon device is device="AppleSilicon" with device_class="APPLE_SILICON"')
        if self.device_class == "APPLE_SILICON" and self.quantity != 1:
            raise ConfigError("An Apple Silicon device is the Mac's single Metal GPU; quantity must be 1")

    def describe(self) -> str:
        """``"2 x GPU A100 (1g.5gb)"``: what the request asks for, for messages."""
        model = f" {self.device}" if self.device else ""
        part = f" ({self.partition})" if self.partition else ""
        return f"{self.quantity} x {self.device_class}{model}{part}"


def GPU(device: str, quantity: int, partition: str | None = None) -> Device:  # noqa: N802 - the SDK's name
    """An NVIDIA GPU request: ``flyte.GPU("A100", 2)``, ``flyte.GPU("A100", 1, partition="1g.5gb")``."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ConfigError(f"GPU quantity must be at least 1, got {quantity!r}")
    device = _GPU_ALIASES.get(device, device)
    if device not in get_args(GPUType):
        raise ConfigError(f"Invalid GPU type: {device}. Must be one of {get_args(GPUType)}")
    if partition is not None and device in get_args(SharedGPUType):
        raise ConfigError(
            f"A shared GPU takes no partition, got {partition!r} for {device}. "
            "Request a plain device to use a MIG partition."
        )
    _check_partition(device, partition)
    return Device(quantity, "GPU", device, partition)


def TPU(device: str, partition: str | None = None) -> Device:  # noqa: N802 - the SDK's name
    """A Google TPU request: ``flyte.TPU("V5P", "2x2x1")``."""
    if device not in get_args(TPUType):
        raise ConfigError(f"Invalid TPU type: {device}. Must be one of {get_args(TPUType)}")
    _check_partition(device, partition)
    return Device(1, "TPU", device, partition)


def Neuron(device: str) -> Device:  # noqa: N802 - the SDK's name
    """An AWS Neuron (Inferentia, Trainium) request: ``flyte.Neuron("Trn1")``."""
    if device not in get_args(NeuronType):
        raise ConfigError(f"Invalid Neuron type: {device}. Must be one of {get_args(NeuronType)}")
    return Device(1, "NEURON", device)


def AMD_GPU(device: str) -> Device:  # noqa: N802 - the SDK's name
    """An AMD GPU request: ``flyte.AMD_GPU("MI300X")``."""
    if device not in get_args(AMD_GPUType):
        raise ConfigError(f"Invalid AMD GPU type: {device}. Must be one of {get_args(AMD_GPUType)}")
    return Device(1, "AMD_GPU", device)


def HABANA_GAUDI(device: str) -> Device:  # noqa: N802 - the SDK's name
    """A Habana Gaudi request: ``flyte.HABANA_GAUDI("Gaudi1")``."""
    if device not in get_args(HABANA_GAUDIType):
        raise ConfigError(f"Invalid Habana Gaudi type: {device}. Must be one of {get_args(HABANA_GAUDIType)}")
    return Device(1, "HABANA_GAUDI", device)


def APPLE_SILICON() -> Device:  # noqa: N802 - the SDK's name
    """The Metal GPU of an Apple Silicon Mac (``gpu="AppleSilicon"``)."""
    return Device(1, "APPLE_SILICON", APPLE_SILICON_DEVICE)


def device_of(gpu: int | str | Device | None) -> Device | None:
    """The :class:`Device` a ``Resources.gpu`` value asks for (None for none, ``0`` included).

    A count is that many GPUs of any model; a string is ``"<model>:<count>"`` (the SDK's
    accelerator strings, ``"T4:1"``, ``"Trn1:4"``) or a bare model for one of it."""
    if gpu is None or isinstance(gpu, Device):
        return gpu
    if isinstance(gpu, int) and not isinstance(gpu, bool) and gpu >= 0:
        return Device(gpu, "GPU") if gpu else None
    match = re.fullmatch(_ACCELERATOR, gpu) if isinstance(gpu, str) else None
    if match is None:
        raise ConfigError(
            f"Resources.gpu must be a count (int >= 0), a device string like 'T4:1' or 'A100:2', "
            f"or flyte.GPU(...)/flyte.TPU(...), got {gpu!r}"
        )
    name, count = match.group(1), int(match.group(2) or 1)
    name = _GPU_ALIASES.get(name, name)
    return Device(count, _CLASS_OF.get(name, "GPU"), name)


def _check_partition(device: str, partition: str | None) -> None:
    allowed = _PARTITIONS.get(device)
    if partition is not None and allowed is not None and partition not in allowed:
        raise ConfigError(f"Invalid partition for {device}: {partition}. Must be one of {allowed}")
