"""flyte.report away from the kernel (in a container, on a Dask worker): the page is saved
where the action runs and the action's record names it."""

from __future__ import annotations

import flyte_nb as flyte
import flyte_nb.report

env = flyte.TaskEnvironment("away_report")


@env.task(report=True)
async def reported(n: int) -> str:
    flyte.report.get_tab("Numbers").log(f"<p>n={n}</p>")
    await flyte.report.flush.aio()
    flyte.report.log("<p>logged after the flush</p>")  # saved when the action ends
    return flyte.report.current_report().name


@env.task
async def plain() -> str:
    flyte.report.log("<p>nowhere</p>", do_flush=True)
    return flyte.report.current_report().name


@env.task
async def parent() -> list[str]:
    return [await reported(7), await plain()]


def test_a_report_is_saved_under_its_action(away_store):
    run = flyte.run(parent)
    value = run.outputs()
    names = value[0] if type(value).__name__ == "ActionOutputs" else value
    by_task = {a.name: a for a in run.actions()}
    child = by_task["away_report.reported"]
    assert names == [str(child.id), "dummy"]
    assert child.report == f"runs/{run.name}/actions/{child.id}/report.html"
    page = (away_store / child.report).read_text()
    assert "<p>n=7</p>" in page and "<p>logged after the flush</p>" in page
    assert by_task["away_report.plain"].report is None and by_task["away_report.parent"].report is None


@env.task(report=True)
async def reported_then_failed(n: int) -> None:
    flyte.report.log(f"<p>why {n} failed</p>")
    raise ValueError(f"failed {n}")


@env.task
async def catches() -> str:
    try:
        await reported_then_failed(3)
    except ValueError as exc:
        return str(exc)
    return "no error"


def test_a_failed_actions_report_is_saved_too(away_store):
    run = flyte.run(catches).wait()
    (failed,) = [a for a in run.actions() if a.name.endswith("reported_then_failed")]
    assert failed.state == "failed" and failed.report is not None
    assert "<p>why 3 failed</p>" in flyte.remote.Action.get(run_name=run.name, name=f"a{failed.id}").get_report()
