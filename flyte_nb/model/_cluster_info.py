"""What a run shows of the cluster its actions run on: its dashboard and its workers.

An executor whose actions run on a cluster of workers (Dask today) fills in a
:class:`ClusterInfo`; the controller keeps the latest one on the run, the widget and the
static snapshot show it, and the ended run's ``run.json`` keeps the last one. It names no
backend, so any executor with a pool of workers can fill it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: The longest dashboard link kept (a longer one is dropped, not cut).
MAX_LINK_CHARS = 2000


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """The cluster a run uses, as last seen: ``workers`` and their ``threads``, how many of
    those threads run a task (``busy``), and the cluster's ``dashboard`` link (an http(s)
    URL, or a path on the notebook's own server such as a JupyterHub proxy's), with
    ``dashboard_note`` when the link works only somewhere (on the kernel's machine)."""

    workers: int = 0
    threads: int = 0
    busy: int = 0
    dashboard: str | None = None
    dashboard_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The info as JSON-able fields (what the widget's model and ``run.json`` carry)."""
        return {
            "workers": self.workers,
            "threads": self.threads,
            "busy": self.busy,
            "dashboard": self.dashboard,
            "dashboard_note": self.dashboard_note,
        }

    @classmethod
    def from_dict(cls, raw: object) -> ClusterInfo | None:
        """The info ``to_dict`` wrote (read back from a run record); None when ``raw`` is not
        one. A dashboard link that is not a web link is dropped."""
        if not isinstance(raw, Mapping):
            return None
        note = raw.get("dashboard_note")
        return cls(
            workers=_count(raw.get("workers")),
            threads=_count(raw.get("threads")),
            busy=_count(raw.get("busy")),
            dashboard=web_link(raw.get("dashboard")),
            dashboard_note=note[:400] if isinstance(note, str) and note else None,
        )


def web_link(link: object) -> str | None:
    """``link`` when a browser may follow it from a page: an ``http://`` or ``https://`` URL
    with a host, or a path on the page's own server (``/user/me/proxy/8787/status``, what
    ``distributed.dashboard.link`` makes behind a JupyterHub proxy). Anything else
    (``javascript:``, ``data:``, ``file:``, a ``//host`` link, control characters) is None."""
    if not isinstance(link, str) or not link or len(link) > MAX_LINK_CHARS:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" for c in link):
        return None
    if link.startswith("/"):
        return link if not link.startswith("//") else None
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    return link if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
