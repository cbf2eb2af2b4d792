"""The run widget knows the Dask cluster: the dashboard link (as ``distributed.dashboard.link``
makes it, never a link that is not a web link), the workers and their busy threads while a
run uses them, and the final numbers in the snapshot, ``run.json`` and the reopened run."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pytest

import flyte_nb as flyte

pytest.importorskip("anywidget")

from flyte_nb.data import _layout as layout
from flyte_nb.notebook._past_widget import past_widget
from flyte_nb.notebook._snapshot import render_html, render_text
from flyte_nb.notebook._view import RunView
from flyte_nb.notebook._widget import RunWidget
from flyte_nb.orchestrator._cluster_watch import CLUSTER_REFRESH_S
from flyte_nb.session._config import configured_store

env = flyte.TaskEnvironment("dask_widget")


@env.task
async def nap(i: int) -> int:
    await asyncio.sleep(2.5)
    return i


@env.task
async def naps(n: int) -> int:
    return sum(await asyncio.gather(*[nap(i) for i in range(n)]))


@env.task
async def quick(x: int) -> int:
    return x


@pytest.fixture
def asks(monkeypatch) -> list[float]:
    """When the kernel asked the scheduler about its workers (each question, as it is sent)."""
    from flyte_nb.executors.dask import _executor

    asked: list[float] = []
    ask = _executor.workers_now

    def counted(client: Any) -> Any:
        asked.append(time.monotonic())
        return ask(client)

    monkeypatch.setattr(_executor, "workers_now", counted)
    return asked


def follow(task: Any, *args: Any, name: str) -> tuple[Any, RunWidget, list[dict[str, Any]]]:
    """Run ``task`` with a widget following it; every cluster line the widget sent."""

    async def go() -> tuple[Any, RunWidget, list[dict[str, Any]]]:
        run = await flyte.with_runcontext(name=name).aio(task, *args)
        widget = RunWidget(run, interval=0.05)
        seen: list[dict[str, Any]] = []
        widget.observe(lambda change: seen.append(change["new"].get("cluster")), names="view")
        await run.until_done()
        await asyncio.sleep(1.5)  # long enough for one more question, were any still asked
        return run, widget, seen

    return asyncio.run(go())


def test_the_widget_shows_busy_workers_while_actions_sleep_and_the_final_numbers_everywhere(dask_run, asks):
    run, widget, seen = follow(naps, 4, name="dask-widget-naps")
    assert run.phase == "succeeded"
    lines = [c for c in seen if c is not None]
    assert lines, "the widget never showed the cluster"
    assert {(c["workers"], c["threads"]) for c in lines} == {(2, 16)}  # the fixture's 2 workers x 8 threads
    assert max(c["busy"] for c in lines) >= 4  # the four naps held a thread each, at some tick
    final = widget.view["cluster"]
    assert final["busy"] == 0 and final["workers"] == 2  # and none once the run ended
    # the LocalCluster's dashboard listens on this machine: the link says so
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/status", final["dashboard"]), final
    assert "kernel's machine" in final["dashboard_note"]
    # at most one question a second while the widget followed the run, and none after its end
    ended = run.controller.ended_at
    assert 2 <= len(asks) <= (ended - run.controller.started_at) / CLUSTER_REFRESH_S + 2, asks
    assert max(asks) <= ended
    html, text = render_html(widget.view), render_text(widget.view)
    assert f'href="{final["dashboard"]}" target="_blank" rel="noopener noreferrer"' in html
    assert "2 workers · 0/16 threads busy" in html and "2 workers · 0/16 threads busy" in text
    record = json.loads(configured_store().get(layout.run_record(run.name)))
    assert record["cluster"] == final  # run.json keeps the last numbers, small
    assert len(json.dumps(record["cluster"])) < 600
    again = past_widget(configured_store(), flyte.remote.Run.get(run.name).to_dict())
    assert again.view["cluster"] == final  # the reopened run shows what was recorded at the end


def test_the_dashboard_link_follows_the_dask_config_a_jupyterhub_proxy_sets(dask_run, monkeypatch, asks):
    import dask

    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    with dask.config.set({"distributed.dashboard.link": "{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status"}):
        run = flyte.with_runcontext(name="dask-widget-proxy").run(quick, 1)
    assert len(asks) == 1  # nobody watched the run: the scheduler was asked once, at its end
    cluster = RunView(run).model()["cluster"]
    assert re.fullmatch(r"/user/ada/proxy/\d+/status", cluster["dashboard"]), cluster
    assert cluster["dashboard_note"] is None  # the proxy opens it from anywhere the notebook opens


def test_a_dashboard_on_every_interface_is_shown_at_the_schedulers_host(dask_run):
    import dask

    with dask.config.set({"distributed.dashboard.link": "{scheme}://0.0.0.0:{port}/status"}):
        run = flyte.with_runcontext(name="dask-widget-any").run(quick, 1)
    cluster = RunView(run).model()["cluster"]
    # the LocalCluster's scheduler is at 127.0.0.1: only this machine opens it, and the note says so
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/status", cluster["dashboard"]), cluster
    assert "kernel's machine" in cluster["dashboard_note"]


def test_a_dashboard_link_that_is_not_a_web_link_is_dropped(dask_run):
    import dask

    with dask.config.set({"distributed.dashboard.link": "javascript:alert({port})"}):
        run = flyte.with_runcontext(name="dask-widget-js").run(quick, 1)
    model = RunView(run).model()
    assert model["cluster"]["dashboard"] is None and model["cluster"]["workers"] == 2
    assert "javascript" not in render_html(model) and "javascript" not in render_text(model)


class _Scheduler:
    address = "tcp://10.1.2.3:8786"


class _RemoteClient:
    """What ``dashboard_of`` reads of a Client whose cluster's dashboard says 0.0.0.0."""

    scheduler = _Scheduler()
    dashboard_link = "http://0.0.0.0:8787/status"


def test_a_remote_scheduler_on_every_interface_is_linked_at_the_address_the_kernel_uses():
    from flyte_nb.executors.dask._cluster import dashboard_of

    assert dashboard_of(_RemoteClient()) == ("http://10.1.2.3:8787/status", None)


def test_a_cluster_objects_own_dashboard_link_is_shown(tmp_path):
    """A cluster object that knows its dashboard's address (dask-gateway's, KubeCluster's
    behind an ingress do) links it as it says, without the local-machine note."""
    import distributed

    class ProxiedCluster(distributed.LocalCluster):
        @property
        def dashboard_link(self) -> str:
            return "https://gateway.example/clusters/abc/status"

    with ProxiedCluster(n_workers=1, threads_per_worker=2, dashboard_address=":0") as cluster:
        flyte.init("dask", storage=f"file://{tmp_path / 'store'}", dask={"cluster": cluster})
        run = flyte.with_runcontext(name="dask-widget-gateway").run(quick, 1)
        cluster_line = RunView(run).model()["cluster"]
    assert cluster_line == {
        "workers": 1,
        "threads": 2,
        "busy": 0,
        "dashboard": "https://gateway.example/clusters/abc/status",
        "dashboard_note": None,
    }
