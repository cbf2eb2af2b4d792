"""The executor conformance suite: written once against the public API, run on every backend.

Each backend passes the same behaviours: outputs, errors of the original type, retries,
timeouts, cancel, sync tasks, map concurrency, where task bodies run, module state across
actions, and trace steps reaching the caller while their action runs. What differs between
backends comes from the :class:`ConformanceBackend` flags, never from backend names.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

import flyte_nb as flyte
from flyte_nb.errors import ActionTimeoutError

from . import _tasks as t
from ._backend import ConformanceBackend

#: bounds of the waits below, far above what any backend needs (tests never time exactly)
RUN_LIMIT_S = 60.0
CANCEL_LIMIT_S = 5.0  # against actions that sleep 60 s
TIMEOUT_LIMIT_S = 20.0  # against a 1 s task timeout


def peak_overlap(records: Iterable[Any]) -> int:
    """The most actions that were running at the same instant, from their start and end times."""
    edges: list[tuple[float, int]] = []
    for rec in records:
        if rec.started:
            edges.append((rec.started, 1))
            edges.append((rec.ended, -1))
    # an end sorts before a start at the same instant: touching intervals do not overlap
    edges.sort()
    peak = running = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


async def _ended(run: flyte.Run) -> None:
    try:
        await run
    except flyte.errors.RunCancelledError:
        pass


class ExecutorConformance:
    """Subclass it (as ``TestSomething``) and override :meth:`conformance_backend`."""

    @pytest.fixture
    def conformance_backend(self) -> Iterator[ConformanceBackend]:
        """Configure flyte_nb for the backend under test (``flyte.init``) and yield what it does."""
        raise NotImplementedError("override the conformance_backend fixture in your subclass")
        yield  # pragma: no cover

    @pytest.fixture
    def backend(self, conformance_backend: ConformanceBackend) -> Iterator[ConformanceBackend]:
        t.env.reuse_policy = conformance_backend.reuse_policy
        try:
            yield conformance_backend
        finally:
            t.env.reuse_policy = None

    def test_outputs_errors_sync_tasks_and_map_concurrency(self, backend: ConformanceBackend) -> None:
        run = flyte.run(t.entry, 5)
        out = run.outputs()[0]
        assert out == {"doubled": [0, 2, 4, 6, 8], "squares": [0, 1, 4], "caught": "no such key"}
        mapped = [a for a in run.actions() if a.task is t.double]
        assert peak_overlap(mapped) <= 2 and len(mapped) == 5

    def test_retries_run_the_body_again(self, backend: ConformanceBackend) -> None:
        store = backend.store
        store.mkdir(parents=True, exist_ok=True)
        store.chmod(0o777)  # the task may write its marker from a container, as an unprivileged user
        marker = str(store / f"attempts-{backend.label}")
        run = flyte.run(t.call_flaky, marker)
        assert run.outputs()[0] == 3
        rec = run.actions()[1]
        assert rec.attempts == 3 and len(rec.history or ()) == 2

    def test_timeout_fails_the_action(self, backend: ConformanceBackend) -> None:
        start = time.monotonic()
        with pytest.raises(ActionTimeoutError):
            flyte.run(t.call_too_slow).outputs()
        assert time.monotonic() - start < TIMEOUT_LIMIT_S

    def test_cancel_stops_running_actions(self, backend: ConformanceBackend) -> None:
        async def go() -> tuple[flyte.Run, float]:
            run = await flyte.run.aio(t.gather_slow, 3)  # type: ignore[attr-defined]  # aio is set on run
            deadline = time.monotonic() + RUN_LIMIT_S
            while run.snapshot().counts["running"] < 4:  # the entry action and its three children
                assert time.monotonic() < deadline, f"not all running: {run.snapshot().counts}"
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            t0 = time.monotonic()
            run.cancel()
            try:  # awaiting the run returns once it has wound down (its executor closed)
                await asyncio.wait_for(_ended(run), 2 * CANCEL_LIMIT_S)
            except TimeoutError:
                pass  # the assertion below says how long it took
            return run, time.monotonic() - t0

        run, took = asyncio.run(go())
        assert run.phase == "cancelled" and took < CANCEL_LIMIT_S
        assert {a.state for a in run.actions()} == {"cancelled"}

    def test_the_process_boundary_matches_the_backend(self, backend: ConformanceBackend) -> None:
        child_pid = flyte.run(t.child_pid).outputs()[0]
        assert (child_pid != os.getpid()) == backend.process_boundary

    def test_module_state_lives_across_actions_in_reusable_processes(self, backend: ConformanceBackend) -> None:
        counts = flyte.run(t.bump_times, 4).outputs()[0]
        if backend.fresh_process_per_action:
            assert len(set(counts)) == 1  # every process starts from the same shipped copy
        elif not backend.process_boundary:
            assert counts == list(range(counts[0], counts[0] + 4))  # the caller itself kept counting
        else:  # reusable processes (workers): four calls on fewer processes, one of them counted again
            assert max(counts) >= 2

    def test_trace_steps_show_while_their_action_runs(self, backend: ConformanceBackend) -> None:
        store = backend.store
        store.mkdir(parents=True, exist_ok=True)
        marker = store / f"seen-{backend.label}"

        async def notebook() -> tuple[flyte.Run, Any]:
            run = await flyte.run.aio(t.traced_then_wait, str(marker))  # type: ignore[attr-defined]  # aio is set on run
            deadline = time.monotonic() + RUN_LIMIT_S

            def ended_step() -> bool:
                actions = run.actions()
                return bool(actions) and any(s.ended for s in actions[0].traces or ())

            # the step is reported when it begins, and again when it has ended
            while not ended_step():
                assert time.monotonic() < deadline, "no ended trace step reached the caller while the action ran"
                await asyncio.sleep(0.05)
            (step,) = run.actions()[0].traces
            marker.write_text("seen")
            await run
            return run, step

        run, step = asyncio.run(notebook())
        assert run.outputs()[0] == 2
        assert step.name == "quick_step" and step.output == 2 and step.ended >= step.started
        assert [s.name for s in run.actions()[0].traces or ()] == ["quick_step"]  # the final list, once
