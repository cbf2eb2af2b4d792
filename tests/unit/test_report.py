"""flyte.report in-process: the SDK's semantics, and the page each report=True action saves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import flyte_nb as flyte
import flyte_nb.report

env = flyte.TaskEnvironment("reports_unit")


def only_output(run: flyte.Run) -> object:
    """The run's one output (``run.outputs()[0]`` may be the SDK's one-element ActionOutputs)."""
    value = run.outputs()[0]
    return value[0] if type(value).__name__ == "ActionOutputs" else value


def saved_page(run: flyte.Run, task: str) -> tuple[str, str]:
    """The store key the action's record names, and the page saved there."""
    (action,) = [a for a in run.actions() if a.name == f"reports_unit.{task}"]
    assert action.report == f"runs/{run.name}/actions/{action.id}/report.html"
    return action.report, (Path(os.environ["FLYTE_NB_STORAGE"]) / action.report).read_text()


@env.task(report=True)
async def tabs() -> list[list[str]]:
    await flyte.report.log.aio("<p>one</p>")
    flyte.report.log("<p>two</p>")
    extra = flyte.report.get_tab("Extra")
    extra.log("first")
    extra.replace("<b>second</b>")
    assert flyte.report.get_tab("Extra") is extra
    with pytest.raises(ValueError, match="Tab missing does not exist."):
        flyte.report.get_tab("missing", create_if_missing=False)
    await flyte.report.flush.aio()
    report = flyte.report.current_report()
    return [tab.content for tab in report.tabs.values()]


def test_log_replace_and_get_tab_are_the_sdks():
    run = flyte.run(tabs)
    assert only_output(run) == [["<p>one</p>", "<p>two</p>"], ["<b>second</b>"]]
    _, page = saved_page(run, "tabs")
    assert "<p>one</p>\n<p>two</p>" in page and "<b>second</b>" in page and "first" not in page
    assert '<li onclick="handleLinkClick(this)">main</li>' in page and ">Extra</li>" in page


@env.task(report=True)
async def replaced(do_flush: bool) -> None:
    flyte.report.log("<p>gone</p>")
    await flyte.report.replace.aio("<p>kept</p>", do_flush=do_flush)


def test_replace_keeps_only_the_new_content_and_the_end_of_the_action_saves_it():
    # no explicit flush: the action's end saves what was logged, as the SDK's task runner does
    _, page = saved_page(flyte.run(replaced, False), "replaced")
    assert "<p>kept</p>" in page and "gone" not in page


@env.task(report=True)
def sync_body(name: str) -> str:
    flyte.report.get_tab(f"tab <{name}>").log("<i>from a thread</i>")
    flyte.report.flush()
    return flyte.report.current_report().name


def test_a_sync_body_reports_from_its_thread_and_tab_names_are_escaped():
    run = flyte.run(sync_body, "x")
    (action,) = run.actions()
    assert only_output(run) == str(action.id)
    _, page = saved_page(run, "sync_body")
    assert "tab &lt;x&gt;</li>" in page and "<i>from a thread</i>" in page
    # main holds nothing: it gets no tab of its own, as in the SDK
    assert ">main</li>" not in page


@env.task
async def unreported() -> str:
    flyte.report.log("<p>nowhere</p>")
    await flyte.report.flush.aio()
    return flyte.report.current_report().name


@env.task(report=True)
async def empty() -> None:
    return None


def test_without_report_true_the_calls_do_nothing_and_nothing_is_saved():
    run = flyte.run(unreported)
    assert only_output(run) == "dummy"
    assert [a.report for a in run.actions()] == [None]
    # a report=True action that logged nothing saves no page either
    assert [a.report for a in flyte.run(empty).wait().actions()] == [None]
    store = Path(os.environ["FLYTE_NB_STORAGE"])
    assert list(store.rglob("report.html")) == []


def test_outside_any_run_the_calls_are_harmless():
    flyte.report.log("<p>x</p>", do_flush=True)
    flyte.report.replace("<p>y</p>")
    flyte.report.flush()
    assert flyte.report.current_report().name == "dummy"
    assert flyte.report.current_report().has_content() is False


@env.task(report=True)
async def fails_after_flush() -> None:
    flyte.report.log("<p>before the failure</p>", do_flush=True)
    raise RuntimeError("boom")


@env.task
async def survives_a_failure() -> str:
    try:
        await fails_after_flush()
    except RuntimeError as exc:
        return str(exc).splitlines()[0]
    return "nothing raised"


def test_a_page_flushed_before_a_failure_stays_named():
    run = flyte.run(survives_a_failure)
    assert only_output(run) == "boom"
    _, page = saved_page(run, "fails_after_flush")
    assert "<p>before the failure</p>" in page


def test_the_page_is_self_contained():
    report = flyte.report.Report("r")
    report.get_tab("A").log("<p>a</p>")
    page = report.get_final_report()
    assert page.startswith("<!doctype html>") and "<div><p>a</p></div>" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page


def test_widgets_format_like_the_sdk():
    assert flyte.report.abbreviate("<x>") == "&lt;x&gt;"
    long = flyte.report.abbreviate("a" * 310, limit=300)
    assert long.startswith("<details") and "... (+10)</summary>" in long
    assert flyte.report.duration_ms("2024-01-01T00:00:00Z", "2024-01-01T00:00:01.5Z") == "1500 ms"
    assert flyte.report.duration_ms("", "x") == "" and flyte.report.duration_ms("bad", "worse") == ""
    report_module = flyte.report
    assert report_module is flyte_nb.report


@env.task(report=True)
async def timeline() -> None:
    line = flyte.report.Timeline("Steps")
    line.heading("Run <1>")
    line.row(icon="*", label="load", meta="12 ms", detail="ok", error="bad <thing>")


def test_timeline_writes_rows_to_its_tab():
    _, page = saved_page(flyte.run(timeline), "timeline")
    assert ">Steps</li>" in page and "Run &lt;1&gt;</h3>" in page and "bad &lt;thing&gt;" in page


def test_report_must_be_a_bool():
    with pytest.raises(flyte.errors.TaskDefinitionError, match="report of f must be True or False"):

        @env.task(report="yes")
        def f() -> None: ...
