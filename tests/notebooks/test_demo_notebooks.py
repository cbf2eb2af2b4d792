"""The demo notebooks run top to bottom with papermill on the embedded local backend."""

from __future__ import annotations

from pathlib import Path

import pytest

papermill = pytest.importorskip("papermill")
nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(notebook: Path, tmp_path: Path):
    out = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "succeeded" in text
    if any("%%flyte" in c.source for c in executed.cells):
        check_widget_output(executed)


def check_widget_output(executed) -> None:
    """%%flyte cells keep both views: the widget (its final state saved in the notebook's
    metadata) and the static snapshot for viewers without widgets."""
    views = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert views and all("flyte-nb-snapshot" in o["data"]["text/html"] for o in views)
    assert all("succeeded" in o["data"]["text/plain"].splitlines()[0] for o in views)
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    saved = [m["state"]["view"] for m in state.values() if "view" in m.get("state", {})]
    assert {v["phase"] for v in saved} == {"succeeded"} and len(saved) == len(views)
    assert any(s["limit"] == 3 for v in saved for s in v["semaphores"])


def test_there_is_a_demo_notebook():
    assert any(p.name == "quickstart.ipynb" for p in NOTEBOOKS)
