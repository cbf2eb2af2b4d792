"""A dask run's widget header, as a person sees it in JupyterLab: the cluster's workers and
busy threads while the run uses them, and a link to the Dask dashboard in a new tab."""

from __future__ import annotations

import re
import time

import pytest
from support import require_dask

from .conftest import NB

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CLUSTER = re.compile(r"^2 workers · (\d+)/6 threads busy$")


def test_a_dask_runs_header_shows_the_workers_and_links_the_dashboard(open_notebook):
    require_dask()
    nb = open_notebook("dask_cluster.ipynb")
    nb.run_all()
    widget = nb.widget()
    line = widget.locator(".fnb-cluster")
    busy: list[int] = []
    deadline = time.monotonic() + 90
    while not busy or max(busy) == 0:  # the four naps hold a thread each for 4 s
        assert time.monotonic() < deadline, f"the header never showed busy workers: {busy}"
        if line.count() and (seen := CLUSTER.match(line.text_content() or "")):
            busy.append(int(seen.group(1)))
        time.sleep(0.2)
    nb.screenshot("busy", widget)
    link = widget.locator("a.fnb-dashboard")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/status", link.get_attribute("href") or "")
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"
    assert "kernel's machine" in (link.get_attribute("title") or "")  # a LocalCluster's dashboard is local
    nb.wait_phase("succeeded", timeout_ms=90_000)
    nb.screenshot("done", widget)
    # the final numbers stay: both workers, no thread busy once the run ended
    nb.page.wait_for_function(
        f"() => document.querySelector(\"{NB} .fnb-cluster\")?.textContent === '2 workers · 0/6 threads busy'",
        timeout=30_000,
    )
