"""A past run reopened as a widget (``flyte.remote.Run.get(name)`` displayed, ``%flyte show``)
and the ``%flyte runs`` table: their models, built from the store."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

import flyte_nb as flyte
import flyte_nb.report

pytest.importorskip("anywidget")

from flyte_nb.data import _layout as layout
from flyte_nb.notebook._past import PastRunView, past_run
from flyte_nb.notebook._past_widget import PastRunWidget, past_widget
from flyte_nb.notebook._runs_table import runs_html, runs_table, runs_text
from flyte_nb.notebook._runs_widget import RunsTableWidget
from flyte_nb.notebook._snapshot import render_html, render_text
from flyte_nb.session._config import configured_store

env = flyte.TaskEnvironment("past_widget")


@env.task(report=True)
async def square(x: int) -> int:
    flyte.report.log(f"<h2>square of {x}</h2>")
    print(f"squaring {x}")
    if x == 3:
        raise ValueError(f"3 is unlucky ({x})")
    return x * x


@env.task
async def squares(n: int) -> list[Any]:
    with flyte.group("warmup"):
        await square(0)
    return list(await asyncio.gather(*(square(i) for i in range(1, n + 1)), return_exceptions=True))


@env.task
async def broken(x: int) -> int:
    raise ValueError(f"broken {x}")


@env.task
async def tiny(x: int) -> int:
    return x


@env.task
async def wide(n: int) -> int:
    return len(await flyte.map(tiny, range(n), concurrency=64))


def record_of(name: str) -> dict[str, Any]:
    return flyte.remote.Run.get(name).to_dict()


def reopened(name: str) -> PastRunWidget:
    return past_widget(configured_store(), record_of(name))


def answers(widget: Any, *messages: dict[str, Any]) -> list[dict[str, Any]]:
    """What the widget sends back to the front end for ``messages``."""
    sent: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: sent.append(content)
    for message in messages:
        widget._on_message(widget, message, [])
    return sent


def without(model: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in model.items() if k not in keys}


def test_the_reopened_widget_is_the_live_widget_at_its_end_with_a_past_header():
    run = flyte.with_runcontext(name="past-squares").run(squares, 4)
    live = run.widget()
    live.finish()
    again = reopened("past-squares")
    assert without(again.view, "past") == live.view  # everything but the past-run note
    past = again.view["past"]
    assert past["running"] is False and past["recorded"] is True and past["lost"] is None
    assert abs(past["started"] - time.time()) < 600  # a wall-clock time, not a monotonic one
    assert again.view["total"] == 6 and again.view["counts"]["failed"] == 1 and again.view["counts"]["succeeded"] == 5
    assert {g["label"] for g in again.view["groups"]} >= {'group "warmup"'}


def test_drill_down_pages_detail_logs_and_report_come_from_the_store():
    run = flyte.with_runcontext(name="past-drill").run(squares, 4)
    live = run.widget()
    again = reopened("past-drill")
    fanout = next(g for g in again.view["groups"] if g["kind"] == "fanout")
    asks = [
        {"type": "rows", "group": fanout["id"], "offset": 0, "limit": 10, "request": 1},
        {"type": "rows", "group": fanout["id"], "state": "failed", "request": 2},
    ]
    assert answers(again, *asks) == answers(live, *asks)
    page, failed = answers(again, *asks)
    assert page["total"] == 4 and [r["state"] for r in page["rows"]].count("failed") == 1
    (bad,) = failed["rows"]
    (detail,) = answers(again, {"type": "action", "id": bad["id"], "request": 3})
    assert detail["error"] == "ValueError: 3 is unlucky (3)" and "squaring 3" in detail["logs"]
    assert "ValueError: 3 is unlucky" in detail["traceback"]
    assert again.view["report"]["action"] == bad["id"] and "<h2>square of 3</h2>" in again.view["report"]["html"]
    answers(again, {"type": "close"})
    assert "report" not in again.view
    (run_page,) = answers(again, {"type": "page", "request": 4})  # the header's run page button
    assert again.view["page"] and "<title>Run past-drill</title>" in run_page["html"]
    assert "&lt;h2&gt;square of 3&lt;/h2&gt;" in run_page["html"]  # the report in place, in its frame


def test_a_reopened_run_is_never_cancelled_from_its_widget():
    flyte.with_runcontext(name="past-cancel").run(tiny, 1)
    again = reopened("past-cancel")
    assert answers(again, {"type": "cancel"}) == []
    assert again.view["phase"] == "succeeded" and again.view["done"]


def test_a_big_reopened_run_draws_its_timeline_from_the_actions_times():
    flyte.with_runcontext(name="past-wide").run(wide, 400)
    view = reopened("past-wide").view
    timeline = view["timeline"]
    assert timeline["mode"] == "density" and view["total"] == 401
    (lane,) = timeline["lanes"]
    assert lane["label"] == "map tiny (concurrency 64)" and max(lane["bins"]) >= 1


def test_a_run_still_going_elsewhere_shows_its_last_recorded_state_without_drill_down():
    run = flyte.with_runcontext(name="past-going").run(squares, 2)
    store = configured_store()
    record = json.loads(store.get(layout.run_record(run.name)))
    # what another kernel's running record says: phase running, no actions kept yet
    record.update(phase="running", done=False, ended_offset=None, host="elsewhere", pid=1)
    store.put(layout.run_record(run.name), json.dumps(record).encode())
    store.delete(layout.run_actions_key(run.name))
    again = reopened(run.name)
    view = again.view
    assert view["phase"] == "running" and not view["done"]
    assert view["past"] == {**view["past"], "running": True, "recorded": False}
    assert all(g["eta"] is None for g in view["groups"])
    (page,) = answers(again, {"type": "rows", "group": view["groups"][0]["id"], "request": 1})
    assert page["rows"] == []
    assert "still running elsewhere · last recorded state" in render_text(view)


def test_the_static_snapshot_of_a_reopened_run_says_it_is_past():
    flyte.with_runcontext(name="past-snapshot").run(squares, 3)
    model = PastRunView(past_run(configured_store(), record_of("past-snapshot"))).model()
    text, html = render_text(model), render_html(model)
    assert text.splitlines()[1].startswith("past run · ran ") and "past run · ran " in html
    assert text.splitlines()[2] == "5 actions · 4 succeeded · 0 running · 0 queued · 1 failed"


def test_the_runs_table_lists_newest_first_filters_and_limits():
    for i, task in enumerate((tiny, broken, tiny)):
        try:
            flyte.with_runcontext(name=f"table-{i}").run(task, 3)
        except ValueError:
            pass  # table-1 fails
        time.sleep(0.01)  # distinct start times
    table = runs_table(limit=20)
    assert [row["name"] for row in table["rows"]] == ["table-2", "table-1", "table-0"]
    newest = table["rows"][0]
    assert newest["task"] == "past_widget.tiny" and newest["phase"] == "succeeded" and newest["actions"] == 1
    assert newest["duration"] >= 0 and newest["here"] is False
    assert [row["name"] for row in runs_table(limit=2)["rows"]] == ["table-2", "table-1"]
    assert [row["name"] for row in runs_table(phase="failed")["rows"]] == ["table-1"]
    assert "table-1" in runs_text(table["rows"]) and runs_text([]) == "no runs in the store yet"
    shown = runs_html([{**newest, "task": "<b>x</b>"}])
    assert "<td style='padding: 0 8px'>table-2</td>" in shown and "&lt;b&gt;x&lt;/b&gt;" in shown
    with pytest.raises(ValueError, match="--limit must be at least 1"):
        runs_table(limit=0)
    with pytest.raises(ValueError, match="--phase 'faild' is not a run phase; use one of .*failed"):
        runs_table(phase="faild")
    assert runs_table(phase="cancelled")["rows"] == []


def test_a_click_on_a_row_opens_that_runs_widget_below_the_table():
    flyte.with_runcontext(name="table-open").run(squares, 3)
    table = RunsTableWidget(limit=5)
    assert [row["name"] for row in table.view["rows"]] == ["table-open"]
    table._on_message(table, {"type": "open", "run": "table-open"}, [])
    assert table.view["opened"] == "table-open" and table.view["error"] is None
    opened = table.opened
    assert isinstance(opened, PastRunWidget) and opened.view["total"] == 5 and opened.view["counts"]["failed"] == 1
    (shown,) = table.below.outputs
    assert shown["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] == opened.model_id
    table._on_message(table, {"type": "open", "run": "no-such-run"}, [])
    assert table.view["opened"] is None and "no run named 'no-such-run'" in table.view["error"]
    assert table.below.outputs == ()


def test_a_run_of_this_kernel_still_going_is_listed_and_opens_live():
    async def go() -> tuple[dict[str, Any], Any]:
        run = await flyte.with_runcontext(name="table-live").aio(slow, 1)
        await asyncio.sleep(0.05)
        table = RunsTableWidget(limit=5)
        table._on_message(table, {"type": "open", "run": "table-live"}, [])
        model = dict(table.view)
        opened = table.opened
        await run
        return model, (opened, run)

    model, (opened, run) = asyncio.run(go())
    (row,) = model["rows"]
    assert row["name"] == "table-live" and row["here"] and row["phase"] == "running"
    assert opened is run.widget()  # the live widget, not a reopened one


def test_displaying_a_run_of_this_kernel_still_going_shows_it_live(monkeypatch: pytest.MonkeyPatch):
    from flyte_nb.notebook import _display

    shown: list[Any] = []
    monkeypatch.setattr(_display, "show", shown.append)

    async def go() -> Any:
        run = await flyte.with_runcontext(name="shown-live").aio(slow, 1)
        for _ in range(200):  # its running record is written off the loop as it starts
            if "shown-live" in [r.name for r in flyte.remote.Run.listall()]:
                break
            await asyncio.sleep(0.01)
        flyte.remote.Run.get("shown-live")._ipython_display_()
        await run
        return run

    run = asyncio.run(go())
    assert shown == [run]


@env.task
async def slow(x: int) -> int:
    await asyncio.sleep(0.5)
    return x
