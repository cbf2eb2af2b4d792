"""Small measuring helpers for the unit tests."""

from __future__ import annotations

from collections.abc import Iterable

from flyte_nb.orchestrator import ActionRecord


def peak_overlap(records: Iterable[ActionRecord]) -> int:
    """The most actions that were running at the same instant, from their start/end times."""
    edges: list[tuple[float, int]] = []
    for rec in records:
        if rec.started:
            edges.append((rec.started, 1))
            edges.append((rec.ended, -1))
    # ends sort before starts at the same instant: touching intervals do not overlap
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    peak = running = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


class Gauge:
    """Counts how many bodies run at once, as the bodies themselves see it."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.entered = 0

    def __enter__(self) -> Gauge:
        self.now += 1
        self.entered += 1
        self.peak = max(self.peak, self.now)
        return self

    def __exit__(self, *exc: object) -> None:
        self.now -= 1
