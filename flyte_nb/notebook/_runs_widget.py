"""RunsTableWidget: the anywidget of ``%flyte runs`` (``js/runs.js``). A click on a row sends
``{"type": "open", "run": NAME}``; the kernel puts that run's widget in the output area shown
below the table (an ``ipywidgets.Output``), replacing the one opened before."""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets
import traitlets

from ..session._config import configured_store
from ..session._history import Run as PastRecord
from ..session._run import active_runs
from ._past_widget import past_widget
from ._runs_table import runs_html, runs_table, runs_text
from ._widget import _static_file


class RunsTableWidget(anywidget.AnyWidget):
    """Past runs, newest first: name, task, phase, started, duration, actions; each row
    opens its run below the table."""

    _esm = _static_file("runs.js")
    _css = _static_file("runs.css")

    view = traitlets.Dict().tag(sync=True)

    def __init__(self, limit: int, phase: str | None = None) -> None:
        super().__init__()
        self.view = {**runs_table(limit, phase), "opened": None, "error": None}
        self.below = ipywidgets.Output()
        self.opened: Any = None  # the widget of the run opened last
        self.on_msg(self._on_message)

    def _on_message(self, widget: Any, content: dict[str, Any], buffers: list[bytes]) -> None:
        if content.get("type") == "open":
            self.open_run(str(content.get("run") or ""))

    def open_run(self, name: str) -> None:
        """Show the run ``name``'s widget below the table: the live one for a run of this
        kernel still going, else the one its records in the store make."""
        error = None
        live = active_runs().get(name)
        try:
            if live is not None:
                self.opened = live.widget()
            else:
                self.opened = past_widget(configured_store(), PastRecord.get(name).to_dict())
        except Exception as exc:  # shown in the table, never a traceback from a click
            error = f"could not open run {name}: {type(exc).__name__}: {exc}"
        self.view = {**self.view, "opened": None if error else name, "error": error}
        self.below.outputs = ()
        if error is None:
            self.below.append_display_data(self.opened)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        rows = self.view.get("rows") or ()
        return {**data, "text/html": runs_html(rows), "text/plain": runs_text(rows)}, metadata
