"""``flyte.report``: HTML reports of a task's action, as in the Flyte 2 SDK.

Inside a task made with ``@env.task(report=True)``, ``log``/``replace`` write to the main tab,
``get_tab(name)`` gives another tab, and ``flush()`` (or ``await flush.aio()``) saves the report
as one HTML page at ``runs/<run>/actions/<action>/report.html`` in the run's store; the action's
record names it (``ActionRecord.report``). Elsewhere these calls do nothing visible.
"""

from __future__ import annotations

from ..model._report import Report, Tab  # noqa: F401 - the type get_tab returns, as in the SDK
from ._api import current_report, flush, get_tab, log, replace
from ._widgets import Timeline, abbreviate, duration_ms

__all__ = [
    "Report",
    "Timeline",
    "abbreviate",
    "current_report",
    "duration_ms",
    "flush",
    "get_tab",
    "log",
    "replace",
]
