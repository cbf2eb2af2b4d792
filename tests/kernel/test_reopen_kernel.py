"""A run reopened after a real kernel restart: ``%flyte show NAME`` and ``flyte.remote.Run.get``
as a cell's last expression give the run widget, its model rebuilt from the store."""

from __future__ import annotations

import json
import queue
import textwrap
from typing import Any

import pytest

pytestmark = pytest.mark.kernel

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

RUN = textwrap.dedent(
    """
    import asyncio
    import flyte_nb as flyte

    env = flyte.TaskEnvironment("reopen")

    @env.task(report=True)
    async def step(x: int) -> int:
        flyte.report.log(f"<p>step {x}</p>")
        if x == 2:
            raise ValueError("step 2 fails")
        return x

    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*(step(i) for i in range(n)), return_exceptions=True))

    run = flyte.with_runcontext(name="reopen-k").run(main, 4)
    run.wait()
    while flyte.remote.Run.get("reopen-k").phase == "running":  # its record is written just after it ends
        await asyncio.sleep(0.05)
    print(run.phase)
    """
)


def widget_views(kernel: Any, code: str, timeout: float = 60.0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run ``code``; the last ``view`` of every widget it opened (from the comm messages, as the
    front end gets them: the state at comm_open, then updates) and the outputs it displayed."""
    msg_id = kernel.client.execute(code)
    views: dict[str, dict[str, Any]] = {}
    outputs: list[dict[str, Any]] = []
    while True:
        try:
            msg = kernel.client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"the kernel did not finish {code!r} within {timeout} s") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "error":
            raise AssertionError("\n".join(content["traceback"]))
        if kind in ("comm_open", "comm_msg"):
            state = content["data"].get("state", {})
            if "view" in state and (kind == "comm_open" or content["comm_id"] in views):
                views[content["comm_id"]] = state["view"]
        elif kind in ("display_data", "execute_result"):
            outputs.append(content["data"])
        elif kind == "status" and content["execution_state"] == "idle":
            return list(views.values()), outputs


def check_reopened(view: dict[str, Any]) -> None:
    assert view["run"] == "reopen-k" and view["task"] == "reopen.main" and view["phase"] == "succeeded"
    assert view["total"] == 5 and view["counts"]["succeeded"] == 4 and view["counts"]["failed"] == 1
    (fanout,) = view["groups"]
    assert fanout["total"] == 4 and fanout["counts"]["failed"] == 1
    assert view["past"]["running"] is False and view["past"]["recorded"] is True


def test_a_run_reopens_after_a_kernel_restart(kernel):
    ran = kernel.execute(RUN)
    assert ran.error is None, ran.traceback
    assert ran.stdout.split()[-1] == "succeeded"
    kernel.manager.restart_kernel(now=True)
    kernel.client.wait_for_ready(timeout=60)
    assert kernel.execute("print('run' in globals())").stdout.strip() == "False"  # a new process

    views, outputs = widget_views(kernel, "%load_ext flyte_nb\n%flyte show reopen-k")
    (view,) = views
    check_reopened(view)
    widget_output, snapshot = outputs
    assert WIDGET_MIME in widget_output and "past run · ran " in widget_output["text/plain"]
    assert "past run · ran " in snapshot["text/html"]  # the static snapshot for viewers without widgets

    views, outputs = widget_views(kernel, "import flyte_nb as flyte\nflyte.remote.Run.get('reopen-k')")
    (view,) = views
    check_reopened(view)
    assert WIDGET_MIME in outputs[0]

    # the drill-down, asked of that widget in the kernel as the front end's clicks ask it
    detail = kernel.execute(
        textwrap.dedent(
            """
            import json
            from ipywidgets.widgets.widget import _instances
            widget = [w for w in _instances.values() if type(w).__name__ == "PastRunWidget"][-1]
            sent = []
            widget.send = lambda content, buffers=None: sent.append(content)
            group = widget.view["groups"][0]["id"]
            widget._on_message(widget, {"type": "rows", "group": group, "state": "failed"}, [])
            failed = sent[-1]["rows"][0]["id"]
            widget._on_message(widget, {"type": "action", "id": failed}, [])
            print(json.dumps({"error": sent[-1]["error"], "report": widget.view["report"]["html"]}))
            """
        )
    )
    assert detail.error is None, detail.traceback
    shown = json.loads(detail.stdout.strip().splitlines()[-1])
    assert shown["error"] == "ValueError: step 2 fails" and "<p>step 2</p>" in shown["report"]
