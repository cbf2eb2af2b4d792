"""flyte.GPU / TPU / Neuron / ... and Resources(gpu=..., shm=...): the SDK's shapes and checks."""

from __future__ import annotations

import typing
import warnings

import pytest

import flyte_nb as flyte
from flyte_nb.errors import AcceleratorNotEnforcedWarning, ConfigError


def test_device_constructors_give_the_sdk_devices():
    assert flyte.GPU("A100", 2) == flyte.Device(quantity=2, device_class="GPU", device="A100")
    assert flyte.GPU("A100", 1, partition="1g.5gb").partition == "1g.5gb"
    assert flyte.GPU("T4 shared", 1).device == "T4 shared"
    assert flyte.GPU("A100 80G", 1).device == "A100_80G"  # the SDK's older spelling
    assert flyte.TPU("V5P", "2x2x1") == flyte.Device(1, "TPU", "V5P", "2x2x1")
    assert flyte.Neuron("Trn1").device_class == "NEURON"
    assert flyte.AMD_GPU("MI300X").device_class == "AMD_GPU"
    assert flyte.HABANA_GAUDI("Gaudi1").device_class == "HABANA_GAUDI"
    assert flyte.APPLE_SILICON() == flyte.Device(1, "APPLE_SILICON", "AppleSilicon")
    assert "GPU" in typing.get_args(flyte.DeviceClass)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: flyte.GPU("X1", 1), "Invalid GPU type: X1"),
        (lambda: flyte.GPU("A100", 0), "GPU quantity must be at least 1"),
        (lambda: flyte.GPU("A100", 1, partition="9g.1gb"), "Invalid partition for A100"),
        (lambda: flyte.GPU("T4 shared", 1, partition="1g.5gb"), "A shared GPU takes no partition"),
        (lambda: flyte.TPU("V9"), "Invalid TPU type"),
        (lambda: flyte.TPU("V5P", "1x1"), "Invalid partition for V5P"),
        (lambda: flyte.Neuron("Inf9"), "Invalid Neuron type"),
        (lambda: flyte.AMD_GPU("MI1"), "Invalid AMD GPU type"),
        (lambda: flyte.HABANA_GAUDI("Gaudi9"), "Invalid Habana Gaudi type"),
        (lambda: flyte.Device(2, "APPLE_SILICON", "AppleSilicon"), "quantity must be 1"),
        (lambda: flyte.Device(1, "QPU"), "device_class must be one of"),
    ],
)
def test_bad_devices_raise_the_sdk_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_resources_take_a_count_an_accelerator_string_or_a_device():
    assert flyte.Resources(gpu=2).get_device() == flyte.Device(2, "GPU")
    assert flyte.Resources(gpu=0).get_device() is None
    assert flyte.Resources(gpu="T4:1").get_device() == flyte.Device(1, "GPU", "T4")
    assert flyte.Resources(gpu="A100 80G:2").get_device() == flyte.Device(2, "GPU", "A100_80G")
    assert flyte.Resources(gpu="Trn1:4").get_device() == flyte.Device(4, "NEURON", "Trn1")
    assert flyte.Resources(gpu="AppleSilicon").get_device() == flyte.APPLE_SILICON()
    device = flyte.GPU("H100", 8)
    assert flyte.Resources(gpu=device).get_device() is device
    assert flyte.Resources(gpu=flyte.TPU("V6E")).get_device().device_class == "TPU"


def test_resources_shm_and_disk():
    assert flyte.Resources(shm="auto").get_shared_memory() == ""
    assert flyte.Resources(shm="1Gi").get_shared_memory() == "1Gi"
    assert flyte.Resources().get_shared_memory() is None
    assert flyte.Resources(disk="10Gi").disk == "10Gi"
    with pytest.raises(ConfigError, match="Resources.shm"):
        flyte.Resources(shm="lots")


@pytest.mark.parametrize("gpu", [-1, 1.5, True, "", "A100:0", ("T4", 1)])
def test_bad_gpu_values_name_what_is_accepted(gpu):
    with pytest.raises(ValueError, match=r"Resources.gpu must be a count \(int >= 0\), a device string like 'T4:1'"):
        flyte.Resources(gpu=gpu)


def test_a_gpu_request_in_process_runs_with_one_notice():
    flyte.init()
    env = flyte.TaskEnvironment("gpu-in-process-notice", resources=flyte.Resources(gpu=flyte.GPU("T4", 1)))

    @env.task
    async def on_gpu(x: int) -> int:
        return x + 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _value(flyte.run(on_gpu, 1)) == 2
        assert _value(flyte.run(on_gpu, 2)) == 3
    notices = [w for w in caught if issubclass(w.category, AcceleratorNotEnforcedWarning)]
    assert len(notices) == 1, [str(w.message) for w in caught]
    assert "requests 1 x GPU T4" in str(notices[0].message) and "runs without one" in str(notices[0].message)


def _value(run):
    """The single output of ``run`` (a tuple-shaped ActionOutputs, or the bare value)."""
    out = run.outputs()
    return out[0] if isinstance(out, tuple) else out
