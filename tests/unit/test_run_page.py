"""The run page: ``runs/<run>/index.html``, written when a run ends, self-contained HTML."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path

import fsspec
import pytest
from support import ended_run

import flyte_nb as flyte
import flyte_nb.orchestrator._run_page as run_page_module

env = flyte.TaskEnvironment("run_page_unit")


@env.task
async def leaf(i: int) -> int:
    if i == 2:
        raise ValueError("<script>alert(1)</script>")
    return i


@env.task(report=True)
async def reporting() -> None:
    flyte.report.log("<p>hello report</p>")
    await flyte.report.flush.aio()


@env.task
async def main(n: int) -> int:
    await reporting()
    results = await asyncio.gather(*[leaf(i) for i in range(n)], return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]
    return sum(results)


def page_text(run: flyte.Run) -> str:
    assert run.page_url is not None
    with fsspec.open(run.page_url, "rt") as page:
        return page.read()


def test_the_page_shows_header_timeline_escaped_errors_and_report_links():
    run = ended_run(main, 4, runner=flyte.with_runcontext(name="page-1"))
    assert run.phase == "failed"
    assert run.page_url == run.url + "/index.html"
    path = Path(os.environ["FLYTE_NB_STORAGE"]) / "runs" / "page-1" / "index.html"
    page = path.read_text()
    assert page == page_text(run)
    assert "<h1>Run page-1</h1>" in page and ">failed</span>" in page
    assert "run_page_unit.main" in page and "local" in page
    # the error text is escaped, never a tag
    assert "<script>" not in page
    assert "ValueError: &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('<tr class="row">') == len(run.actions()) == 6  # main, reporting, 4 leaves
    # no external request: no src/href to any other origin, no stylesheet link
    assert not re.search(r"(src|href)=\"(https?:)?//", page) and "<link" not in page
    (reporter,) = [a for a in run.actions() if a.name == "run_page_unit.reporting"]
    link = f'href="actions/{reporter.id}/report.html"'
    assert link in page
    assert (path.parent / "actions" / str(reporter.id) / "report.html").is_file()  # the link resolves


def test_page_url_is_none_until_the_run_ends():
    async def notebook() -> tuple[str | None, str | None]:
        run = await flyte.run.aio(main, 1)
        before = run.page_url
        await run.until_done()
        return before, run.page_url

    before, after = asyncio.run(notebook())
    assert before is None and after is not None and after.endswith("/index.html")


def test_a_big_run_draws_a_capped_timeline_and_says_how_many_were_left_out(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(run_page_module, "MAX_TIMELINE_ROWS", 5)
    run = ended_run(main, 10)
    page = page_text(run)
    assert page.count('<tr class="row">') == 5
    assert "7 more actions not drawn (the first 5 are)." in page  # 12 actions in all


def test_a_memory_store_run_has_its_page(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLYTE_NB_STORAGE", "memory://run-page-test")
    run = flyte.with_runcontext(name="page-mem").run(main, 1)
    assert run.page_url is not None and run.page_url.startswith("memory://")
    assert "<h1>Run page-mem</h1>" in page_text(run) and ">succeeded</span>" in page_text(run)


def test_a_rendering_failure_is_logged_and_the_run_still_succeeds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(page: object) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(run_page_module, "render_run_page", broken)
    with caplog.at_level(logging.ERROR, logger="flyte_nb"):
        run = flyte.with_runcontext(name="page-broken").run(main, 1)
    assert run.phase == "succeeded" and run.outputs()[0] == 0
    folder = Path(os.environ["FLYTE_NB_STORAGE"]) / "runs" / "page-broken"
    assert (folder / "run.json").is_file() and not (folder / "index.html").exists()
    assert "could not render its run page" in caplog.text and "renderer broke" in caplog.text
