"""The cluster a run shows (workers, busy threads, dashboard): none for the in-process
backend, and only web links from a run record."""

from __future__ import annotations

import asyncio
import json

import pytest

import flyte_nb as flyte
from flyte_nb.data import _layout as layout
from flyte_nb.model._cluster_info import ClusterInfo, web_link
from flyte_nb.session._config import configured_store

env = flyte.TaskEnvironment("cluster_info")


@env.task
async def nap(x: int) -> int:
    await asyncio.sleep(0.05)
    return x


@env.task
async def naps(n: int) -> int:
    return sum(await asyncio.gather(*[nap(i) for i in range(n)]))


def test_a_local_run_has_no_cluster_in_its_model_record_or_tasks():
    pytest.importorskip("anywidget")
    from flyte_nb.notebook._widget import RunWidget

    async def go():
        run = await flyte.with_runcontext(name="local-no-cluster").aio(naps, 5)
        widget = RunWidget(run, interval=0.01)
        while run.controller.counts["running"] < 6:  # the entry action and its five naps
            await asyncio.sleep(0.005)
        names = {task.get_name() for task in asyncio.all_tasks()}
        await run.until_done()
        return run, widget, names

    run, widget, names = asyncio.run(go())
    assert widget.view["cluster"] is None
    assert f"flyte_nb run {run.name}" in names
    assert not any(name.startswith("flyte_nb cluster") for name in names)  # nothing watches a cluster
    record = json.loads(configured_store().get(layout.run_record(run.name)))
    assert "cluster" not in record


@pytest.mark.parametrize(
    "link",
    [
        "http://10.0.0.5:8787/status",
        "https://gateway.example/clusters/abc/status",
        "/user/ada/proxy/8787/status",
    ],
)
def test_web_links_are_kept(link):
    assert web_link(link) == link


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " http://h/",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "//evil.example/status",
        "http:///no-host",
        "status",
        "http://h/\nx",
        "http://h/" + "x" * 3000,
        "",
        None,
        42,
    ],
)
def test_anything_else_is_dropped(link):
    assert web_link(link) is None


def test_a_reopened_runs_record_yields_only_a_web_link_and_counts():
    assert ClusterInfo.from_dict({"workers": 3, "threads": 12, "busy": 0, "dashboard": "javascript:alert(1)"}) == (
        ClusterInfo(3, 12, 0, None, None)
    )
    assert ClusterInfo.from_dict({"workers": "3", "busy": -1, "threads": True}) == ClusterInfo()
    assert ClusterInfo.from_dict(None) is None and ClusterInfo.from_dict([1]) is None
    info = ClusterInfo(2, 16, 5, "http://h:1/status", "note")
    assert ClusterInfo.from_dict(json.loads(json.dumps(info.to_dict()))) == info
