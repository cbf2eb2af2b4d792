"""Call sites of shipped code keep their file names, whatever cloudpickle does with them.

cloudpickle 3.1.3 writes ``<dynamic-code>`` as the file name of every function it pickles by
value; code shipped to a Dask worker or a container then reported gauges and tracebacks from
nowhere. These run on the dask backend (worker processes of their own, no Docker needed);
tests/docker_backend/test_nested.py checks a container's gauge the same way.
"""

from __future__ import annotations

import asyncio

import pytest
from support import ended_run, require_dask

import flyte_nb as flyte

env = flyte.TaskEnvironment(name="shipped_sites")


@pytest.fixture
def dask_run(tmp_path):
    require_dask()
    flyte.init("dask", storage=f"file://{tmp_path / 'store'}", dask={"n_workers": 1, "threads_per_worker": 4})


@env.task
async def square(x: int) -> int:
    return x * x


@env.task
async def gauged(n: int) -> list[int]:
    semaphore = asyncio.Semaphore(2)  # made on the worker: the kernel shows its gauge and call site

    async def one(i: int) -> int:
        async with semaphore:
            return await square(i)

    return list(await asyncio.gather(*[one(i) for i in range(n)]))


def _nested_failure(x: int) -> int:
    raise ValueError(f"bad input {x}")


@env.task
async def fails(x: int) -> int:
    return _nested_failure(x)


def test_a_gauge_made_on_a_worker_names_this_file_and_function(dask_run):
    run = flyte.run(gauged, 4)
    assert run.outputs()[0] == [0, 1, 4, 9]
    (gauge,) = run.controller.semaphores
    assert gauge.site is not None
    assert gauge.site.filename == __file__, gauge.site
    assert gauge.site.function == "gauged"


def test_a_remote_traceback_names_the_files_of_shipped_code(dask_run):
    run = ended_run(fails, 3)
    assert run.phase == "failed"
    with pytest.raises(ValueError, match="bad input 3") as caught:
        run.outputs()
    remote = caught.value.__flyte_remote_traceback__
    assert "<dynamic-code>" not in remote
    assert f'File "{__file__}"' in remote and "_nested_failure" in remote
