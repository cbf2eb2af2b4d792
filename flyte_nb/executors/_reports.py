"""Where an action's report is saved: ``data._layout.report_key`` in the run's store."""

from __future__ import annotations

from collections.abc import Callable

from ..data import _layout as layout
from ._base import ActionSpec


def report_key(spec: ActionSpec) -> str:
    """The store key of the action's report page ("" when the task has no report or the run
    stores nothing)."""
    if not spec.task.settings.report or spec.data is None:
        return ""
    return layout.report_key(spec.data.run, spec.action.id)


def saver(spec: ActionSpec) -> Callable[[str], None] | None:
    """How a body in this process saves its report page; the action's record then names it."""
    key = report_key(spec)
    if not key:
        return None
    data, action = spec.data, spec.action
    assert data is not None

    def save(page: str) -> None:
        data.store.put(key, page.encode("utf-8"))
        action.report = key

    return save
