"""The run page opened from the widget's header in JupyterLab: a new tab that shows the page's
timeline and its report, in frames sandboxed to an opaque origin."""

from __future__ import annotations

from typing import Any

from .conftest import ARTIFACTS, NB

#: What a script in a frame sees when it reaches for a page of another origin.
BLOCKED = "SecurityError"


def test_the_run_page_opens_from_the_header_with_its_timeline_and_a_contained_report(open_notebook: Any) -> None:
    nb = open_notebook("run_page.ipynb")
    nb.run_all()
    nb.widget()
    nb.wait_phase("succeeded")
    button = nb.page.locator(f"{NB} .fnb-header .fnb-page")
    button.wait_for(timeout=30_000)
    notebook_title = nb.page.title()
    nb.screenshot("header", nb.page.locator(f"{NB} .fnb-header"))

    with nb.page.context.expect_page(timeout=30_000) as opened:
        button.click()
    tab = opened.value
    tab.wait_for_function("location.href.startsWith('blob:')", timeout=30_000)
    tab.wait_for_load_state()
    try:
        assert tab.title() == "Run browser-run-page"
        assert tab.evaluate("window.opener") is None  # no way back to the notebook's window
        wrapper_frame = tab.locator("body > iframe")
        assert wrapper_frame.count() == 1 and wrapper_frame.get_attribute("sandbox") == "allow-scripts"
        page = wrapper_frame.element_handle().content_frame()
        assert page is not None
        page.wait_for_selector("#timeline tr.row")
        assert page.locator("h1").inner_text() == "Run browser-run-page"
        assert page.locator("#timeline tr.row").count() == 3  # the cell, reporting, step
        assert page.evaluate("window.origin") == "null"  # the page itself runs in an opaque origin
        reach_top = "(() => { try { return top.document.title; } catch (e) { return e.name; } })()"
        assert page.evaluate(reach_top) == BLOCKED

        report_frame = page.locator("iframe.report")
        assert report_frame.count() == 1 and report_frame.get_attribute("sandbox") == "allow-scripts"
        report = report_frame.element_handle().content_frame()
        assert report is not None
        report.wait_for_function("document.body && document.body.dataset.ran === 'yes'")
        assert report.locator("#report-text").inner_text() == "hostile report"
        assert report.evaluate("document.body.dataset.blocked") == BLOCKED  # window.top.document
        assert report.evaluate("document.body.dataset.parentBlocked") == BLOCKED  # parent.document
        assert report.evaluate("document.body.dataset.openerBlocked") == "TypeError"  # top.opener is null

        assert tab.title() == "Run browser-run-page"  # the wrapper is untouched
        assert tab.locator("body > iframe").count() == 1
        assert page.locator("h1").inner_text() == "Run browser-run-page"  # so is the page around the report
        assert nb.page.title() == notebook_title and "owned" not in nb.page.title()
        assert nb.page.locator(f"{NB} .fnb-header .fnb-page").count() == 1  # the notebook is intact
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "run_page_from_widget.png"))
    finally:
        tab.close()
