"""flyte.ctx(), flyte.custom_context and with_runcontext(env_vars=...) away from the kernel
(in a container, on a Dask worker): the job carries what the action reads of its run, calls
made from there pass the custom context on, and a later run does not see the last run's
variables."""

from __future__ import annotations

import os

import flyte_nb as flyte

env = flyte.TaskEnvironment("ctxaway", env_vars={"FROM_ENV": "env"})


def seen(tag: str, loaded: bytes | None) -> dict:
    """What an action reads of its run (no assert in a body: pytest rewrites them, containers lack pytest)."""
    ctx = flyte.ctx()
    return {
        "tag": tag,
        "action": repr(ctx.action),
        "attempt": ctx.attempt_number,
        "custom": flyte.get_custom_context(),
        "env": [os.environ.get("FROM_RUN"), os.environ.get("FROM_ENV")],
        "checkpoint": loaded,
        "mode": [ctx.mode, ctx.is_in_cluster()],
    }


@env.task(retries=1)
async def child(tag: str) -> dict:
    checkpoint = flyte.ctx().checkpoint
    if flyte.ctx().attempt_number == 0:
        await checkpoint.save(b"halfway")
        raise RuntimeError("the first attempt fails after its checkpoint")
    loaded = await checkpoint.load()
    return seen(tag, loaded.read_bytes() if loaded else None)


@env.task(retries=1)
def sync_child(tag: str) -> dict:
    checkpoint = flyte.ctx().checkpoint
    if flyte.ctx().attempt_number == 0:
        checkpoint.save_sync(b"halfway")
        raise RuntimeError("the first attempt fails after its checkpoint")
    loaded = checkpoint.load_sync()
    return seen(tag, loaded.read_bytes() if loaded else None)


@env.task
async def parent() -> dict:
    ctx = flyte.ctx()
    with flyte.custom_context(stage="inner"):
        inner = [await child("inner"), await sync_child.aio("sync")]
    return {
        "action": repr(ctx.action),
        "custom": ctx.custom_context,
        "start": ctx.run_start_time.isoformat(),
        "inner": inner,
        "env": os.environ.get("FROM_RUN"),
    }


@env.task
def leftover() -> list:
    return [os.environ.get("FROM_RUN"), os.environ.get("FROM_ENV")]


def test_ctx_custom_context_and_env_vars_reach_actions_away(away_store):
    run = flyte.with_runcontext(name="ctx-away", custom_context={"team": "ml"}, env_vars={"FROM_RUN": "run"}).run(
        parent
    )
    out = run.outputs()[0]
    assert out["custom"] == {"team": "ml"}
    assert out["action"] == "ActionID('a0', run_name='ctx-away')"
    assert out["env"] == "run"
    assert out["start"] == run.controller.run_info.start_time.isoformat()
    inner, in_sync = out["inner"]
    assert inner["action"] == "ActionID('a1', run_name='ctx-away')"
    assert in_sync["action"] == "ActionID('a2', run_name='ctx-away')"
    for child_saw in (inner, in_sync):
        assert child_saw["custom"] == {"team": "ml", "stage": "inner"}  # the block's keys cross the callback
        assert child_saw["attempt"] == 1 and child_saw["checkpoint"] == b"halfway"  # the retry resumed
        assert child_saw["env"] == ["run", "env"]
        assert child_saw["mode"] == ["local", False]
    # the next run's actions (on the same workers, for dask) do not inherit the last run's variables
    assert flyte.run(leftover).outputs()[0] == [None, "env"]
