"""A past run reopened in JupyterLab after a kernel restart: ``%flyte show NAME`` draws the run
widget from the store (groups, counts, a failed action's error, an action's report), and
``%flyte runs`` draws the table whose rows open their run."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import KERNEL_READY, NB

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
#: the README's picture of a reopened run with an action's report open, made again by this test
#: when FLYTE_NB_README_IMAGES=1 (otherwise the screenshot stays in test-artifacts/)
README_IMAGE = REPO / "docs" / "images" / "reopened-run-report.png"

#: runs the notebook's cell ``index`` (0-based, markdown included) and resolves when it is done
RUN_CELL = """async (index) => {
  const panel = window.jupyterapp.shell.currentWidget;
  panel.content.activeCellIndex = index;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}"""

RESTART = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.session.kernel.restart();
  await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
}"""


def counts_of(text: str) -> dict[str, int]:
    return {state: int(n) for n, state in re.findall(r"(\d[\d,]*) (\w+)", text.replace(",", ""))}


def run_cell(nb: Any, index: int) -> None:
    nb.page.locator(f"{NB} .jp-Notebook").click(position={"x": 5, "y": 5})
    nb.page.evaluate(RUN_CELL, index)


def cell_output(nb: Any, index: int) -> Any:
    return nb.page.locator(f"{NB} .jp-Cell").nth(index).locator(".jp-Cell-outputArea")


def test_a_past_run_reopens_after_a_kernel_restart_and_from_the_runs_table(open_notebook):
    nb = open_notebook("reopen_run.ipynb")
    run_cell(nb, 1)  # the run, in this kernel
    cell_output(nb, 1).get_by_text("recorded succeeded").wait_for(timeout=90_000)
    nb.page.evaluate(RESTART)
    nb.page.wait_for_function(KERNEL_READY, timeout=90_000)

    run_cell(nb, 2)  # %flyte show nightly-etl, in the new kernel
    widget = cell_output(nb, 2).locator(".fnb").first
    widget.wait_for(timeout=60_000)
    assert widget.locator(".fnb-phase").text_content() == "succeeded"
    assert widget.locator(".fnb-past").text_content().startswith("past run · ran ")
    assert widget.locator(".fnb-cancel").count() == 0
    counts = counts_of(widget.locator(".fnb-counts").text_content())
    assert counts["succeeded"] == 5 and counts["failed"] == 1  # the entry action and 4 of 5 loads
    assert widget.locator(".fnb-total").text_content() == "6 actions"
    (group,) = widget.locator(".fnb-group").all()
    assert re.fullmatch(r"gather @ a notebook cell, line \d+ → load", group.locator(".fnb-label").text_content())
    assert "5/5" in group.text_content()

    group.click()  # the action list, paged from the store
    failed = widget.locator(".fnb-row.fnb-failed")
    failed.first.wait_for(timeout=30_000)
    assert widget.locator(".fnb-row").count() == 5
    failed.first.click()
    error = widget.locator(".fnb-detail-error")
    error.wait_for(timeout=30_000)
    assert error.text_content() == "ValueError: day 3: the source file is missing"

    widget.locator(".fnb-row", has_text="#2 ").click()  # load(1): its report
    widget.locator(".fnb-detail-head", has_text="#2 ").wait_for(timeout=30_000)
    frame = widget.locator(".fnb-report iframe")
    frame.wait_for(timeout=30_000)
    assert frame.get_attribute("sandbox") == "allow-scripts"
    heading = frame.content_frame.locator("h2")
    heading.wait_for(timeout=30_000)
    assert heading.text_content() == "Day 1: 2,400 rows"
    nb.page.set_viewport_size({"width": 1280, "height": 1300})  # the whole widget in the picture
    shot = nb.screenshot("reopened-report", widget)
    if os.environ.get("FLYTE_NB_README_IMAGES") == "1":
        shutil.copy(shot, README_IMAGE)

    run_cell(nb, 3)  # %flyte runs: the table, and below it the run a row opens
    table = cell_output(nb, 3).locator(".fnb-runs")
    table.wait_for(timeout=60_000)
    (row,) = table.locator(".fnb-runs-row").all()
    cells = row.locator("td").all_text_contents()
    assert cells[:3] == ["nightly-etl", "nightly.etl", "succeeded"] and cells[5] == "6"
    row.scroll_into_view_if_needed()  # below the page's fold: Lab's notebook scrolls itself, not the page
    row.click()
    opened = cell_output(nb, 3).locator(".fnb")
    opened.wait_for(timeout=30_000)
    assert opened.locator(".fnb-title").text_content() == "nightly.etl · run nightly-etl · local"
    assert opened.locator(".fnb-total").text_content() == "6 actions"
    assert "fnb-runs-open" in (row.get_attribute("class") or "")
    nb.screenshot("runs-table", cell_output(nb, 3))
