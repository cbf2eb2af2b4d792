"""flyte.ctx(), flyte.custom_context and with_runcontext(env_vars=...) on Dask workers: the job
carries them, and a worker puts its environment back after each job."""

from __future__ import annotations

import os

import flyte_nb as flyte

env = flyte.TaskEnvironment("ctxdask", env_vars={"FROM_ENV": "env"})


@env.task(retries=1)
def child(tag: str) -> dict:
    ctx = flyte.ctx()
    if ctx.attempt_number == 0:
        ctx.checkpoint.save_sync(b"halfway")
        raise RuntimeError("the first attempt fails after its checkpoint")
    loaded = ctx.checkpoint.load_sync()
    return {
        "tag": tag,
        "action": repr(ctx.action),
        "attempt": ctx.attempt_number,
        "custom": flyte.get_custom_context(),
        "env": [os.environ.get("FROM_RUN"), os.environ.get("FROM_ENV")],
        "checkpoint": loaded.read_bytes() if loaded else None,
    }


@env.task
async def parent() -> dict:
    with flyte.custom_context(stage="inner"):
        inner = await child.aio("inner")
    return {"custom": flyte.get_custom_context(), "inner": inner, "env": os.environ.get("FROM_RUN")}


@env.task
def leftover() -> list:
    return [os.environ.get("FROM_RUN"), os.environ.get("FROM_ENV")]


def test_ctx_custom_context_and_env_vars_reach_dask_workers(dask_run):
    run = flyte.with_runcontext(name="ctx-dask", custom_context={"team": "ml"}, env_vars={"FROM_RUN": "run"}).run(
        parent
    )
    out = run.outputs()[0]
    assert out["custom"] == {"team": "ml"} and out["env"] == "run"
    inner = out["inner"]
    assert inner["action"] == "ActionID('a1', run_name='ctx-dask')"
    assert inner["custom"] == {"team": "ml", "stage": "inner"}
    assert inner["attempt"] == 1 and inner["checkpoint"] == b"halfway"
    assert inner["env"] == ["run", "env"]
    # the next run's actions on the same workers do not inherit the last run's variables
    assert flyte.run(leftover).outputs()[0] == [None, "env"]
