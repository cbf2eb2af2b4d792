"""The demo notebooks are integration tests: papermill runs each one top to bottom, on the
embedded local backend, on docker and on a Dask cluster, and the executed notebook must
hold no error, the widget of every run and its static snapshot (readable in nbconvert's
HTML)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from support import require_dask

papermill = pytest.importorskip("papermill")
nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: smaller sizes on docker, where every action is a container
DOCKER_SIZES: dict[str, dict[str, Any]] = {
    "quickstart": {"n": 6},
    "01_controlling_parallelism": {"n_prompts": 6},
    "02_map_tasks": {"n": 8, "concurrency": 3},
    "03_async_model": {"chunks": 3, "numbers": 3},
    "04_fanout_patterns": {"r": 6, "n": 3},
    "05_scaling": {"items": 60, "batch_size": 20},
}


def execute(notebook: Path, tmp_path: Path, **parameters: Any) -> Any:
    out = tmp_path / notebook.name
    papermill.execute_notebook(
        str(notebook), str(out), parameters=parameters, kernel_name="python3", cwd=str(tmp_path), progress_bar=False
    )
    return nbformat.read(out, as_version=4)


def outputs(executed: Any) -> list[dict[str, Any]]:
    return [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]


def check_executed(executed: Any) -> None:
    """No error; every run shown has its widget view and, beside it, the static snapshot of
    its final state; the widget state saved in the notebook says how each run ended."""
    assert not [o for o in outputs(executed) if o.output_type == "error"]
    views = [o for o in outputs(executed) if WIDGET_VIEW in o.get("data", {})]
    assert views, "every demo shows at least one run widget"
    for view in views:
        assert "flyte-nb-snapshot" in view["data"]["text/html"]
        assert "succeeded" in view["data"]["text/plain"].splitlines()[0]
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    saved = [m["state"]["view"] for m in state.values() if "view" in m.get("state", {})]
    assert len(saved) >= len(views) and {v["phase"] for v in saved} == {"succeeded"}
    # and, as outputs of their own, the snapshots viewers without widgets show (GitHub, offline HTML)
    snapshots = [o for o in outputs(executed) if "flyte-nb-snapshot-output" in o.get("data", {}).get("text/html", "")]
    assert len(snapshots) == len(views)
    parameters = [c for c in executed.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1, "each demo has one papermill parameters cell"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_runs_on_the_local_backend(notebook: Path, tmp_path: Path):
    check_executed(execute(notebook, tmp_path))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_runs_on_docker(notebook: Path, tmp_path: Path, docker_client, apt_base):
    executed = execute(notebook, tmp_path, backend="docker", **DOCKER_SIZES[notebook.stem])
    check_executed(executed)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'backend = "docker"' in injected[0].source


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_runs_on_dask(notebook: Path, tmp_path: Path):
    require_dask()
    executed = execute(notebook, tmp_path, backend="dask")
    check_executed(executed)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'backend = "dask"' in injected[0].source


def test_every_demo_has_its_docker_sizes():
    assert set(DOCKER_SIZES) == set(IDS)


def test_the_snapshot_reads_in_nbconvert_html(tmp_path: Path):
    nbconvert = pytest.importorskip("nbconvert")
    executed = execute(NOTEBOOKS[IDS.index("01_controlling_parallelism")], tmp_path)
    html, _ = nbconvert.HTMLExporter().from_notebook_node(executed)
    assert html.count("flyte-nb-snapshot") >= 3  # one per run shown: widgets do not render there
    text = re.sub(r"<[^>]+>", " ", html)
    assert "call_llm_api" in text and "semaphore" in text and "succeeded" in text
