"""A run's actions as JSON, and the run rebuilt from them: what a later process reads of a
past run's actions, attempts, errors, logs, traces and reports.

When a run ends, ``runs/<run>/actions.jsonl`` gets one JSON line per action
(:func:`action_line`), and ``run.json`` describes the run's groups and semaphores
(:func:`group_dict`, :func:`semaphore_dict`). :func:`load_recorded_run` reads both back into
the records the live run had (``ActionRecord``, ``GroupRecord``, ...), held by a read-only
:class:`RecordedController` inside a :class:`RecordedRun`: anything that shows a live run from
its controller (the widget's view model, the run page) shows the recorded one the same way.

Times are stored as seconds from the run's start. The run's clock origin is kept beside them
(``clock``, a ``time.monotonic()`` reading of the process that ran it), so the rebuilt
records carry the very numbers the live ones did. No task input or output value is stored
here or read by the loader.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ..model._gauge import SemaphoreGauge
from ..model._records import (
    STATES,
    ActionRecord,
    AttemptRecord,
    CallSite,
    ErrorInfo,
    GroupRecord,
    State,
    TraceRecord,
)
from . import _layout as layout
from ._run_data import RunData
from ._store import Store

if TYPE_CHECKING:
    from ..model._cluster_info import ClusterInfo
    from ..model._task import TaskTemplate

__all__ = [
    "RecordedController",
    "RecordedRun",
    "RecordedTask",
    "action_line",
    "group_dict",
    "load_recorded_run",
    "semaphore_dict",
]

#: Lines of an action's printed output the archive keeps (the widget shows as many).
ARCHIVED_LOG_LINES = 50


# ---------------------------------------------------------------------- writing
def action_line(rec: ActionRecord, origin: float, mask: Callable[[str], str] | None = None) -> str:
    """One action as a JSON line: ``id``, ``name`` (the task's), ``parent``, ``group``, ``state``,
    ``attempts``, and when they apply: ``short_name`` (when not the name's last part),
    ``cached``, ``queued``/``started``/``ended`` (seconds from the run's start), ``timings``
    (u, d, t), ``error`` (type, message, traceback), ``history`` (earlier attempts), ``traces``
    (name, times, error: never their values), ``report`` (the page's store key) and ``logs``
    (the tail the widget shows). A field left out is empty. ``mask`` hides secret values in
    the texts a task wrote (errors, logs)."""
    task = rec.task
    line: dict[str, Any] = {
        "id": rec.id,
        "name": task.name,
        "parent": rec.parent,
        "group": rec.group.id,
        "state": rec.state,
        "attempts": rec.attempts,
    }
    if task.short_name != task.name.rsplit(".", 1)[-1]:
        line["short_name"] = task.short_name
    if rec.state == State.CACHED:
        line["cached"] = True
    if rec.queued:
        line["queued"] = rec.queued - origin
    if rec.started:
        line["started"] = rec.started - origin
    if rec.ended:
        line["ended"] = rec.ended - origin
    if rec.timings:
        line["timings"] = rec.timings
    if rec.error is not None:
        line["error"] = _error(rec.error, mask)
    if rec.history is not None:
        line["history"] = [
            {
                "number": h.number,
                "started": _offset(h.started, origin),
                "ended": _offset(h.ended, origin),
                "state": h.state,
                "error": _error(h.error, mask),
            }
            for h in rec.history
        ]
    if rec.traces is not None:
        line["traces"] = [
            {
                "name": t.name,
                "started": _offset(t.started, origin),
                "ended": _offset(t.ended, origin),
                "error": _error(t.error, mask),
                "restored": t.restored,
            }
            for t in rec.traces
        ]
    if rec.report:
        line["report"] = rec.report
    if rec.logs:
        logs = _log_tail(rec.logs)
        line["logs"] = mask(logs) if mask is not None else logs
    return _encode(line)


#: one encoder for every line (``json.dumps`` with options makes a new one per call)
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


def group_dict(g: GroupRecord, origin: float) -> dict[str, Any]:
    """A group as run.json keeps it: what the widget shows of it (label, counts, rates,
    overhead), never its members (each action line names its group)."""
    return {
        "id": g.id,
        "name": g.name,
        "kind": g.kind,
        "parent_action": g.parent_action,
        "site": _site(g.site),
        "concurrency": g.concurrency,
        "total": g.total,
        "expected": g.expected,
        "counts": dict(g.counts),
        "first_started": _offset(g.first_started, origin),
        "last_ended": _offset(g.last_ended, origin),
        "peak_running": g.peak_running,
        "timed": g.timed,
        "overhead_sum": g.overhead_sum,
        "runtime_sum": g.runtime_sum,
    }


def semaphore_dict(gauge: SemaphoreGauge) -> dict[str, Any]:
    """A semaphore of the run as run.json keeps it (its gauge when the run ended)."""
    return {
        "limit": gauge.limit,
        "held": gauge.held,
        "waiting": gauge.waiting,
        "site": _site(gauge.site),
        "parent_action": gauge.parent_action,
    }


def _offset(at: float, origin: float) -> float | None:
    return at - origin if at else None


def _error(error: ErrorInfo | None, mask: Callable[[str], str] | None = None) -> dict[str, str] | None:
    if error is None:
        return None
    if mask is None:
        return {"type": error.type, "message": error.message, "traceback": error.traceback}
    return {"type": error.type, "message": mask(error.message), "traceback": mask(error.traceback)}


def _site(site: CallSite | None) -> list[Any] | None:
    return None if site is None else [site.filename, site.lineno, site.function]


def _log_tail(lines: Iterable[str] | None) -> str:
    if not lines:
        return ""
    return "\n".join("".join(lines).splitlines()[-ARCHIVED_LOG_LINES:])


# ---------------------------------------------------------------------- reading
@dataclass(frozen=True, slots=True)
class RecordedTask:
    """The task of a recorded action: its names only (the function is not kept)."""

    name: str
    short_name: str


@dataclass(eq=False)
class RecordedController:
    """A past run's records, read-only, with the attributes of a live run's controller that
    views read: ``name``, ``phase``, ``done``, ``version``, ``started_at``, ``ended_at``,
    ``actions``, ``groups``, ``counts``, ``semaphores``, ``rejected``, ``cancel_reason``,
    ``cluster`` (its workers and dashboard at the end), ``root`` and ``data`` (the store,
    for reports)."""

    name: str
    phase: str
    done: bool
    version: int
    started_at: float
    ended_at: float
    data: RunData
    actions: list[ActionRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    semaphores: list[SemaphoreGauge] = field(default_factory=list)
    rejected: int = 0
    cancel_reason: str | None = None
    cluster: ClusterInfo | None = None

    @property
    def root(self) -> ActionRecord | None:
        return self.actions[0] if self.actions else None


@dataclass(eq=False)
class RecordedRun:
    """A past run as a live ``Run`` looks to a view: ``name``, ``controller``, ``task``
    (the entry task's names), ``backend``, ``phase`` and ``done()``."""

    controller: RecordedController
    task: RecordedTask
    backend: str

    @property
    def name(self) -> str:
        return self.controller.name

    @property
    def phase(self) -> str:
        return self.controller.phase

    def done(self) -> bool:
        return self.controller.done


def load_recorded_run(store: Store, record: Mapping[str, Any]) -> RecordedRun:
    """The run whose ``run.json`` is ``record``, rebuilt from its ``actions.jsonl`` in
    ``store`` (no actions when the run kept none: a run still going, or one from before
    the archive). Reads the two JSON files only."""
    name = str(record["run"])
    origin = float(record.get("clock") or 1.0)
    groups = [_group(g, origin) for g in record.get("groups") or ()]
    by_id = {g.id: g for g in groups}
    try:
        raw = store.get(layout.run_actions_key(name))
    except FileNotFoundError:
        raw = b""
    tasks: dict[tuple[str, str], RecordedTask] = {}
    actions: list[ActionRecord] = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            actions.append(_action(json.loads(line), origin, by_id, tasks))
    for rec in actions:
        rec.group.members.append(rec)
    elapsed = float(record.get("elapsed_s") or 0.0)
    ended = record.get("ended_offset")
    controller = RecordedController(
        name=name,
        phase=str(record["phase"]),
        done=bool(record.get("done", True)),
        version=int(record.get("version") or 0),
        started_at=origin,
        ended_at=origin + float(ended) if ended is not None else origin + elapsed,
        data=RunData(store, name),
        actions=actions,
        groups=groups,
        counts={state: int((record.get("counts") or {}).get(state, 0)) for state in STATES},
        semaphores=[_gauge(s) for s in record.get("semaphores") or ()],
        rejected=int(record.get("rejected") or 0),
        cancel_reason=record.get("cancel_reason"),
        cluster=_cluster(record.get("cluster")),
    )
    task_name = str(record.get("task") or "")
    root = actions[0].task if actions else None
    task = cast("RecordedTask", root) if root is not None else RecordedTask(task_name, task_name.rsplit(".", 1)[-1])
    return RecordedRun(controller, task, str(record.get("backend") or ""))


def _action(
    line: dict[str, Any], origin: float, groups: dict[int, GroupRecord], tasks: dict[tuple[str, str], RecordedTask]
) -> ActionRecord:
    name = str(line["name"])
    key = (name, str(line.get("short_name") or name.rsplit(".", 1)[-1]))
    task = tasks.get(key)
    if task is None:
        task = tasks[key] = RecordedTask(*key)
    group_id = int(line["group"])
    group = groups.get(group_id)
    if group is None:  # a record without its group: a group of its own
        group = groups[group_id] = GroupRecord(group_id, key[1], "fanout", line.get("parent"))
    history = line.get("history")
    traces = line.get("traces")
    logs = line.get("logs")
    rec = ActionRecord(
        id=int(line["id"]),
        task=cast("TaskTemplate[Any, Any]", task),
        parent=line.get("parent"),
        group=group,
        state=str(line["state"]),
        attempts=int(line.get("attempts") or 0),
        queued=_at(line.get("queued"), origin),
        started=_at(line.get("started"), origin),
        ended=_at(line.get("ended"), origin),
        error=_error_of(line.get("error")),
        timings=line.get("timings"),
        report=line.get("report"),
    )
    if history is not None:
        rec.history = [
            AttemptRecord(
                int(h["number"]),
                _at(h.get("started"), origin),
                _at(h.get("ended"), origin),
                str(h["state"]),
                _error_of(h.get("error")),
            )
            for h in history
        ]
    if traces is not None:
        rec.traces = [
            TraceRecord(
                str(t["name"]),
                {},
                _at(t.get("started"), origin),
                _at(t.get("ended"), origin),
                error=_error_of(t.get("error")),
                restored=bool(t.get("restored")),
            )
            for t in traces
        ]
    if logs:
        rec.append_log(str(logs))
    return rec


def _group(g: Mapping[str, Any], origin: float) -> GroupRecord:
    counts = dict.fromkeys(STATES, 0)
    counts.update({k: int(v) for k, v in (g.get("counts") or {}).items() if k in counts})
    return GroupRecord(
        id=int(g["id"]),
        name=str(g["name"]),
        kind=str(g["kind"]),
        parent_action=g.get("parent_action"),
        site=_site_of(g.get("site")),
        concurrency=int(g.get("concurrency") or 0),
        total=int(g.get("total") or 0),
        expected=int(g.get("expected") or 0),
        counts=counts,
        first_started=_at(g.get("first_started"), origin),
        last_ended=_at(g.get("last_ended"), origin),
        peak_running=int(g.get("peak_running") or 0),
        timed=int(g.get("timed") or 0),
        overhead_sum=float(g.get("overhead_sum") or 0.0),
        runtime_sum=float(g.get("runtime_sum") or 0.0),
    )


def _cluster(recorded: Any) -> ClusterInfo | None:
    """The cluster a run's record names (runs on Dask); its module loads only then."""
    if recorded is None:
        return None
    from ..model._cluster_info import ClusterInfo

    return ClusterInfo.from_dict(recorded)


def _gauge(s: Mapping[str, Any]) -> SemaphoreGauge:
    return SemaphoreGauge(
        int(s["limit"]),
        int(s.get("held") or 0),
        int(s.get("waiting") or 0),
        _site_of(s.get("site")),
        s.get("parent_action"),
    )


def _at(offset: float | None, origin: float) -> float:
    return origin + float(offset) if offset is not None else 0.0


def _error_of(error: Mapping[str, str] | None) -> ErrorInfo | None:
    return None if not error else ErrorInfo(str(error["type"]), str(error["message"]), str(error["traceback"]))


def _site_of(site: list[Any] | None) -> CallSite | None:
    return None if not site else CallSite(str(site[0]), int(site[1]), str(site[2]))
