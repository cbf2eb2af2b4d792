"""flyte.report in containers: the page is saved from inside and the action's record names it."""

from __future__ import annotations

import flyte_nb as flyte
import flyte_nb.report

env = flyte.TaskEnvironment("docker_report")


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


def test_a_containers_report_is_saved_under_its_action(docker_run, tmp_path):
    run = flyte.run(parent)
    value = run.outputs()
    names = value[0] if type(value).__name__ == "ActionOutputs" else value
    by_task = {a.name: a for a in run.actions()}
    child = by_task["docker_report.reported"]
    assert names == [str(child.id), "dummy"]
    assert child.report == f"runs/{run.name}/actions/{child.id}/report.html"
    page = (tmp_path / "store" / child.report).read_text()
    assert "<p>n=7</p>" in page and "<p>logged after the flush</p>" in page
    assert by_task["docker_report.plain"].report is None and by_task["docker_report.parent"].report is None


pooled = flyte.TaskEnvironment("docker_report_pool", reuse_policy=flyte.ReusePolicy(replicas=1, concurrency=2))


@pooled.task(report=True)
async def pooled_report(n: int) -> None:
    flyte.report.replace(f"<p>pooled {n}</p>")


@env.task
async def pooled_parent() -> None:
    await pooled_report(1)
    await pooled_report(2)


def test_reports_of_a_reusable_worker_stay_apart(docker_run, tmp_path):
    # one worker runs both actions: each has its own report, saved when it ends
    run = flyte.run(pooled_parent).wait()
    pages = {
        a.id: (tmp_path / "store" / a.report).read_text() for a in run.actions() if a.name.endswith("pooled_report")
    }
    assert len(pages) == 2
    first, second = (pages[i] for i in sorted(pages))
    assert "<p>pooled 1</p>" in first and "pooled 2" not in first
    assert "<p>pooled 2</p>" in second and "pooled 1" not in second


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


def test_a_failed_actions_report_is_saved_too(docker_run):
    run = flyte.run(catches).wait()
    (failed,) = [a for a in run.actions() if a.name.endswith("reported_then_failed")]
    assert failed.state == "failed" and failed.report is not None
    assert "<p>why 3 failed</p>" in flyte.remote.Action.get(run_name=run.name, name=f"a{failed.id}").get_report()
