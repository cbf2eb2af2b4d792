"""Resources(gpu=...) on the dask backend: a worker resource request ({"GPU": n}), and a clear
error after a bounded wait when no worker declares the accelerator."""

from __future__ import annotations

import time

import pytest

import flyte_nb as flyte
from flyte_nb.errors import ConfigError
from flyte_nb.executors.dask import _resources


def _value(run):
    out = run.outputs()
    return out[0] if isinstance(out, tuple) and type(out) is not tuple else out


def test_a_gpu_request_no_worker_declares_fails_after_a_bounded_wait(dask_run, monkeypatch):
    monkeypatch.setattr(_resources, "ACCELERATOR_WAIT_S", 1.0)
    env = flyte.TaskEnvironment("dask-wants-gpu", resources=flyte.Resources(gpu=flyte.GPU("A100", 2)))

    @env.task
    def never() -> int:
        return 1

    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        flyte.run(never).outputs()
    assert time.monotonic() - started < 30
    message = str(caught.value)
    assert "requests 2 x GPU A100" in message and "no Dask worker declares a 'GPU' resource (waited 1 s" in message
    assert 'dask worker --resources "GPU=1"' in message


def test_a_gpu_request_reserves_the_gpu_workers_declare(tmp_path):
    flyte.init(
        "dask",
        storage=f"file://{tmp_path / 'store'}",
        dask={"n_workers": 1, "threads_per_worker": 4, "worker_resources": {"GPU": 1}},
    )
    env = flyte.TaskEnvironment("dask-gpu", resources=flyte.Resources(gpu="T4:1"))

    @env.task
    def on_gpu(x: int) -> int:
        return x * 2

    too_many = flyte.TaskEnvironment("dask-gpus", resources=flyte.Resources(gpu=4))

    @too_many.task
    def on_four() -> int:
        return 0

    assert _value(flyte.run(on_gpu, 21)) == 42
    with pytest.raises(ConfigError, match=r"requests GPU=4 but the largest Dask worker declares GPU=1"):
        flyte.run(on_four).outputs()
