"""flyte.ctx(), flyte.custom_context and with_runcontext(env_vars=...) inside containers:
the job carries what the action reads of its run, and calls made from a container pass the
custom context on."""

from __future__ import annotations

import os

import flyte_nb as flyte

env = flyte.TaskEnvironment("ctxdocker", env_vars={"FROM_ENV": "env"})


@env.task(retries=1)
async def child(tag: str) -> dict:
    ctx = flyte.ctx()
    checkpoint = ctx.checkpoint  # (no assert in a body: pytest rewrites them, containers lack pytest)
    if ctx.attempt_number == 0:
        await checkpoint.save(b"halfway")
        raise RuntimeError("the first attempt fails after its checkpoint")
    loaded = await checkpoint.load()
    return {
        "tag": tag,
        "action": repr(ctx.action),
        "attempt": ctx.attempt_number,
        "custom": flyte.get_custom_context(),
        "env": [os.environ.get("FROM_RUN"), os.environ.get("FROM_ENV")],
        "checkpoint": loaded.read_bytes() if loaded else None,
        "mode": [ctx.mode, ctx.is_in_cluster()],
    }


@env.task
async def parent() -> dict:
    ctx = flyte.ctx()
    with flyte.custom_context(stage="inner"):
        inner = await child("inner")
    return {
        "action": repr(ctx.action),
        "custom": ctx.custom_context,
        "start": ctx.run_start_time.isoformat(),
        "inner": inner,
        "env": os.environ.get("FROM_RUN"),
    }


def test_ctx_custom_context_and_env_vars_reach_actions_in_containers(docker_run):
    run = flyte.with_runcontext(name="ctx-docker", custom_context={"team": "ml"}, env_vars={"FROM_RUN": "run"}).run(
        parent
    )
    out = run.outputs()[0]
    assert out["custom"] == {"team": "ml"}
    assert out["action"] == "ActionID('a0', run_name='ctx-docker')"
    assert out["env"] == "run"
    inner = out["inner"]
    assert inner["action"] == "ActionID('a1', run_name='ctx-docker')"
    assert inner["custom"] == {"team": "ml", "stage": "inner"}  # the block's keys cross the callback
    assert inner["attempt"] == 1 and inner["checkpoint"] == b"halfway"  # the retry resumed
    assert inner["env"] == ["run", "env"]
    assert inner["mode"] == ["local", False]
    assert out["start"] == run.controller.run_info.start_time.isoformat()
