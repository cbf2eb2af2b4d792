"""How the notebook layer draws a run: its live widget, or the static snapshot without one.

Runs (``flyte_nb.session``) sit below this layer and never import it: they ask the
display registered with ``flyte_nb.session._display``, which the package face points here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..data._store import Store
    from ..session._run import Run
    from ._widget import RunWidget


def widget(run: Run) -> RunWidget:
    """A new live widget of ``run`` (ImportError without anywidget)."""
    from ._widget import RunWidget  # anywidget loads with the first widget

    return RunWidget(run)


def show(run: Run) -> None:
    """Display ``run`` as a cell output: its widget, or its static snapshot without anywidget."""
    from IPython.display import display

    try:
        live = run.widget()
    except ImportError:  # no anywidget: the static view only
        from ._snapshot import render_html, render_text
        from ._view import RunView

        model = RunView(run).model()
        display({"text/html": render_html(model), "text/plain": render_text(model)}, raw=True)
        return
    live.track(display(live, display_id=True))
    if run.done():  # shown after it ended: its final state is known now
        live.finish()
        live.show_snapshot()


def show_past(store: Store, record: dict[str, Any]) -> None:
    """Display the past run whose ``run.json`` in ``store`` is ``record``: its widget in the
    state the store keeps, with the static snapshot beside it (as a live run's at its end);
    the snapshot only without anywidget. A run of this kernel still going shows live."""
    from IPython.display import display

    from ..session._run import active_runs

    live = active_runs().get(str(record.get("run")))
    if live is not None:
        show(live)
        return
    try:
        from ._past_widget import past_widget
    except ImportError:  # no anywidget: the static view only
        from ._past import PastRunView, past_run
        from ._snapshot import render_html, render_text

        model = PastRunView(past_run(store, record)).model()
        display({"text/html": render_html(model), "text/plain": render_text(model)}, raw=True)
        return
    widget = past_widget(store, record)
    widget.track(display(widget, display_id=True))
    widget.show_snapshot()
