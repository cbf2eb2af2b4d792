"""``run.show_logs()``: the tail of what a run's entry action printed."""

from __future__ import annotations

from collections.abc import Sequence

from ..model._records import ActionRecord
from ..orchestrator._logs import log_tail

__all__ = ["entry_log_tail"]


def entry_log_tail(actions: Sequence[ActionRecord], attempt: int | None, max_lines: int) -> str:
    """The last ``max_lines`` lines the entry action (the first of ``actions``) printed;
    ``attempt`` is checked against the attempts it made (one tail covers them all)."""
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines}")
    if not actions:
        return "(the run has not started an action yet)"
    entry = actions[0]
    if attempt is not None and not 1 <= attempt <= max(entry.attempts, 1):
        raise ValueError(
            f"attempt must be between 1 and {max(entry.attempts, 1)} (the attempts {entry.name} made), got {attempt}"
        )
    return log_tail(entry.logs, max_lines) or f"({entry.name} printed nothing)"


def check_max_lines(max_lines: int) -> None:
    """``show_logs(max_lines=...)`` shows at least one line: checked before waiting for the run."""
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines}")
