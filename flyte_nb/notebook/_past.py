"""A past run as a widget: the run widget in the state the store keeps of the run.

``flyte.remote.Run.get(name)`` as a cell's last expression, ``%flyte show NAME`` and a click
in ``%flyte runs`` all end here. The run is rebuilt from its records (``run.json`` and
``actions.jsonl``, see ``data/_archive.py``) into the records the live run had, so the
widget shows it as it showed the live run at its end: groups, counts, timeline, pages of
actions, an action's detail, logs and report, all read from the store. Its header says it
is a past run and when it ran, and it offers no cancel. A run still going in another kernel
shows its last recorded state, and no action list (its actions are kept when it ends).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..data import _layout as layout
from ..data._archive import RecordedRun, load_recorded_run
from ..data._store import Store
from ..model._records import State
from ._view import TIMELINE_BINS, RunView, SiteNamer

if TYPE_CHECKING:
    from ..session._run import Run


class PastRun:
    """A recorded run as the run widget reads it (``name``, ``controller``, ``task``,
    ``backend``, ``phase``, ``page_url``), with ``past``: when it ran and whether its record
    is final. ``done()`` is True: nothing in it changes while it is shown."""

    def __init__(self, recorded: RecordedRun, record: Mapping[str, Any]) -> None:
        self.recorded = recorded
        self.controller = recorded.controller
        self.task = recorded.task
        self.backend = recorded.backend
        running = recorded.phase == State.RUNNING
        self.past: dict[str, Any] = {
            "started": record.get("started"),
            "running": running,
            "recorded": bool(recorded.controller.actions),
            "lost": record.get("lost"),
        }

    @property
    def name(self) -> str:
        return self.recorded.name

    @property
    def phase(self) -> str:
        return self.recorded.phase

    @property
    def page_url(self) -> str | None:
        """The run page in the store, for a run whose record is final; None otherwise."""
        if not self.controller.done:
            return None
        return self.controller.data.store.url_of(layout.run_page_key(self.name))

    def done(self) -> bool:
        return True


def past_run(store: Store, record: Mapping[str, Any]) -> PastRun:
    """The run whose ``run.json`` is ``record``, rebuilt from ``store`` (two JSON files read)."""
    return PastRun(load_recorded_run(store, record), record)


def _cells_of_other_kernels(namer: SiteNamer | None) -> SiteNamer:
    """Names a cell of this kernel as ``namer`` does (``cell [4]``), and a cell of the kernel
    that ran the run, gone since, as ``a notebook cell`` (its number is not known here)."""

    def name(filename: str) -> str | None:
        here = namer(filename) if namer is not None else None
        if here is None and "ipykernel_" in filename:
            return "a notebook cell"
        return here

    return name


class PastRunView(RunView):
    """The view of a past run: the live view's model plus ``past``. A run still going
    elsewhere shows no rate or ETA (its clock is another process's); a run of more actions
    than the timeline draws bars for gets its density lanes from the actions' times."""

    def __init__(self, run: PastRun, *, site_namer: SiteNamer | None = None) -> None:
        super().__init__(cast("Run", run), site_namer=_cells_of_other_kernels(site_namer))
        self.past = run.past
        self._lanes_from_records()

    def model(self) -> dict[str, Any]:
        model = super().model()
        model["past"] = dict(self.past)
        if self.past["running"]:
            for group in model["groups"]:
                group["rate"], group["eta"] = 0.0, None
        return model

    def _lanes_from_records(self) -> None:
        """Each group's lane: per time bin, how many of its actions ran in it."""
        c = self.controller
        elapsed = (c.ended_at - c.started_at) if c.started_at else 0.0
        while elapsed >= self._bin_width * TIMELINE_BINS:
            self._bin_width *= 2
        self._last_bin = min(int(elapsed / self._bin_width), TIMELINE_BINS - 1)
        steps: dict[int, list[int]] = {}
        for rec in c.actions:
            if not rec.started or rec.parent is None:
                continue
            first = min(int((rec.started - c.started_at) / self._bin_width), TIMELINE_BINS - 1)
            end = rec.ended or c.ended_at
            last = min(int((end - c.started_at) / self._bin_width), TIMELINE_BINS - 1)
            step = steps.setdefault(rec.group.id, [0] * (TIMELINE_BINS + 1))
            step[max(first, 0)] += 1
            step[max(last, first, 0) + 1] -= 1
        for group_id, step in steps.items():
            running, lane = 0, []
            for delta in step[:TIMELINE_BINS]:
                running += delta
                lane.append(float(running))
            self._lanes[group_id] = lane
