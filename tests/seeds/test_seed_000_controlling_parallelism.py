"""Seed 000, "Controlling parallel execution": gather, asyncio.Semaphore, flyte.map(concurrency=N), __main__."""

from __future__ import annotations

import math

import pytest

from .examples import controlling_parallelism as ex
from .helpers import fanout_groups, main_block_literal, peak_overlap, succeeded_with, timed_run

#: call_llm_api sleeps this long (the document's `await asyncio.sleep(0.5)`).
SLEEP_S = 0.5

#: The prompts of the document's __main__ block.
PROMPTS: list[str] = main_block_literal(ex, "prompts")
RESPONSES = [f"Response to: {prompt}" for prompt in PROMPTS]


def test_process_all_at_once_fires_every_call_together():
    """The document: "With eight prompts, this fires eight concurrent API calls"."""
    run, elapsed = timed_run(ex.process_all_at_once, PROMPTS)

    calls = succeeded_with(run, RESPONSES, ex.call_llm_api, len(PROMPTS))
    assert all(rec.parent == 0 and rec.state == "succeeded" for rec in calls)
    assert peak_overlap(calls) == len(PROMPTS)
    # one wave of 0.5 s, not eight
    assert 0.9 * SLEEP_S <= elapsed < 2 * SLEEP_S, elapsed
    # the gather's calls share one call site, so they form one group
    groups = fanout_groups(run)
    assert [(group.name, group.total) for group in groups] == [("call_llm_api", len(PROMPTS))]
    assert groups[0].site.filename == ex.__file__
    assert groups[0].site.function == "process_all_at_once"


@pytest.mark.parametrize("max_concurrent", [None, 4], ids=["default-3", "4"])
def test_process_batch_with_semaphore_runs_at_most_max_concurrent(max_concurrent: int | None):
    """The document: "All eight tasks are submitted immediately, but the Flyte orchestrator only allows three to run in
    parallel. As each one completes, the next waiting task starts."""
    args = (PROMPTS,) if max_concurrent is None else (PROMPTS, max_concurrent)
    limit = 3 if max_concurrent is None else max_concurrent
    run, elapsed = timed_run(ex.process_batch_with_semaphore, *args)

    calls = succeeded_with(run, RESPONSES, ex.call_llm_api, len(PROMPTS))
    assert peak_overlap(calls) == limit
    waves = math.ceil(len(PROMPTS) / limit)  # 3 waves of 0.5 s for the default limit of 3
    assert (waves - 0.5) * SLEEP_S <= elapsed <= (waves + 1.5) * SLEEP_S, elapsed
    # a waiting call starts as soon as a running one ends: the (limit+k)-th start follows the k-th end
    calls.sort(key=lambda rec: rec.started)
    ends = sorted(rec.ended for rec in calls)
    for k, rec in enumerate(calls[limit:]):
        assert ends[k] - 1e-3 <= rec.started < ends[k] + 0.2 * SLEEP_S


def test_process_batch_with_map_limits_concurrency_to_three():
    """The document: "This achieves the same concurrency limit with less boilerplate"."""
    run, elapsed = timed_run(ex.process_batch_with_map, PROMPTS)

    calls = succeeded_with(run, RESPONSES, ex.call_llm_api, len(PROMPTS))
    assert peak_overlap(calls) == 3
    waves = math.ceil(len(PROMPTS) / 3)
    assert (waves - 0.5) * SLEEP_S <= elapsed <= (waves + 1.5) * SLEEP_S, elapsed
    maps = [group for group in run.controller.groups if group.kind == "map"]
    assert len(maps) == 1
    assert maps[0].total == len(PROMPTS)
    assert maps[0].concurrency == 3
    assert maps[0].counts["succeeded"] == len(PROMPTS)


def test_main_block_runs_as_a_script(run_script):
    """The "Running the example" block, as `python controlling_parallelism.py` in a folder without config."""
    done = run_script(ex, "controlling_parallelism.py")

    assert done.returncode == 0, done.stderr
    name, url = done.stdout.splitlines()
    assert name.startswith("r-")
    assert url.endswith(name)
    assert "no config file found" in done.stderr
    assert "using the embedded local backend" in done.stderr
    assert "Traceback" not in done.stderr
