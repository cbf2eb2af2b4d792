"""What a cluster of other machines needs from the kernel's side: a store its workers reach
(a ``file://`` store on this machine is refused before any action starts), and a demo
notebook run through papermill against it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from moto_s3 import s3_options

import flyte_nb as flyte
from flyte_nb.errors import ConfigError

from .conftest import CONNECT_TIMEOUT_S

env = flyte.TaskEnvironment("cluster_stores")
ROOT = Path(__file__).parents[2]


@env.task
async def hello() -> str:
    return "hello"


@pytest.mark.parametrize("on_workers", ["missing", "a folder of the same name"])
def test_a_file_store_on_this_machine_is_refused_before_any_action_starts(cluster, tmp_path, on_workers):
    store = tmp_path / "store"
    if on_workers != "missing":  # each worker has its own, unshared folder at the store's path
        for worker in cluster.workers:
            assert worker.exec_run(["mkdir", "-p", str(store)]).exit_code == 0
    flyte.init(
        "dask",
        storage=f"file://{store}",
        dask={"address": cluster.address, "callback": "tcp", "callback_host": cluster.gateway},
    )
    with pytest.raises(ConfigError) as refused:
        flyte.run(hello).outputs()
    message = str(refused.value)
    assert f"cannot see the store folder {store}" in message and "object store (storage: s3://" in message
    assert not cluster.scheduler_state()["states"], "a task reached the scheduler"
    assert not list(store.glob(".flyte_nb-reach-*")), "the check left its file in the store"


def test_a_demo_notebook_runs_on_the_cluster_through_papermill(cluster, tmp_path):
    """The quickstart, pointed at the cluster by one cell after its own ``flyte.init`` (as a
    user would), executed by papermill in a kernel of its own."""
    papermill = pytest.importorskip("papermill")
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    (at,) = [i for i, cell in enumerate(notebook.cells) if "flyte.init(backend)" in cell.source]
    settings = {
        "storage": f"s3://flyte-nb-cluster/notebook-{tmp_path.name}",
        "storage_options": s3_options(cluster.endpoint),
        "dask": {
            "address": cluster.address,
            "callback": "tcp",
            "callback_host": cluster.gateway,
            "connect_timeout": CONNECT_TIMEOUT_S,
        },
    }
    notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(f"flyte.init('dask', **{settings!r})"))
    source, executed = tmp_path / "quickstart.ipynb", tmp_path / "executed.ipynb"
    transitions = cluster.scheduler_state()["transitions"]
    nbformat.write(notebook, source)
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    with pytest.MonkeyPatch.context() as patch:  # the kernel imports this checkout's flyte_nb
        patch.setenv("PYTHONPATH", path)
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters={"backend": "dask", "n": 6},
            kernel_name="python3",
            cwd=str(tmp_path),
            progress_bar=False,
            execution_timeout=120,
        )
    done = nbformat.read(executed, as_version=4)
    outputs = [o for c in done.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    state = done.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    phases = [m["state"]["view"]["phase"] for m in state.values() if "view" in m.get("state", {})]
    assert phases and set(phases) == {"succeeded"}
    # the runs' actions were tasks of the cluster's scheduler (each task makes several transitions)
    assert cluster.scheduler_state()["transitions"] - transitions >= 2 * 6
