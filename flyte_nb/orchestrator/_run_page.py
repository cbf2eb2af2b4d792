"""The run page: one self-contained HTML file (``runs/<run>/index.html``) describing an ended run.

:func:`render_run_page` is a pure function of a :class:`RunPage` (plain data, built from the
controller by :func:`run_page`): no CDN, no scripts, no requests; inline CSS only, so the page
reads offline. Every text that came from a run (names, errors) is HTML-escaped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from ..data import _layout as layout
from ..model._records import State

if TYPE_CHECKING:
    from ._controller import Controller

#: Timeline rows drawn at most (a bigger run says how many were left out).
MAX_TIMELINE_ROWS = 500
#: Failed actions shown with their error at most.
MAX_FAILED_SHOWN = 200
#: Report links listed at most.
MAX_REPORTS_SHOWN = 500
#: Bytes of reports the page carries in place at most when the widget opens it (the rest stay links).
MAX_INLINE_REPORT_BYTES = 8 << 20

_COLOURS = {
    State.QUEUED: "#9e9e9e",
    State.RUNNING: "#1e88e5",
    State.SUCCEEDED: "#43a047",
    State.FAILED: "#e53935",
    State.CANCELLED: "#fb8c00",
    State.CACHED: "#8e24aa",
}


@dataclass(slots=True)
class PageAction:
    """One action as the page shows it: times are seconds from the run's start."""

    id: int
    task: str
    group: str
    state: str
    start: float
    end: float
    error: str | None = None
    report: str | None = None  # link relative to the page (``actions/<id>/report.html``)


@dataclass(slots=True)
class PageGroup:
    name: str
    kind: str
    total: int
    counts: dict[str, int]


@dataclass(slots=True)
class RunPage:
    """What the run page shows, as plain data."""

    run: str
    task: str
    phase: str
    backend: str
    started: float  # wall clock (seconds since the epoch), 0 when the run never started
    duration: float
    counts: dict[str, int]
    groups: list[PageGroup] = field(default_factory=list)
    actions: list[PageAction] = field(default_factory=list)
    cancel_reason: str | None = None


def run_page(controller: Controller, backend: str) -> RunPage:
    """The page's data for an ended run (times relative to the run's start)."""
    origin = controller.started_at
    ended = controller.ended_at or origin
    started_wall = time.time() - (time.monotonic() - origin) if origin else 0.0
    prefix = layout.run_root(controller.name) + "/"
    actions = []
    for rec in controller.actions:
        start = rec.started - origin if rec.started else 0.0
        end = (rec.ended or ended) - origin if rec.started else start
        report = rec.report[len(prefix) :] if rec.report and rec.report.startswith(prefix) else None
        error = f"{rec.error.type}: {rec.error.message}\n\n{rec.error.traceback}" if rec.error is not None else None
        actions.append(PageAction(rec.id, rec.task.short_name, rec.group.name, rec.state, start, end, error, report))
    root = controller.root
    return RunPage(
        run=controller.name,
        task=root.task.name if root is not None else "",
        phase=controller.phase,
        backend=backend,
        started=started_wall,
        duration=max(0.0, ended - origin) if origin else 0.0,
        counts=dict(controller.counts),
        groups=[PageGroup(g.name, g.kind, g.total, dict(g.counts)) for g in controller.groups],
        actions=actions,
        cancel_reason=controller.cancel_reason,
    )


_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em} h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse} td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}
.meta td:first-child{color:#666}
.phase{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}
.tl{width:100%;max-width:1100px} .tl td{padding:1px 6px 1px 0;white-space:nowrap}
.tl .track{width:100%;position:relative;height:14px;background:#f3f3f3}
.bar{position:absolute;top:1px;height:12px;min-width:2px;border-radius:2px}
.note{color:#666;font-style:italic}
iframe.report{width:100%;max-width:1100px;height:24em;border:1px solid #ddd;margin:.3em 0 1em}
pre{background:#fafafa;border:1px solid #eee;padding:8px;overflow:auto;max-height:24em;white-space:pre-wrap}
"""


def _colour(state: str) -> str:
    return _COLOURS.get(state, "#757575")


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.2f} s"
    minutes, seconds = divmod(value, 60)
    if minutes < 60:
        return f"{int(minutes)} min {seconds:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes)} min"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {escape(state)}" for state, n in counts.items() if n) or "none"


def _header(page: RunPage) -> list[str]:
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(page.started)) if page.started else "not started"
    rows = [
        ("task", escape(page.task)),
        ("phase", f'<span class="phase" style="background:{_colour(page.phase)}">{escape(page.phase)}</span>'),
        ("backend", escape(page.backend)),
        ("started", escape(started)),
        ("duration", _seconds(page.duration)),
        ("actions", f"{len(page.actions)} ({_counts(page.counts)})"),
    ]
    if page.cancel_reason:
        rows.append(("cancelled", escape(page.cancel_reason)))
    out = [f"<h1>Run {escape(page.run)}</h1>", '<table class="meta">']
    out += [f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in rows]
    out.append("</table>")
    return out


def _groups(page: RunPage) -> list[str]:
    out = ["<h2>Groups</h2>", "<table><tr><th>group</th><th>kind</th><th>actions</th><th>states</th></tr>"]
    out += [
        f"<tr><td>{escape(g.name)}</td><td>{escape(g.kind)}</td><td>{g.total}</td><td>{_counts(g.counts)}</td></tr>"
        for g in page.groups
    ]
    out.append("</table>")
    return out


def _timeline(page: RunPage) -> list[str]:
    span = max([page.duration, *(a.end for a in page.actions[:MAX_TIMELINE_ROWS])], default=0.0) or 1.0
    out = ["<h2>Timeline</h2>", '<table class="tl" id="timeline">']
    for a in page.actions[:MAX_TIMELINE_ROWS]:
        left = 100.0 * a.start / span
        width = 100.0 * max(0.0, a.end - a.start) / span
        title = escape(f"#{a.id} {a.task}: {a.state}, {a.start:.3f}-{a.end:.3f} s", quote=True)
        out.append(
            f'<tr class="row"><td>#{a.id}</td><td>{escape(a.task)}</td><td class="track">'
            f'<div class="bar {escape(a.state)}" title="{title}" '
            f'style="left:{left:.3f}%;width:{width:.3f}%;background:{_colour(a.state)}"></div></td></tr>'
        )
    out.append("</table>")
    left_out = len(page.actions) - MAX_TIMELINE_ROWS
    if left_out > 0:
        out.append(f'<p class="note">{left_out} more actions not drawn (the first {MAX_TIMELINE_ROWS} are).</p>')
    return out


def _failed(page: RunPage) -> list[str]:
    failed = [a for a in page.actions if a.error is not None]
    if not failed:
        return []
    out = [f"<h2>Failed actions ({len(failed)})</h2>"]
    for a in failed[:MAX_FAILED_SHOWN]:
        out.append(f'<h3 id="action-{a.id}">#{a.id} {escape(a.task)}</h3><pre>{escape(a.error or "")}</pre>')
    if len(failed) > MAX_FAILED_SHOWN:
        out.append(f'<p class="note">{len(failed) - MAX_FAILED_SHOWN} more failed actions not shown.</p>')
    return out


def _reports(page: RunPage, inline: Mapping[int, str]) -> list[str]:
    reported = [a for a in page.actions if a.report]
    if not reported:
        return []
    out = ["<h2>Reports</h2>", "<ul>"]
    for a in reported[:MAX_REPORTS_SHOWN]:
        label = f"#{a.id} {escape(a.task)}"
        if a.id in inline:  # its own sandboxed frame: the report's scripts run in an opaque origin
            out.append(
                f'<li id="report-{a.id}">{label}<br><iframe class="report" sandbox="allow-scripts" '
                f'title="report of action #{a.id}" srcdoc="{escape(inline[a.id], quote=True)}"></iframe></li>'
            )
        else:
            out.append(f'<li><a href="{escape(a.report or "", quote=True)}">{label}</a></li>')
    out.append("</ul>")
    if len(reported) > MAX_REPORTS_SHOWN:
        out.append(f'<p class="note">{len(reported) - MAX_REPORTS_SHOWN} more reports not listed.</p>')
    return out


def render_run_page(page: RunPage, inline_reports: Mapping[int, str] | None = None) -> str:
    """The run page as one self-contained HTML document. ``inline_reports`` (action id to its
    report's HTML) shows those reports in place, each in a sandboxed frame, instead of a link."""
    body = [*_header(page), *_groups(page), *_timeline(page), *_failed(page), *_reports(page, inline_reports or {})]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Run {escape(page.run)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def run_page_with_reports(controller: Controller, backend: str) -> str:
    """The run page as the widget opens it in a browser tab: the saved page, with each
    action's report shown in place (in its own sandboxed frame) rather than as a link a tab
    outside the store could not follow; past ``MAX_INLINE_REPORT_BYTES`` reports stay links."""
    inline: dict[int, str] = {}
    budget = MAX_INLINE_REPORT_BYTES
    if controller.data is None:
        return render_run_page(run_page(controller, backend))
    store = controller.data.store
    for rec in controller.actions:
        if not rec.report or len(inline) >= MAX_REPORTS_SHOWN:
            continue
        try:
            raw = store.get(rec.report)
        except OSError:
            continue
        if len(raw) <= budget:
            inline[rec.id] = raw.decode("utf-8", errors="replace")
            budget -= len(raw)
    return render_run_page(run_page(controller, backend), inline)
