"""flyte.report in reusable worker containers: each action on a worker keeps its own page
(what every away backend does is in tests/conformance/test_report_away.py)."""

from __future__ import annotations

import flyte_nb as flyte
import flyte_nb.report

env = flyte.TaskEnvironment("docker_report")
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
