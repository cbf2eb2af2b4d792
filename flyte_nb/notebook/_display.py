"""How the notebook layer draws a run: its live widget, or the static snapshot without one.

Runs (``flyte_nb.session``) sit below this layer and never import it: they ask the
display registered with ``flyte_nb.session._display``, which the package face points here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
