"""The run widget's model: what it holds after known runs, how often it sends, what it answers."""

from __future__ import annotations

import asyncio
import re

import pytest

import flyte_nb as flyte

pytest.importorskip("anywidget")

from flyte_nb.notebook._snapshot import render_html, render_text
from flyte_nb.notebook._widget import RunWidget

env = flyte.TaskEnvironment("widget")


@env.task
async def call_api(prompt: str) -> str:
    print(f"calling {prompt}")
    await asyncio.sleep(0.05)
    return prompt.upper()


@env.task
async def with_semaphore(prompts: list[str], max_concurrent: int = 3) -> list[str]:
    semaphore = asyncio.Semaphore(max_concurrent)

    async def limited(prompt: str) -> str:
        async with semaphore:
            return await call_api(prompt)

    return list(await asyncio.gather(*[limited(p) for p in prompts]))


@env.task
async def noop(x: int) -> int:
    return x


@env.task
async def wide(n: int) -> int:
    return len(await flyte.map(noop, range(n), concurrency=50))


@env.task
async def nap(x: int) -> int:
    await asyncio.sleep(0.02)
    return x


@env.task
async def naps(n: int) -> int:
    return len(await flyte.map(nap, range(n), concurrency=100))


@env.task
async def fails(x: int) -> int:
    if x == 2:
        raise KeyError(f"no item {x}")
    return x


@env.task
async def mixed(n: int) -> list:
    with flyte.group("phase1"):
        await asyncio.gather(*[call_api(str(i)) for i in range(n)])
    return await flyte.map(fails, range(n))


def follow(task, *args, interval: float = 0.02, **run_options):
    """Run ``task`` in a fresh loop with a widget following it; sample the widget's view
    on every update."""

    async def go():
        run = await flyte.with_runcontext(**run_options).aio(task, *args)
        widget = RunWidget(run, interval=interval)
        seen = []
        widget.observe(lambda change: seen.append(change["new"]), names="view")
        await run.until_done()
        await asyncio.sleep(interval * 5)
        return run, widget, seen

    return asyncio.run(go())


def test_counts_groups_and_final_phase():
    _run, widget, seen = follow(mixed, 5)
    view = widget.view
    assert view["phase"] == "succeeded"  # the map's failure comes back as a value
    assert view["done"] and view["total"] == 1 + 5 + 5
    assert view["counts"]["succeeded"] + view["counts"]["failed"] == 11
    groups = {g["label"]: g for g in view["groups"]}
    assert groups['group "phase1"']["total"] == 5 and groups['group "phase1"']["counts"]["succeeded"] == 5
    assert groups["map fails"]["counts"] == {**groups["map fails"]["counts"], "succeeded": 4, "failed": 1}
    assert len(seen) >= 2  # it updated while running, not only at the end


def test_semaphore_gauge_shows_limit_held_and_waiting():
    _run, widget, seen = follow(with_semaphore, [f"p{i}" for i in range(9)])
    gauges = [s for view in seen for s in view["semaphores"]]
    assert gauges and {g["limit"] for g in gauges} == {3}
    assert max(g["held"] for g in gauges) == 3
    assert all(g["held"] <= 3 for g in gauges)
    assert max(g["waiting"] for g in gauges) >= 3  # 9 calls, 3 at a time
    assert widget.view["semaphores"][0]["held"] == 0  # all released at the end
    assert asyncio.Semaphore is asyncio.locks.Semaphore  # restored after the run


def test_updates_are_throttled_independent_of_action_count():
    small_run, small, _ = follow(wide, 100, interval=0.1, max_actions=100_000)
    big_run, big, _ = follow(wide, 50_000, interval=0.1, max_actions=100_000)
    assert big.view["counts"]["succeeded"] == 50_001
    for run, widget in ((small_run, small), (big_run, big)):
        seconds = run.controller.ended_at - run.controller.started_at
        assert widget.updates <= seconds / 0.1 + 3, (widget.updates, seconds)
    # the model's size does not grow with the number of actions
    assert len(repr(big.view)) < 3 * len(repr(small.view)) + 2000


def test_cancel_button_cancels_the_run():
    @env.task
    async def long(n: int) -> list:
        return await asyncio.gather(*[call_api(str(i)) for i in range(n)] + [asyncio.sleep(30)])

    async def go():
        run = await flyte.run.aio(long, 3)
        widget = RunWidget(run, interval=0.02)
        await asyncio.sleep(0.1)
        widget._on_message(widget, {"type": "cancel"}, [])  # what the front end's button sends
        await run.until_done(timeout=2)
        await asyncio.sleep(0.1)
        return run, widget

    run, widget = asyncio.run(go())
    assert run.phase == "cancelled"
    assert widget.view["phase"] == "cancelled" and widget.view["cancel_reason"] == "cancelled from the widget"


def test_drill_down_pages_and_action_detail():
    run, widget, _ = follow(mixed, 30)
    sent = []
    widget.send = lambda content, buffers=None: sent.append(content)
    map_group = next(g for g in widget.view["groups"] if g["kind"] == "map")
    widget._on_message(widget, {"type": "rows", "group": map_group["id"], "offset": 5, "limit": 10, "request": 7}, [])
    page = sent[-1]
    assert page["type"] == "rows" and page["request"] == 7
    assert page["total"] == 30 and page["offset"] == 5 and len(page["rows"]) == 10
    widget._on_message(widget, {"type": "rows", "group": map_group["id"], "state": "failed"}, [])
    failed = sent[-1]
    assert failed["total"] == 1 and failed["rows"][0]["error"] == "KeyError: 'no item 2'"
    widget._on_message(widget, {"type": "action", "id": failed["rows"][0]["id"]}, [])
    detail = sent[-1]
    assert detail["state"] == "failed" and "raise KeyError" in detail["traceback"]
    assert set(detail["overhead"]) == {"u", "d", "e", "t"}
    printed = next(r for r in run.controller.actions if r.name == "widget.call_api")
    widget._on_message(widget, {"type": "action", "id": printed.id}, [])
    assert re.fullmatch(r"calling \d+", sent[-1]["logs"])


def test_overhead_advice_when_overhead_exceeds_runtime():
    from flyte_nb.executors import register_backend, registry

    if "slow-start" not in registry:
        register_backend("slow-start", "unit.slow_start:SlowStartExecutor")
    _run, widget, _ = follow(wide, 60, backend="slow-start")
    advice = widget.view["advice"]
    # t = 20 ms per action against a no-op body: seed 004 asks for runtime > 10x overhead
    assert any("map noop" in a and "Batch ~" in a and "ReusePolicy" in a for a in advice), advice
    row = widget._view.rows(next(g["id"] for g in widget.view["groups"] if g["kind"] == "map"), None, 0, 1)
    assert row["rows"][0]["overhead"]["t"] >= 0.02
    _quick_run, quick, _ = follow(mixed, 3)  # in-process actions that sleep: no advice
    assert not [a for a in quick.view["advice"] if "call_api" in a]


def test_static_snapshot_has_the_final_state():
    run, widget, _ = follow(mixed, 4)
    data, _ = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    html, text = data["text/html"], data["text/plain"]
    assert run.name in html and "group &quot;phase1&quot;" in html and "map fails" in html
    assert "<script" not in html
    assert text.splitlines()[0].startswith(run.phase) and "map fails: 4/4" in text
    assert render_html(widget.view) == html and render_text(widget.view) == text


def test_timeline_switches_from_bars_to_density():
    _small_run, small, _ = follow(mixed, 5)
    assert small.view["timeline"]["mode"] == "bars"
    assert len(small.view["timeline"]["bars"]) == small.view["total"] - 1
    _big_run, big, _ = follow(naps, 600)
    timeline = big.view["timeline"]
    assert timeline["mode"] == "density" and len(timeline["lanes"]) == 1
    lane = timeline["lanes"][0]
    assert lane["label"] == "map nap (concurrency 100)" and len(lane["bins"]) <= 120
    assert 0 < max(lane["bins"]) <= 100


@env.task(report=True)
async def reporting(size: int) -> None:
    flyte.report.log("<p>first</p>")
    await flyte.report.flush.aio()
    await asyncio.sleep(0.6)  # the open detail's report is looked at while the action runs
    flyte.report.log("<p>second</p>" + "x" * size)
    await flyte.report.flush.aio()
    await asyncio.sleep(0.6)


def reports_seen(size: int) -> tuple[RunWidget, list[dict]]:
    """Run ``reporting`` with its action's detail open in a widget; every report the view carried."""

    async def go():
        run = await flyte.with_runcontext().aio(reporting, size)
        widget = RunWidget(run, interval=0.02)
        widget.send = lambda content, buffers=None: None
        seen: list[dict] = []
        widget.observe(lambda change: seen.append(change["new"].get("report")), names="view")
        while not run.controller.actions:
            await asyncio.sleep(0.01)
        widget._on_message(widget, {"type": "action", "id": run.controller.actions[0].id}, [])
        await run.until_done()
        await asyncio.sleep(0.1)
        return widget, [r for r in seen if r]

    return asyncio.run(go())


def test_open_detail_carries_the_report_live_and_close_drops_it():
    widget, reports = reports_seen(10)
    pages = [r["html"] for r in reports]
    first = next(i for i, p in enumerate(pages) if "<p>first</p>" in p and "second" not in p)
    assert any("<p>second</p>" in p for p in pages[first:])  # a flush while running shows up
    assert not reports[-1]["truncated"]
    widget._on_message(widget, {"type": "close"}, [])
    assert "report" not in widget.view


def test_a_report_past_the_cap_is_cut_with_a_note(monkeypatch):
    monkeypatch.setattr("flyte_nb.notebook._view.MAX_REPORT_BYTES", 2_000)
    _widget, reports = reports_seen(5_000)
    last = reports[-1]
    assert last["truncated"] and last["bytes"] > 5_000
    assert len(last["html"].encode()) < 2_000 + 500
    assert "Report cut at 2,000 of" in last["html"]


@pytest.mark.parametrize("store", ["file", "memory://widget-page-test"])
def test_an_ended_runs_header_offers_its_page_with_the_report_in_place(store: str, monkeypatch: pytest.MonkeyPatch):
    """The view says when the run page can be opened; asking for it gives the page with the
    report inside a sandboxed frame (a browser tab cannot follow the store's relative links),
    from whatever store the run used: it comes through the kernel."""
    if store != "file":
        monkeypatch.setenv("FLYTE_NB_STORAGE", store)

    async def go():
        run = await flyte.with_runcontext().aio(reporting, 10)
        widget = RunWidget(run, interval=0.02)
        sent: list[dict] = []
        widget.send = lambda content, buffers=None: sent.append(content)
        widget._on_message(widget, {"type": "page", "request": 1}, [])
        while_running = (widget.view["page"], sent[-1])
        await run.until_done()
        for _ in range(100):
            if widget.view["page"]:
                break
            await asyncio.sleep(0.05)
        widget._on_message(widget, {"type": "page", "request": 2}, [])
        return run, while_running, widget.view["page"], sent[-1]

    run, (offered_while_running, early), offered, reply = asyncio.run(go())
    assert offered_while_running is False and "no run page yet" in early["error"] and "html" not in early
    assert offered is True
    assert reply["request"] == 2 and reply["url"] == run.page_url and reply["run"] == run.name
    assert run.page_url is not None and run.page_url.startswith(store)
    page = reply["html"]
    assert page.startswith("<!DOCTYPE html>") and "<h2>Timeline" in page
    assert '<iframe class="report" sandbox="allow-scripts"' in page
    assert "&lt;p&gt;second&lt;/p&gt;" in page and "<p>second</p>" not in page  # only inside the frame's srcdoc
