"""The run page (``runs/<run>/index.html``) in Chromium, offline: it renders and shows the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import ended_run

import flyte_nb as flyte

from .conftest import ARTIFACTS

env = flyte.TaskEnvironment("run_page_browser")


@env.task
async def leaf(i: int) -> int:
    if i == 1:
        raise ValueError("<script>document.title='owned'</script>")
    return i


@env.task(report=True)
async def main(n: int) -> int:
    flyte.report.log("<p>browser report</p>")
    results = [await leaf(i) for i in range(n) if i != 1]
    try:
        await leaf(1)
    except ValueError:
        pass
    return sum(results)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ended run's page on a file store (made before Chromium starts: see ``browser``)."""
    root = tmp_path_factory.mktemp("store")
    flyte.init(storage=f"file://{root}")
    run = ended_run(main, 4, runner=flyte.with_runcontext(name="page-browser"))
    assert run.page_url is not None
    return root / "runs" / "page-browser" / "index.html"


def test_the_run_page_renders_offline_with_its_timeline(page_file: Path, browser: Any):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_files(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    try:
        page.goto(page_file.as_uri())
        assert page.title() == "Run page-browser"  # the error's <script> did not run
        assert page.locator("h1").inner_text() == "Run page-browser"
        rows = page.locator("#timeline tr.row")
        assert rows.count() == 5  # main and four leaves
        bar = page.locator("#timeline .bar.failed").first
        assert bar.is_visible() and bar.bounding_box()["width"] >= 2
        assert "<script>document.title='owned'</script>" in page.locator("pre").first.inner_text()
        link = page.locator("a", has_text="main")
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith("/actions/0/report.html") and "browser report" in page.content()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.go_back()
        page.screenshot(path=str(ARTIFACTS / "run_page.png"), full_page=True)
    finally:
        page.close()
    assert outside == []
