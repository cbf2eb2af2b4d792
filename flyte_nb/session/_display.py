"""How a :class:`~flyte_nb.session._run.Run` shows itself in a notebook, without the
session knowing the notebook.

The notebook layer (``flyte_nb.notebook``: widget, view, snapshot) draws runs, and it sits
above the session: the session never imports it, not even lazily. So a Run asks the
:class:`RunDisplay` registered here. The package face (``flyte_nb/__init__.py``) registers
one that loads the notebook layer on the first display, which is why a Run as the last
expression of a cell shows its widget after a plain ``import flyte_nb as flyte``.

This module imports nothing of flyte_nb: the package face loads it on ``import flyte_nb``.
"""

from __future__ import annotations

from typing import Any, Protocol


class LiveDisplay(Protocol):
    """A run's live widget, as the run itself uses it."""

    def finish(self) -> None:
        """Put the run's final state into the widget and every display of it."""

    def show_snapshot(self) -> None:
        """Print the final static snapshot as an output of its own (once)."""


class RunDisplay(Protocol):
    """What the notebook layer gives runs to draw themselves with."""

    def widget(self, run: Any) -> LiveDisplay:
        """A new live widget of ``run`` (ImportError without the widget's packages)."""

    def show(self, run: Any) -> None:
        """Display ``run`` as a cell output (IPython's ``_ipython_display_``)."""

    def show_past(self, store: Any, record: dict[str, Any]) -> None:
        """Display the past run whose ``run.json`` in ``store`` is ``record`` as a cell output:
        the run widget in the state the store keeps of it."""


_registered: RunDisplay | None = None


def register_run_display(display: RunDisplay) -> None:
    """Draw runs with ``display`` from now on (the last one registered wins)."""
    global _registered
    _registered = display


def run_display() -> RunDisplay:
    """The registered display; ImportError (as for a missing widget package) if none is."""
    if _registered is None:
        raise ImportError("no run display is registered: import flyte_nb to show runs in a notebook")
    return _registered
