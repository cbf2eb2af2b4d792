"""What a run looks like to a person: the data behind the widget and the static snapshot.

:class:`RunView` turns a run's controller into plain JSON-able dicts. Its per-tick cost
depends on the number of groups only: per-group counts and overhead sums are kept by the
controller in O(1) per action, and the timeline's density lanes are sampled from the
groups' running counts at each tick. So a 50,000-action run costs the kernel what a
100-action run does (bench/widget.py measures it). Only runs of at most ``MAX_BARS``
actions draw one timeline bar per action.
"""

from __future__ import annotations

import html
import math
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model._gauge import SemaphoreGauge
from ..model._records import ActionRecord, CallSite, GroupRecord, State
from ..orchestrator._logs import log_tail
from ._legend import DRAWING_ORDER, counts_text, finished

if TYPE_CHECKING:
    from ..data._archive import RecordedRun
    from ..session._run import Run

#: Groups shown individually; the rest are summed into one row.
MAX_GROUPS = 40
#: Semaphores shown.
MAX_SEMAPHORES = 20
#: Up to this many actions the timeline draws one bar per action; above it, density lanes.
MAX_BARS = 300
#: Time bins per timeline lane (their width doubles as the run goes on).
TIMELINE_BINS = 120
#: Groups that get a timeline lane.
MAX_LANES = 12
#: Most bytes of an action's report page the widget carries (the rest is cut, with a note).
MAX_REPORT_BYTES = 1 << 20
#: Flyte 2's rule of thumb: task runtime should exceed ten times its overhead.
OVERHEAD_FACTOR = 10
#: Finished actions a group needs before it gets overhead advice.
ADVICE_MIN_SAMPLES = 3

SiteNamer = Callable[[str], "str | None"]


class RunView:
    """Builds the widget's model of one run (``model()``), pages of a group's actions
    (``rows()``) and one action's detail (``action()``): a live run, or a past one rebuilt
    from the store (``data._archive.load_recorded_run``)."""

    def __init__(self, run: Run | RecordedRun, *, site_namer: SiteNamer | None = None) -> None:
        self.run = run
        self.controller = run.controller
        self.site_namer = site_namer
        # sampled density lanes: group id -> peak running actions per time bin
        self._lanes: dict[int, list[float]] = {}
        self._bin_width = 0.1  # seconds per timeline bin; doubles when the run outgrows it
        self._last_bin = -1

    # ------------------------------------------------------------------ the model
    def model(self) -> dict[str, Any]:
        """The whole view of the run now (bounded in size, whatever the action count)."""
        c = self.controller
        now = time.monotonic()
        elapsed = ((c.ended_at or now) - c.started_at) if c.started_at else 0.0
        self._sample(elapsed)
        groups = [g for g in c.groups if g.kind != "root"] or list(c.groups)
        shown, rest = groups[:MAX_GROUPS], groups[MAX_GROUPS:]
        root = c.root
        cluster = c.cluster
        return {
            "run": c.name,
            "task": self.run.task.name,
            "backend": self.run.backend,
            "phase": c.phase,
            "done": c.done,
            "elapsed": round(elapsed, 3),
            "version": c.version,
            "total": len(c.actions),
            "counts": dict(c.counts),
            "counts_text": counts_text(c.counts),
            "states": list(DRAWING_ORDER),
            "rejected": c.rejected,
            "cancel_reason": c.cancel_reason,
            "error": _error_summary(root),
            "groups": [self._group(g, now) for g in shown],
            "more_groups": len(rest),
            "semaphores": self._semaphores(),
            "timeline": self._timeline(elapsed),
            "advice": [a for a in (self._advice(g) for g in groups) if a],
            # the cluster's workers and dashboard (None: the run uses no cluster, or not yet)
            "cluster": cluster.to_dict() if cluster is not None else None,
        }

    def _group(self, g: GroupRecord, now: float) -> dict[str, Any]:
        counts = g.counts
        done = finished(counts)
        total = max(g.total, g.expected)
        span = ((g.last_ended if done == g.total and g.total else now) - g.first_started) if g.first_started else 0
        rate = done / span if span > 0 and done else 0.0
        remaining = total - done
        return {
            "id": g.id,
            "kind": g.kind,
            "name": g.name,
            "label": self.group_label(g),
            "site": self.site_label(g.site),
            "concurrency": g.concurrency,
            "total": total,
            "started": g.total,
            "counts": dict(counts),
            "finished": done,
            "running": counts[State.RUNNING],
            "rate": round(rate, 2),
            "eta": round(remaining / rate, 1) if rate and remaining > 0 else None,
            "overhead": round(g.overhead_sum / g.timed, 6) if g.timed else None,
            "runtime": round(g.runtime_sum / g.timed, 6) if g.timed else None,
        }

    def group_label(self, g: GroupRecord) -> str:
        """One line naming a group the way a person would look for it."""
        if g.kind == "map":
            limit = f" (concurrency {g.concurrency})" if g.concurrency else ""
            return f"{g.name}{limit}"
        if g.kind == "group":
            return f'group "{g.name}"'
        if g.kind == "fanout":
            where = self.site_label(g.site)
            return f"gather @ {where} → {g.name}" if where else g.name
        return g.name

    def site_label(self, site: CallSite | None) -> str | None:
        """``cell 4, line 9`` for notebook code, ``file.py:9`` for files."""
        if site is None:
            return None
        cell = self.site_namer(site.filename) if self.site_namer else None
        if cell:
            return f"{cell}, line {site.lineno}"
        return f"{os.path.basename(site.filename)}:{site.lineno}"

    def _semaphores(self) -> list[dict[str, Any]]:
        gauges: list[SemaphoreGauge] = [sem.gauge() for sem in self.controller.semaphores[:MAX_SEMAPHORES]]
        return [
            {
                "id": index,
                "site": self.site_label(gauge.site),
                "limit": gauge.limit,
                "held": min(gauge.held, gauge.limit),
                "waiting": gauge.waiting,
            }
            for index, gauge in enumerate(gauges)
        ]

    def _advice(self, g: GroupRecord) -> str | None:
        if g.kind == "root" or g.timed < ADVICE_MIN_SAMPLES:
            return None
        overhead, runtime = g.overhead_sum / g.timed, max(g.runtime_sum, 0.0) / g.timed
        if overhead <= runtime:
            return None
        batch = max(2, math.ceil(OVERHEAD_FACTOR * overhead / max(runtime, 1e-6)))
        return (
            f"{self.group_label(g)}: overhead {_seconds(overhead)} per action vs runtime {_seconds(runtime)}. "
            f"Batch ~{batch:,} items per action (runtime should be > {OVERHEAD_FACTOR}x overhead), or use "
            "ReusePolicy(concurrency=...) to drop the container start (t)."
        )

    # ------------------------------------------------------------------ timeline
    def _sample(self, elapsed: float) -> None:
        """Record each group's running actions in the current time bin (the peak seen)."""
        while elapsed >= self._bin_width * TIMELINE_BINS:
            self._coarsen()
        current = min(int(elapsed / self._bin_width), TIMELINE_BINS - 1)
        previous = self._last_bin
        for g in self.controller.groups:
            running = g.counts[State.RUNNING]
            lane = self._lanes.get(g.id)
            if lane is None:
                if not running or g.kind == "root":
                    continue
                lane = self._lanes[g.id] = [0.0] * TIMELINE_BINS
            if 0 <= previous < current:  # bins between two ticks held what the last tick saw
                lane[previous + 1 : current] = [lane[previous]] * (current - previous - 1)
            lane[current] = max(lane[current], running)
        self._last_bin = current

    def _coarsen(self) -> None:
        self._bin_width *= 2
        self._last_bin //= 2
        half = TIMELINE_BINS // 2
        for group_id, lane in self._lanes.items():
            merged = [max(lane[2 * i], lane[2 * i + 1]) for i in range(half)]
            self._lanes[group_id] = merged + [0.0] * (TIMELINE_BINS - half)

    def _timeline(self, elapsed: float) -> dict[str, Any]:
        c = self.controller
        t0 = c.started_at
        if len(c.actions) <= MAX_BARS:
            bars = [
                [rec.group.id, round(rec.started - t0, 4), round(rec.ended - t0, 4) if rec.ended else None, rec.state]
                for rec in c.actions
                if rec.started and rec.parent is not None
            ]
            return {"mode": "bars", "span": round(elapsed, 3), "bars": bars}
        width = self._bin_width
        used = max(1, min(TIMELINE_BINS, math.ceil(elapsed / width)))
        groups = {g.id: g for g in c.groups}
        shown = sorted(self._lanes, key=lambda gid: -groups[gid].total)[:MAX_LANES]
        return {
            "mode": "density",
            "span": round(used * width, 3),
            "bin": width,
            "lanes": [
                {
                    "group": gid,
                    "label": self.group_label(groups[gid]),
                    # the most actions of the group seen running in each bin
                    "bins": self._lanes[gid][:used],
                    "running": groups[gid].counts[State.RUNNING],
                }
                for gid in shown
            ],
        }

    # ------------------------------------------------------------------ drill-down
    def rows(self, group_id: int, state: str | None = None, offset: int = 0, limit: int = 50) -> dict[str, Any]:
        """A page of a group's actions (optionally only those in ``state``)."""
        groups = {g.id: g for g in self.controller.groups}
        group = groups.get(group_id)
        if group is None:
            return {"group": group_id, "total": 0, "offset": 0, "rows": []}
        members = group.members if not state else [r for r in group.members if r.state == state]
        offset = max(0, min(int(offset), max(len(members) - 1, 0)))
        limit = max(1, min(int(limit), 500))
        page = members[offset : offset + limit]
        return {
            "group": group_id,
            "state": state,
            "total": len(members),
            "offset": offset,
            "rows": [self._row(r) for r in page],
        }

    def _row(self, rec: ActionRecord) -> dict[str, Any]:
        t0 = self.controller.started_at
        return {
            "id": rec.id,
            "name": rec.name,
            "state": rec.state,
            "attempts": rec.attempts,
            "start": round(rec.started - t0, 4) if rec.started else None,
            "duration": round(rec.duration, 4),
            "overhead": _overhead(rec),
            "error": f"{rec.error.type}: {rec.error.message}" if rec.error else None,
        }

    def action(self, action_id: int) -> dict[str, Any]:
        """Everything about one action: attempts, error and traceback, traces, log tail."""
        actions = self.controller.actions
        if not 0 <= action_id < len(actions):
            return {"id": action_id, "missing": True}
        rec = actions[action_id]
        t0 = self.controller.started_at
        detail = self._row(rec)
        detail.update(
            parent=rec.parent,
            group=rec.group.id,
            traceback=rec.error.traceback if rec.error else None,
            history=[
                {
                    "attempt": h.number,
                    "state": h.state,
                    "duration": round(h.ended - h.started, 4),
                    "error": f"{h.error.type}: {h.error.message}" if h.error else None,
                }
                for h in rec.history or ()
            ],
            traces=[
                {
                    "name": t.name,
                    "start": round(t.started - t0, 4),
                    "duration": round((t.ended or time.monotonic()) - t.started, 4),
                    "error": f"{t.error.type}: {t.error.message}" if t.error else None,
                }
                for t in (rec.traces or ())[-50:]
            ],
            logs=log_tail(rec.logs),
        )
        return detail

    def report(self, action_id: int) -> dict[str, Any] | None:
        """The action's saved report page (``flyte.report``) as HTML, cut at
        ``MAX_REPORT_BYTES`` with a note saying so; None when it has none (yet)."""
        actions = self.controller.actions
        data = self.controller.data
        if not 0 <= action_id < len(actions) or data is None:
            return None
        key = actions[action_id].report
        if not key:
            return None
        try:
            raw = data.store.get(key)
        except OSError:
            return None
        cut = len(raw) > MAX_REPORT_BYTES
        page = raw[:MAX_REPORT_BYTES].decode("utf-8", errors="ignore")
        if cut:
            page += (
                f"<p><b>Report cut at {MAX_REPORT_BYTES:,} of {len(raw):,} bytes;"
                f" the whole page is {html.escape(data.store.url_of(key))}</b></p>"
            )
        return {"action": action_id, "html": page, "truncated": cut, "bytes": len(raw)}


def _overhead(rec: ActionRecord) -> dict[str, float]:
    """The overhead split 2u + 2d + e + t: ``e`` is the time from admission
    to start, ``u``/``d``/``t`` what the executor reported (0 in-process: no data moves,
    no container starts)."""
    e = max(rec.started - rec.queued, 0.0) if rec.started else 0.0
    timings = rec.timings or {}
    return {
        "u": round(timings.get("u", 0.0), 6),
        "d": round(timings.get("d", 0.0), 6),
        "e": round(e, 6),
        "t": round(timings.get("t", 0.0), 6),
    }


def _error_summary(rec: ActionRecord | None) -> dict[str, str] | None:
    if rec is None or rec.error is None:
        return None
    return {"type": rec.error.type, "message": rec.error.message}


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"
