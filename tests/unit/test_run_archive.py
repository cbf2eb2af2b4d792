"""The action archive: an ended run's actions in ``actions.jsonl``, rebuilt into records that
the widget's view shows exactly as it showed the live run at its end."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

import flyte_nb as flyte
import flyte_nb.report
from flyte_nb.data import _layout as layout
from flyte_nb.data._archive import load_recorded_run
from flyte_nb.notebook._view import RunView

env = flyte.TaskEnvironment("archive_unit")
calls: dict[int, int] = {}


@flyte.trace
async def double(x: int) -> int:
    return 2 * x


@env.task(retries=1)
async def flaky(x: int) -> int:
    calls[x] = calls.get(x, 0) + 1
    print(f"flaky {x} try {calls[x]}")
    if calls[x] == 1:
        raise RuntimeError(f"first try of {x} fails")
    return await double(x)


@env.task(report=True)
async def reported_failure(x: int) -> int:
    flyte.report.log(f"<p>why {x} fails</p>")
    raise ValueError(f"no good: {x}")


@env.task
async def fanout(n: int) -> list[Any]:
    print("fanning out", n)
    semaphore = asyncio.Semaphore(2)

    async def one(i: int) -> int:
        async with semaphore:
            return await flaky(i)

    values = await asyncio.gather(*(one(i) for i in range(n)), reported_failure(n), return_exceptions=True)
    return [v if isinstance(v, int) else type(v).__name__ for v in values]


def recorded(run: flyte.Run) -> Any:
    store = run.controller.data.store
    record = json.loads(store.get(layout.run_record(run.name)))
    return load_recorded_run(store, record)


def test_the_view_of_a_reloaded_run_is_the_view_of_the_live_run_at_its_end() -> None:
    calls.clear()
    run = flyte.with_runcontext(name="archived").run(fanout, 3)
    assert run.outputs()[0] == [0, 2, 4, "ValueError"]
    live, again = RunView(run), RunView(recorded(run))
    assert again.model() == live.model()
    groups = [g["id"] for g in live.model()["groups"]]
    assert len(groups) == 2 and again.model()["semaphores"][0]["limit"] == 2
    for group in groups:
        for state in (None, "failed", "succeeded"):
            assert again.rows(group, state) == live.rows(group, state)
    for action in range(len(run.controller.actions)):
        assert again.action(action) == live.action(action)
        assert again.report(action) == live.report(action)
    # what the comparison covered: a retried action with a trace and logs, a failed one with a report
    retried = live.action(1)
    assert retried["attempts"] == 2 and "first try of 0 fails" in retried["history"][0]["error"]
    assert retried["traces"][0]["name"] == "double" and "flaky 0 try 2" in retried["logs"]
    failed = next(a for a in map(live.action, range(5)) if a["state"] == "failed")
    assert "ValueError: no good: 3" in failed["traceback"]
    report = again.report(failed["id"])
    assert report is not None and "<p>why 3 fails</p>" in report["html"]


def test_the_archive_is_json_lines_without_values(tmp_path: Path) -> None:
    calls.clear()
    run = flyte.with_runcontext(name="archived-lines").run(fanout, 2)
    path = Path(os.environ["FLYTE_NB_STORAGE"]) / layout.run_actions_key(run.name)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["id"] for line in lines] == [0, 1, 2, 3]
    assert [line["name"] for line in lines] == ["archive_unit.fanout"] + ["archive_unit.flaky"] * 2 + [
        "archive_unit.reported_failure"
    ]
    assert lines[1]["traces"][0].keys() == {"name", "started", "ended", "error", "restored"}  # no values
    assert lines[3]["error"]["type"] == "ValueError" and lines[3]["report"].endswith("/report.html")
    assert lines[0]["queued"] == 0.0 and lines[1]["started"] > 0


secrets_env = flyte.TaskEnvironment("archive_secrets", secrets="api-token")
#: a quote and a newline: JSON escapes them, and the value must be masked all the same
TRICKY = 'tok"en\nvalue-9f3a11'


@secrets_env.task
async def leaky() -> None:
    print("token:", os.environ["API_TOKEN"])
    raise ValueError(os.environ["API_TOKEN"])


def test_secret_values_are_masked_in_the_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", TRICKY)
    with pytest.raises(ValueError):
        flyte.with_runcontext(name="archived-secret").run(leaky)
    text = (Path(os.environ["FLYTE_NB_STORAGE"]) / layout.run_actions_key("archived-secret")).read_text()
    (line,) = [json.loads(row) for row in text.splitlines()]
    assert "[secret]" in line["error"]["message"] and "[secret]" in line["logs"]
    assert "9f3a11" not in text


def test_the_sdks_remote_action_api_reads_the_archive() -> None:
    calls.clear()
    flyte.with_runcontext(name="archived-remote").run(fanout, 2)
    run = flyte.remote.Run.get("archived-remote")
    entry = run.action
    assert (entry.name, entry.run_name, entry.task_name, entry.parent_name) == (
        "a0",
        "archived-remote",
        "archive_unit.fanout",
        None,
    )
    assert entry.phase == flyte.models.ActionPhase.SUCCEEDED and entry.done() and entry.start_time.tzinfo
    assert run.get_logs() and list(run.get_logs()) == ["fanning out 2"]
    assert entry.inputs()["n"] == 2 and entry.outputs()[0] == [0, 2, "ValueError"]

    actions = list(flyte.remote.Action.listall(for_run_name="archived-remote"))
    assert [a.name for a in actions] == ["a0", "a1", "a2", "a3"]
    assert [a.name for a in flyte.remote.Action.listall(for_run_name="archived-remote", in_phase=("failed",))] == ["a3"]
    children = flyte.remote.Action.listall(for_run_name="archived-remote", parent_name="a0")
    assert [a.parent_name for a in children] == ["a0"] * 3

    retried = flyte.remote.Action.get(run_name="archived-remote", name="a1")
    details = asyncio.run(retried.details())
    assert details.attempts == 2 and details.error_info is None
    first, second = details.attempt_details
    assert first.phase == "failed" and first.error_info.code == "RuntimeError"
    assert second.phase == "succeeded" and second.start_time >= first.end_time
    assert [t.name for t in details.traces] == ["double"]
    assert list(retried.get_logs()) == ["flaky 0 try 1", "flaky 0 try 2"]
    with pytest.raises(flyte.errors.FlyteNbError, match="keeps the outputs of a run's entry action only"):
        retried.outputs()

    failed = run.first_failure()
    assert failed is not None and failed.name == "a3" and failed.error_info.code == "ValueError"
    assert failed.error_message == "no good: 2" and "Traceback" in failed.error_info.traceback
    assert "<p>why 2 fails</p>" in flyte.remote.Action.get(run_name="archived-remote", name="a3").get_report()
    with pytest.raises(RuntimeError, match="No report is available for action 'a1'"):
        retried.get_report()

    async def the_aio_twins() -> list[Any]:
        got = await flyte.remote.Action.get.aio(run_name="archived-remote", name="a3")
        names = [a.name async for a in flyte.remote.Action.listall.aio(for_run_name="archived-remote")]
        return [names, (await got.get_report.aio())[:15], [line async for line in got.get_logs.aio()]]

    names, page, logs = asyncio.run(the_aio_twins())
    assert names == ["a0", "a1", "a2", "a3"] and page.lower().startswith("<!doctype") and logs == []


def test_reading_a_runs_actions_loads_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    calls.clear()
    flyte.with_runcontext(name="archived-novalues").run(fanout, 2)
    from flyte_nb.data._store import Store

    def refuse(self: Store, key: str) -> bytes:
        raise AssertionError(f"a value was loaded: {key}")

    monkeypatch.setattr(Store, "get_sealed", refuse)
    run = flyte.remote.Run.get("archived-novalues")
    for action in flyte.remote.Action.listall(for_run_name=run.name):
        details = asyncio.run(action.details())
        assert details.attempts >= 1 and list(action.get_logs()) is not None
    assert run.first_failure() is not None and run.action.get_report is not None
    with pytest.raises(AssertionError, match="a value was loaded: runs/archived-novalues/outputs"):
        run.action.outputs()  # values load only when asked for


def test_every_aio_twin_of_a_past_run_and_action_gives_what_the_blocking_call_gives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls.clear()
    flyte.with_runcontext(name="archived-twins").run(fanout, 2)
    capsys.readouterr()  # what the run itself printed
    run = flyte.remote.Run.get("archived-twins")
    entry, failed = run.action, flyte.remote.Action.get(run_name="archived-twins", name="a3")
    run.show_logs()
    entry.show_logs()
    printed = capsys.readouterr().out

    async def the_aio_twins() -> list[Any]:
        got = [
            tuple(await run.outputs.aio()),
            dict(await run.inputs.aio()),
            (await run.first_failure.aio()).name,
            [line async for line in run.get_logs.aio()],
            tuple(await entry.outputs.aio()),
            dict(await entry.inputs.aio()),
            await failed.get_report.aio(),
            [line async for line in entry.get_logs.aio()],
        ]
        await run.show_logs.aio()
        await entry.show_logs.aio()
        return got

    got = asyncio.run(the_aio_twins())
    assert got == [
        tuple(run.outputs()),
        dict(run.inputs()),
        "a3",
        list(run.get_logs()),
        tuple(entry.outputs()),
        dict(entry.inputs()),
        failed.get_report(),
        ["fanning out 2"],
    ]
    assert capsys.readouterr().out == printed and "fanning out 2" in printed
    with pytest.raises(RuntimeError, match="No report is available for action 'a0'"):
        asyncio.run(run.get_report.aio())
