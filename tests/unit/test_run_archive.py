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
