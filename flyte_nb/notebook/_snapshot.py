"""The static snapshot: a run's final state as text/html and text/plain.

Shown where no front end renders widgets (papermill, nbconvert, GitHub). The markup
lives in ``templates/``; this module only fills it in, escaping every value.
"""

from __future__ import annotations

import html
import time
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from ..model._cluster_info import web_link

PHASE_COLORS = {
    "queued": "#888888",
    "running": "#1a73e8",
    "succeeded": "#2e9b4e",
    "failed": "#c8372d",
    "cancelled": "#b07a00",
}
BAR_WIDTH = 160


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates").joinpath(name).read_text(encoding="utf-8"))


def _done(group: dict[str, Any]) -> tuple[int, int]:
    counts = group["counts"]
    ok = counts.get("succeeded", 0) + counts.get("cached", 0)
    bad = counts.get("failed", 0) + counts.get("cancelled", 0)
    return ok, bad


def render_html(model: dict[str, Any]) -> str:
    """The snapshot as an HTML fragment (inline styles: it must stand alone)."""
    e = html.escape
    rows = []
    for group in model["groups"]:
        ok, bad = _done(group)
        total = max(group["total"], 1)
        detail = []
        if group["counts"].get("cached"):
            detail.append(f"cached {group['counts']['cached']:,}")
        if group["counts"].get("failed"):
            detail.append(f"failed {group['counts']['failed']:,}")
        rows.append(
            _template("group_row.html").substitute(
                label=e(group["label"]),
                ok_width=round(BAR_WIDTH * ok / total),
                bad_width=round(BAR_WIDTH * bad / total),
                done=f"{ok + bad:,}",
                total=f"{group['total']:,}",
                detail=e(" · ".join(detail)),
            )
        )
    error = model.get("error")
    extra = [_line(f"… and {model['more_groups']} more groups")] if model.get("more_groups") else []
    extra += [
        _line(f"semaphore({s['limit']}) {s['site'] or ''}: held {s['held']}/{s['limit']} · waiting {s['waiting']}")
        for s in model.get("semaphores") or []
    ]
    return _template("snapshot.html").substitute(
        phase=e(model["phase"]),
        phase_color=PHASE_COLORS.get(model["phase"], "#888888"),
        task=e(model["task"]),
        run=e(model["run"]),
        backend=e(model["backend"]),
        elapsed=f"{model['elapsed']:.2f} s",
        total=f"{model['total']:,}",
        counts=e(model["counts_text"]),
        cluster=_cluster_html(model.get("cluster")),
        past=_line(past_text(model["past"]), "color: #555555;") if model.get("past") else "",
        error=_line(f"{error['type']}: {error['message']}", "color: #c8372d;") if error else "",
        rows="\n".join(rows),
        semaphores="".join(extra),
        advice="".join(_line(f"\u26a0 {a}", "color: #b07a00;") for a in model.get("advice", [])),
    )


def _line(text: str, style: str = "") -> str:
    """One line of the snapshot (escaped)."""
    return _template("line.html").substitute(text=html.escape(text), style=style)


def cluster_text(cluster: dict[str, Any]) -> str:
    """The cluster's line: ``2 workers · 3/16 threads busy``."""
    workers, busy, threads = (cluster.get(key) or 0 for key in ("workers", "busy", "threads"))
    return f"{workers:,} worker{'' if workers == 1 else 's'} · {busy:,}/{threads:,} threads busy"


def _cluster_html(cluster: dict[str, Any] | None) -> str:
    """The cluster's line with its dashboard link (web links only: anything else is left out)."""
    if not cluster:
        return ""
    href = web_link(cluster.get("dashboard"))
    link = (
        _template("dashboard_link.html").substitute(
            href=html.escape(href), note=html.escape(cluster.get("dashboard_note") or "the cluster's dashboard")
        )
        if href
        else ""
    )
    return _template("cluster.html").substitute(workers=html.escape(cluster_text(cluster)), dashboard=link.strip("\n"))


def past_text(past: dict[str, Any]) -> str:
    """The note on a past run (as the widget's header says it): when it ran, or that it is
    still going elsewhere and this is its last recorded state."""
    started = past.get("started")
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "at an unknown time"
    if past.get("running"):
        return f"still running elsewhere · last recorded state · started {when}"
    return f"past run · ran {when}" + (" · its kernel ended mid-run" if past.get("lost") else "")


def render_text(model: dict[str, Any]) -> str:
    """The snapshot as plain text, one line per group."""
    lines = [
        f"{model['phase']} {model['task']} · run {model['run']} · {model['backend']} · {model['elapsed']:.2f} s",
        f"{model['total']:,} actions · {model['counts_text']}",
    ]
    if model.get("past"):
        lines.insert(1, past_text(model["past"]))
    cluster = model.get("cluster")
    if cluster:
        href = web_link(cluster.get("dashboard"))
        lines.append(cluster_text(cluster) + (f" · dashboard {href}" if href else ""))
    if model.get("error"):
        lines.append(f"{model['error']['type']}: {model['error']['message']}")
    for group in model["groups"]:
        ok, bad = _done(group)
        lines.append(f"  {group['label']}: {ok + bad:,}/{group['total']:,}")
    for sem in model.get("semaphores") or []:
        lines.append(f"  semaphore({sem['limit']}) {sem['site'] or ''}: held {sem['held']}/{sem['limit']}")
    lines.extend(f"  ! {a}" for a in model.get("advice", []))
    return "\n".join(lines)
