"""Seed 003, "Fanout": the basic fanout and its __main__ block, parallel, sequential, mixed and multi-phase
fanouts, the best-practice snippets (batching, return_exceptions, chunking) and call-site groups."""

from __future__ import annotations

import logging

import pytest

import flyte_nb as flyte

from .examples import fanout
from .examples import fanout_patterns as ex
from .helpers import actions_of, fanout_groups, line_of, one_after_another, peak_overlap, succeeded_with


def test_main_fans_out_fifty_actions():
    """The document: "When you call a task multiple times in a loop, you create multiple actions"."""
    run = flyte.run(fanout.main, r=50)

    calls = succeeded_with(run, list(range(50)), fanout.my_task, 50)
    assert len(run.controller.actions) == 51  # the entry action and one action per call
    assert all(rec.parent == 0 and rec.state == "succeeded" for rec in calls)


def test_main_groups_its_fanout_by_call_site():
    run = flyte.run(fanout.main, r=50)

    groups = fanout_groups(run)
    assert len(groups) == 1
    group = groups[0]
    assert (group.name, group.total, group.counts["succeeded"]) == ("my_task", 50, 50)
    assert group.parent_action == 0
    assert group.site.filename == fanout.__file__
    assert group.site.lineno == line_of(fanout, "results.append(my_task(x=i))")
    assert group.site.function == "main"
    assert all(rec.group is group for rec in actions_of(run, fanout.my_task))


def test_main_block_runs_as_a_script_with_its_config_file(run_script, tmp_path):
    (tmp_path / "config.yaml").write_text("backend: local\n")
    done = run_script(fanout, "fanout.py")

    assert done.returncode == 0, done.stderr
    (url,) = done.stdout.splitlines()
    assert url.rsplit("/", 1)[-1].startswith("r-")
    assert "no config file found" not in done.stderr
    assert "Traceback" not in done.stderr


def test_main_block_without_its_config_file_fails_naming_it(run_script):
    done = run_script(fanout, "fanout.py")

    assert done.returncode != 0
    assert "ConfigError" in done.stderr
    assert "config.yaml" in done.stderr
    assert done.stdout == ""


def test_parallel_fanout_runs_every_action_at_once():
    n = 10
    run = flyte.run(ex.parallel_fanout_example, n)

    calls = succeeded_with(run, [f"result {i}" for i in range(n)], ex.my_async_task, n)
    assert peak_overlap(calls) == n
    assert [(group.name, group.total) for group in fanout_groups(run)] == [("my_async_task", n)]


def test_sequential_fanout_runs_one_action_at_a_time_in_order():
    n = 5
    run = flyte.run(ex.sequential_fanout_example, n)

    calls = succeeded_with(run, [f"result {i}" for i in range(n)], ex.my_async_task, n)
    assert peak_overlap(calls) == 1
    assert one_after_another([rec] for rec in calls)
    # the awaits share one call site, so they form one group
    groups = fanout_groups(run)
    assert [(group.name, group.total) for group in groups] == [("my_async_task", n)]
    assert groups[0].site.lineno == line_of(ex, "result = await my_async_task(i)")


def test_mixed_fanout_runs_a_parallel_phase_then_a_sequential_one():
    n = 5
    run = flyte.run(ex.mixed_fanout_example, n)

    assert run.phase == "succeeded"
    parallel_results, sequential_results = run.outputs()  # a tuple: two outputs
    assert list(parallel_results) == [f"fast {i}" for i in range(n)]
    assert list(sequential_results) == [f"slow(fast {i})" for i in range(n)]
    fast = actions_of(run, ex.fast_task)
    slow = actions_of(run, ex.slow_processing_task)
    assert (len(fast), len(slow)) == (n, n)
    assert peak_overlap(fast) == n
    assert peak_overlap(slow) == 1
    assert one_after_another([fast, *([rec] for rec in slow)])
    groups = fanout_groups(run)
    assert [(group.name, group.total) for group in groups] == [("fast_task", n), ("slow_processing_task", n)]
    assert [group.site.lineno for group in groups] == [
        line_of(ex, "parallel_tasks.append(fast_task(i))"),
        line_of(ex, "processed = await slow_processing_task(result)"),
    ]


def test_multi_phase_workflow_runs_three_fanouts_one_after_another():
    data_size = 6
    run = flyte.run(ex.multi_phase_workflow, data_size)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [(i + 1) * 10 - 3 for i in range(data_size)]
    phases = [actions_of(run, task) for task in (ex.preprocess_task, ex.process_task, ex.postprocess_task)]
    assert [len(phase) for phase in phases] == [data_size] * 3
    assert [peak_overlap(phase) for phase in phases] == [data_size] * 3
    assert one_after_another(phases)
    # one group per gather call site, in the order the phases ran
    groups = fanout_groups(run)
    assert [(group.name, group.total, group.counts["succeeded"]) for group in groups] == [
        ("preprocess_task", data_size, data_size),
        ("process_task", data_size, data_size),
        ("postprocess_task", data_size, data_size),
    ]
    assert [group.site.lineno for group in groups] == [
        line_of(ex, "preprocessed.append(preprocess_task(i))"),
        line_of(ex, "processed.append(process_task(result))"),
        line_of(ex, "postprocessed.append(postprocess_task(result))"),
    ]
    assert {(group.site.filename, group.site.function) for group in groups} == {(ex.__file__, "multi_phase_workflow")}
    for phase, group in zip(phases, groups, strict=True):
        assert all(rec.group is group for rec in phase)


def test_batching_runs_one_batch_of_100_at_a_time():
    """The document: "For very large fanouts, consider batching": batch_size = 100."""
    items = list(range(250))
    run = flyte.run(ex.batched_fanout, items)

    assert run.phase == "succeeded"
    assert run.outputs()[0] is None
    calls = actions_of(run, ex.process_task)
    assert len(calls) == len(items)
    assert all(rec.state == "succeeded" for rec in calls)
    assert peak_overlap(calls) == 100
    assert one_after_another([calls[0:100], calls[100:200], calls[200:250]])


def test_return_exceptions_logs_each_failure_and_keeps_the_rest(caplog: pytest.LogCaptureFixture):
    """The document: "Use return_exceptions=True to handle failures gracefully"."""
    n = 10
    failing = [i for i in range(n) if i % 3 == 0]  # flaky_task fails for multiples of 3
    with caplog.at_level(logging.ERROR, logger=ex.logger.name):
        run = flyte.run(ex.fanout_with_error_handling, n)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == [i for i in range(n) if i not in failing]
    logged = [record.getMessage() for record in caplog.records if record.name == ex.logger.name]
    assert logged == [f"Task {i} failed: item {i} failed" for i in failing]
    calls = actions_of(run, ex.flaky_task)
    assert [rec.state for rec in calls] == ["failed" if i in failing else "succeeded" for i in range(n)]
    assert all(rec.error.type == "ValueError" for rec in calls if rec.state == "failed")


def test_chunking_gathers_one_chunk_of_1000_at_a_time():
    """The document: "Process in chunks to manage memory": chunk_size = 1000."""
    total_size = 2500
    run = flyte.run(ex.chunked_fanout, total_size)

    assert run.phase == "succeeded"
    assert run.outputs()[0] == list(range(total_size))
    calls = actions_of(run, fanout.my_task)
    assert len(calls) == total_size
    assert one_after_another([calls[0:1000], calls[1000:2000], calls[2000:2500]])
    assert [(group.name, group.total) for group in fanout_groups(run)] == [("my_task", total_size)]
