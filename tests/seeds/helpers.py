"""Measuring helpers for the seed tests: what ran, when, and how much of it at once."""

from __future__ import annotations

import ast
import time
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from support import peak_overlap  # noqa: F401 - re-exported for the seed tests

import flyte_nb as flyte
from flyte_nb.orchestrator import ActionRecord


def timed_run(task: flyte.TaskTemplate, *args: Any, **kwargs: Any) -> tuple[flyte.Run, float]:
    """``flyte.run`` (which, with no loop running, returns when the run has ended) and its wall time."""
    start = time.monotonic()
    run = flyte.run(task, *args, **kwargs)
    return run, time.monotonic() - start


def actions_of(run: flyte.Run, task: flyte.TaskTemplate) -> list[ActionRecord]:
    """The run's actions of ``task``, in the order they were started."""
    return [rec for rec in run.controller.actions if rec.task is task]


def succeeded_with(run: flyte.Run, outputs: Any, task: flyte.TaskTemplate, count: int) -> list[ActionRecord]:
    """Check that ``run`` succeeded with ``outputs`` after ``count`` actions of ``task``; those
    actions, in the order they were started."""
    assert run.phase == "succeeded"
    assert run.outputs()[0] == outputs
    calls = actions_of(run, task)
    assert len(calls) == count
    return calls


def one_after_another(phases: Iterable[Iterable[ActionRecord]]) -> bool:
    """True if every action of each phase started after every action of the phase before ended."""
    last_end = float("-inf")
    for phase in phases:
        phase = list(phase)
        if min(rec.started for rec in phase) < last_end:
            return False
        last_end = max(rec.ended for rec in phase)
    return True


def line_of(module: ModuleType, text: str) -> int:
    """The line number of the one line of ``module``'s source that contains ``text``."""
    lines = Path(module.__file__).read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, start=1) if text in line]
    assert len(found) == 1, f"{text!r} is on lines {found} of {module.__file__}, expected exactly one"
    return found[0]


def main_block_literal(module: ModuleType, name: str) -> Any:
    """The literal value ``module``'s ``if __name__ == "__main__":`` block assigns to ``name``
    (read from the source, so a test uses the document's own value)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    found = [
        statement.value
        for node in tree.body
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
        for statement in node.body
        if isinstance(statement, ast.Assign) and [ast.unparse(t) for t in statement.targets] == [name]
    ]
    assert len(found) == 1, f"{name} is assigned {len(found)} times in the __main__ block of {module.__file__}"
    return ast.literal_eval(found[0])


def fanout_groups(run: flyte.Run) -> list:
    """The run's groups made by call sites (``asyncio.gather`` and plain awaits), in creation order."""
    return [group for group in run.controller.groups if group.kind == "fanout"]
