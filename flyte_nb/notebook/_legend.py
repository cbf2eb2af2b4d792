"""How run states read, in one place: the order progress bars draw them in and the counts line.

The static snapshot (``_snapshot.py``) uses this directly; the live widget
(``js/widget.js``) gets it in its view model (``states``, ``counts_text``, each group's
``finished``) and draws what it is given. So a run shows the same words in both.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model._records import TERMINAL, State

#: The order progress bars draw states in (and the action list's filter lists them):
#: finished ones first, then running, then queued.
DRAWING_ORDER: tuple[str, ...] = (
    State.SUCCEEDED,
    State.CACHED,
    State.FAILED,
    State.CANCELLED,
    State.RUNNING,
    State.QUEUED,
)
#: The counts line names these states always, in this order ...
COUNTS_ALWAYS: tuple[str, ...] = (State.SUCCEEDED, State.RUNNING, State.QUEUED, State.FAILED)
#: ... then these, only when some action is in them.
COUNTS_WHEN_ANY: tuple[str, ...] = (State.CANCELLED, State.CACHED)


def counts_text(counts: Mapping[str, int]) -> str:
    """The counts line: ``5 succeeded · 3 running · 0 queued · 0 failed · 2 cached``."""
    shown = [*COUNTS_ALWAYS, *(s for s in COUNTS_WHEN_ANY if counts.get(s, 0))]
    return " · ".join(f"{counts.get(s, 0):,} {s}" for s in shown)


def finished(counts: Mapping[str, int]) -> int:
    """Actions that have ended, whichever way."""
    return sum(counts.get(s, 0) for s in TERMINAL)
