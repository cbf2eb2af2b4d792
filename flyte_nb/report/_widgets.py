"""``Timeline`` and its formatting helpers, as in the SDK: rows of a chronological log in a tab."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from ._api import get_tab

#: the most of one value an expanded row shows (a huge value cannot bloat the report)
_MAX_FULL_CHARS = 20000


def abbreviate(value: Any, limit: int = 300) -> str:
    """``value`` HTML-escaped; past ``limit`` characters, a ``<details>`` with a preview that
    opens to the full text (up to 20000 characters)."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return html.escape(text)
    preview = html.escape(text[:limit])
    body = html.escape(text[:_MAX_FULL_CHARS])
    if len(text) > _MAX_FULL_CHARS:
        body += f"\n... (+{len(text) - _MAX_FULL_CHARS} more, truncated)"
    return (
        '<details style="display:inline-block;vertical-align:top;max-width:100%">'
        f'<summary style="cursor:pointer">{preview}... (+{len(text) - limit})</summary>'
        f'<pre style="white-space:pre-wrap;word-break:break-word;margin:4px 0 0">{body}</pre>'
        "</details>"
    )


def duration_ms(start_iso: Any, end_iso: Any) -> str:
    """The time between two ISO-8601 timestamps as ``"<n> ms"``; "" when either is missing or bad."""
    if not start_iso or not end_iso:
        return ""
    try:
        start = datetime.fromisoformat(str(start_iso).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(end_iso).replace("Z", "+00:00"))
        return f"{(end - start).total_seconds() * 1000:.0f} ms"
    except (ValueError, TypeError):
        return ""


class Timeline:
    """Headings and rows appended to a tab of the current report (``main`` unless named)."""

    def __init__(self, tab_name: str = "main") -> None:
        self._tab_name = tab_name

    def heading(self, text: Any) -> None:
        self._log(f'<h3 style="margin:8px 0 4px">{html.escape(str(text))}</h3>')

    def row(self, *, icon: str = "•", label: Any = "", meta: str = "", detail: str = "", error: Any = None) -> None:
        error_html = f' <span style="color:#d33">⚠ {abbreviate(error, 200)}</span>' if error else ""
        self._log(
            '<div style="padding:3px 0;border-bottom:1px solid rgba(128,128,128,.18);font-size:13px">'
            f"{icon} <b>{html.escape(str(label))}</b> "
            f'<span style="opacity:.55">{html.escape(meta)}</span>'
            f"{(' — ' + detail) if detail else ''}{error_html}"
            "</div>"
        )

    def _log(self, content_html: str) -> None:
        get_tab(self._tab_name).log(content_html)
