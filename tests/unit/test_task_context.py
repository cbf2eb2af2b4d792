"""flyte.ctx(), flyte.custom_context() and get_custom_context(), as the Flyte 2 SDK shapes them,
filled in from the running action (its id, its real attempt, its custom context, folders of the
run's store, a checkpoint that survives retries)."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timezone

import pytest

import flyte_nb as flyte

env = flyte.TaskEnvironment("ctx_tests")


@env.task
async def grandchild() -> dict:
    return flyte.get_custom_context()


@env.task
async def child() -> dict:
    ctx = flyte.ctx()
    with flyte.custom_context(level="child"):
        below = await grandchild()
    return {"action": repr(ctx.action), "custom": ctx.custom_context, "below": below}


@env.task
def sync_child() -> dict:
    return {"custom": flyte.get_custom_context(), "action": flyte.ctx().action.name}


def test_outside_a_task_ctx_is_a_falsy_null_context():
    ctx = flyte.ctx()
    assert not ctx and repr(ctx) == "NullTaskContext()"
    assert ctx.action is None and ctx.custom_context is None and ctx.checkpoint is None
    assert flyte.get_custom_context() == {}
    with flyte.custom_context(a="1"):  # as in the SDK: nothing to add to outside a task
        assert flyte.get_custom_context() == {}
    assert flyte.current_context() is None


def test_ctx_names_the_action_and_run_and_the_sdk_fields_that_mean_something_locally():
    @env.task
    async def main() -> dict:
        ctx = flyte.ctx()
        assert flyte.current_context() is not None  # flyte_nb's own accessor still works
        return {
            "ctx": ctx,
            "child": await child(),
            "sync": await sync_child.aio(),
            "replaced": ctx.replace(version="v2", data={"k": 1}),
        }

    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    run = flyte.with_runcontext(name="ctx-run", run_start_time=start, interactive_mode=True).run(main)
    out = run.outputs()[0]
    ctx = out["ctx"]
    assert repr(ctx.action) == "ActionID('a0', run_name='ctx-run')"
    assert ctx.action.name == "a0" and ctx.action.run_name == "ctx-run" and ctx.task_action == ctx.action
    assert ctx.mode == "local" and ctx.is_in_cluster() is False and ctx.version == ""
    assert ctx.attempt_number == 0 and ctx.interactive_mode is True and ctx.run_start_time == start
    assert ctx.custom_context == {} and ctx.disable_run_cache is False
    run_dir = run.url.removeprefix("file://")
    assert ctx.run_base_dir == run_dir
    assert repr(ctx.raw_data_path) == f"RawDataPath('{run_dir}/files')"
    assert ctx.output_path == f"{run_dir}/actions/0"
    assert ctx.checkpoint_paths.checkpoint_path == f"{run_dir}/actions/0/attempt-1/checkpoint"
    assert ctx.checkpoint_paths.prev_checkpoint_path is None
    assert out["child"]["action"] == "ActionID('a1', run_name='ctx-run')"
    assert out["sync"]["action"] == "a3"  # a sync body (in a thread) reads its own action
    replaced = out["replaced"]
    assert replaced.version == "v2" and replaced["k"] == 1 and replaced.action == ctx.action


def test_custom_context_is_the_runs_base_overlaid_by_blocks_and_passed_down():
    @env.task
    async def main() -> dict:
        before = flyte.get_custom_context()
        with flyte.custom_context(extra="1", team="override"):
            inside = flyte.ctx().custom_context
            kid = await child()
            mapped = list(flyte.map(grandchild, []))  # a map inside the block is fine too
            gathered = await asyncio.gather(grandchild(), sync_child.aio())
        return {
            "before": before,
            "inside": inside,
            "child": kid,
            "mapped": mapped,
            "gathered": gathered,
            "after": flyte.get_custom_context(),
            "plain": await grandchild(),
        }

    out = flyte.with_runcontext(custom_context={"team": "ml", "project": "p"}).run(main).outputs()[0]
    block = {"team": "override", "project": "p", "extra": "1"}
    assert out["before"] == {"team": "ml", "project": "p"}
    assert out["inside"] == block
    assert out["child"]["custom"] == block  # the child's own context is what the block made
    assert out["child"]["below"] == {**block, "level": "child"}  # and blocks nest down the tree
    assert out["gathered"][0] == block and out["gathered"][1]["custom"] == block
    assert out["after"] == {"team": "ml", "project": "p"}  # the block ended
    assert out["plain"] == {"team": "ml", "project": "p"}


def test_a_map_inside_a_custom_context_block_passes_it_to_every_item():
    @env.task
    async def item(i: int) -> str:
        return flyte.get_custom_context()["batch"] + str(i)

    @env.task
    async def main() -> list:
        with flyte.custom_context(batch="b"):
            return list(flyte.map(item, range(3)))

    assert flyte.run(main).outputs()[0] == ["b0", "b1", "b2"]


def test_attempt_number_counts_the_retries_and_the_checkpoint_survives_them():
    seen: list[int] = []

    @env.task(retries=2)
    async def flaky() -> str:
        ctx = flyte.ctx()
        seen.append(ctx.attempt_number)
        restored = await ctx.checkpoint.load()
        if ctx.attempt_number < 2:
            await ctx.checkpoint.save(f"step {ctx.attempt_number}".encode())
            raise RuntimeError("not yet")
        return restored.read_text()

    assert flyte.run(flaky).outputs()[0] == "step 1"
    assert seen == [0, 1, 2]  # the SDK's local mode says 0 every time


def test_a_checkpoint_of_a_folder_comes_back_as_that_folder(tmp_path):
    @env.task(retries=1)
    def resumable() -> list:
        ctx = flyte.ctx()
        if ctx.attempt_number == 0:
            work = tmp_path / "work"
            (work / "sub").mkdir(parents=True)
            (work / "a.txt").write_text("A")
            (work / "sub" / "b.txt").write_text("B")
            ctx.checkpoint.save_sync(work)
            raise RuntimeError("crash after saving")
        folder = ctx.checkpoint.load_sync()
        assert ctx.checkpoint.prev_exists() and folder == ctx.checkpoint.path
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.txt"))

    assert flyte.run(resumable).outputs()[0] == ["a.txt", "sub/b.txt"]


def test_a_first_attempt_has_no_checkpoint_to_load():
    @env.task
    async def first() -> list:
        checkpoint = flyte.ctx().checkpoint
        return [checkpoint.prev_exists(), await checkpoint.load()]

    assert flyte.run(first).outputs()[0] == [False, None]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        flyte.Checkpoint("/nonexistent/dest").save_sync("/nonexistent/source")


def test_with_runcontext_folders_and_cache_setting_show_in_ctx(tmp_path):
    @env.task
    async def main() -> object:
        return flyte.ctx()

    run = flyte.with_runcontext(
        raw_data_path=str(tmp_path / "raw"), run_base_dir=str(tmp_path / "base"), disable_run_cache=True
    ).run(main)
    ctx = run.outputs()[0]
    assert ctx.raw_data_path.path == str(tmp_path / "raw")
    assert ctx.run_base_dir == str(tmp_path / "base")
    assert ctx.output_path == f"{tmp_path / 'base'}/a0"
    assert ctx.disable_run_cache is True


def test_run_env_vars_reach_in_process_actions_while_the_run_runs():
    @env.task
    def read() -> str | None:
        return os.environ.get("FLYTE_NB_CTX_TEST")

    assert "FLYTE_NB_CTX_TEST" not in os.environ
    assert flyte.with_runcontext(env_vars={"FLYTE_NB_CTX_TEST": "yes"}).run(read).outputs()[0] == "yes"
    assert "FLYTE_NB_CTX_TEST" not in os.environ  # put back when the run ended


def test_latest_checkpoint_finds_the_newest_match_and_checkpoint_is_a_base_checkpoint(tmp_path):
    assert flyte.latest_checkpoint(tmp_path) is None
    older, newer = tmp_path / "a" / "last.ckpt", tmp_path / "b" / "c" / "last.ckpt"
    for path, stamp in ((older, 1_000), (newer, 2_000)):
        path.parent.mkdir(parents=True)
        path.write_text("x")
        os.utime(path, (stamp, stamp))
    assert flyte.latest_checkpoint(tmp_path) == newer
    assert flyte.latest_checkpoint(tmp_path, key=lambda p: -p.stat().st_mtime) == older
    assert issubclass(flyte.Checkpoint, flyte.BaseCheckpoint)


def test_ctx_report_is_the_actions_report_in_a_report_task():
    @env.task(report=True)
    async def reporting() -> bool:
        return flyte.ctx().report is not None

    @env.task
    async def plain() -> bool:
        return flyte.ctx().report is None

    assert flyte.run(reporting).outputs()[0] and flyte.run(plain).outputs()[0]
