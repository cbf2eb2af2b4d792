"""The run widget of a past run (``_past.py`` rebuilds the run; this module needs anywidget)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..data._store import Store
from ._past import PastRun, PastRunView, past_run
from ._widget import RunWidget, _ipython_site_namer

if TYPE_CHECKING:
    from ..session._run import Run


class PastRunWidget(RunWidget):
    """The run widget of a past run: its final (or last recorded) state, drill-down served
    from the store, a header saying when it ran, no cancel."""

    def __init__(self, run: PastRun) -> None:
        super().__init__(cast("Run", run))
        self.past_run = run
        self._view = PastRunView(run, site_namer=_ipython_site_namer())
        self.refresh()

    def _on_message(self, widget: Any, content: dict[str, Any], buffers: list[bytes]) -> None:
        if content.get("type") == "cancel":
            return  # a past run is not this kernel's to cancel (its header offers no button)
        super()._on_message(widget, content, buffers)


def past_widget(store: Store, record: Mapping[str, Any]) -> PastRunWidget:
    """The widget of the past run whose ``run.json`` is ``record``, final."""
    widget = PastRunWidget(past_run(store, record))
    widget.finish()
    return widget
