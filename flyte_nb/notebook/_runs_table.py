"""``%flyte runs``: the runs in the store as a small table widget, newest first; a click on
a row opens that run's widget below the table.

The rows come from the runs' small ``run.json`` records (``flyte.remote.Run.listall``), never
their actions. A run of this kernel still going is marked ``here`` and opens its live widget;
one the store has no record of yet (it has only just started) is listed first all the same.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from typing import Any

from ..model._phases import ActionPhase
from ..model._records import State
from ..session._history import Run as PastRecord
from ..session._run import Run, active_runs

#: Runs the table shows unless ``--limit`` says otherwise.
DEFAULT_LIMIT = 20
#: What ``--phase`` takes: the phases a run's record may say (the SDK's, and flyte_nb's ``cancelled``).
PHASES = frozenset({p.value for p in ActionPhase} | {State.CANCELLED})


def runs_table(limit: int = DEFAULT_LIMIT, phase: str | None = None) -> dict[str, Any]:
    """The table's model: ``rows`` (name, task, phase, started (seconds since the epoch),
    duration (s), actions, here: a run of this kernel still going), newest first, at most
    ``limit``; ``phase`` keeps runs in that phase only."""
    if limit < 1:
        raise ValueError(f"--limit must be at least 1, got {limit}")
    wanted = phase.lower() if phase else None
    if wanted is not None and wanted not in PHASES:
        raise ValueError(f"--phase {phase!r} is not a run phase; use one of {', '.join(sorted(PHASES))}")
    records = [run.to_dict() for run in PastRecord.listall(in_phase=wanted, limit=limit)]
    live = active_runs()
    rows = [_row(record, here=record.get("run") in live) for record in records]
    listed = {row["name"] for row in rows}
    fresh = [_live_row(run) for name, run in live.items() if name not in listed]
    fresh = [row for row in fresh if wanted is None or row["phase"] == wanted]
    rows = sorted(fresh, key=lambda row: -(row["started"] or 0.0)) + rows
    return {"rows": rows[:limit], "limit": limit, "phase": wanted}


def _row(record: dict[str, Any], *, here: bool) -> dict[str, Any]:
    return {
        "name": str(record.get("run")),
        "task": record.get("task"),
        "phase": str(record.get("phase")),
        "started": record.get("started"),
        "duration": record.get("elapsed_s"),
        "actions": record.get("actions"),
        "here": here,
    }


def _live_row(run: Run) -> dict[str, Any]:
    c = run.controller
    elapsed = time.monotonic() - c.started_at if c.started_at else 0.0
    return {
        "name": run.name,
        "task": run.task.name,
        "phase": run.phase,
        "started": time.time() - elapsed,
        "duration": elapsed,
        "actions": len(c.actions),
        "here": True,
    }


def _cells(row: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    """name, phase, started, duration, actions, task: as text."""
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["started"])) if row["started"] else "-"
    duration = f"{row['duration']:.1f} s" if row["duration"] is not None else "-"
    actions = f"{row['actions']:,}" if row["actions"] is not None else "-"
    return str(row["name"]), str(row["phase"]), started, duration, actions, str(row["task"] or "")


def runs_text(rows: Iterable[dict[str, Any]]) -> str:
    """The table as plain text (where no widget is drawn)."""
    lines = [f"{'name':<16} {'phase':<10} {'started':<19} {'duration':>9} {'actions':>8}  task"]
    for row in rows:
        name, phase, started, duration, actions, task = _cells(row)
        lines.append(f"{name:<16} {phase:<10} {started:<19} {duration:>9} {actions:>8}  {task}")
    return "\n".join(lines) if len(lines) > 1 else "no runs in the store yet"


def runs_html(rows: Iterable[dict[str, Any]]) -> str:
    """The table as an HTML fragment, every value escaped: what an executed notebook keeps for
    viewers that draw no widgets (nbconvert, GitHub)."""
    head = "".join(f"<th style='text-align: left; padding: 0 8px'>{c}</th>" for c in _HEADINGS)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding: 0 8px'>{html.escape(text)}</td>" for text in _cells(row)) + "</tr>"
        for row in rows
    )
    if not body:
        return "<p>no runs in the store yet</p>"
    return f"<table style='border-collapse: collapse'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_HEADINGS = ("name", "phase", "started", "duration", "actions", "task")
