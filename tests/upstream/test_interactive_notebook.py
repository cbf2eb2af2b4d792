"""The Flyte 2 SDK's own interactive notebook runs through papermill with flyte_nb.

``examples/interactive/interactive.ipynb`` is the SDK's ``examples/interactive/interactive.ipynb``
with ``import flyte`` -> ``import flyte_nb as flyte`` (and a first cell saying so). Its
``flyte.init_from_config()`` cell is unchanged: with no config file flyte_nb's uses its local
backend. In the SDK's own local mode ``run.inputs()`` and ``run.show_logs()`` raise
``InitializationError``; flyte_nb answers them: the run's inputs, the action's captured output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

papermill = pytest.importorskip("papermill")

NOTEBOOK = Path(__file__).parent / "examples" / "interactive" / "interactive.ipynb"


def cell_text(cell: Any) -> tuple[str, str]:
    """(what the cell printed, its result's text/plain)."""
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    result = "".join(
        o["data"].get("text/plain", "") for o in cell.outputs if o.output_type in ("execute_result", "display_data")
    )
    return printed, result


def find_cell(cells: list[Any], source: str) -> Any:
    (cell,) = [c for c in cells if c.cell_type == "code" and c.source.strip() == source]
    return cell


def test_the_sdk_interactive_notebook_runs_with_its_runs_inputs_logs_and_outputs(tmp_path: Path) -> None:
    out = tmp_path / "interactive.out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False, execution_timeout=120
    )
    cells = nbformat.read(out, as_version=4).cells
    assert not [o for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]

    _, inputs = cell_text(find_cell(cells, "run.inputs()"))
    assert "'data': 'jupyter says hello 2!'" in inputs, inputs

    printed, _ = cell_text(find_cell(cells, "run.show_logs()"))
    assert "Hello, nested! - " in printed, printed
    for i in range(3):
        assert f"Enqueuing, Square({i})" in printed, printed
    assert "Completed with vals = [0, 1, 4]" in printed, printed

    _, outputs = cell_text(find_cell(cells, "run.outputs()"))
    # the SDK's ActionOutputs repr quotes a string with double quotes (flyte 2.12.1, checked)
    assert outputs == 'ActionOutputs(o0="Hello jupyter says hello 2! [0, 1, 4]")', outputs
