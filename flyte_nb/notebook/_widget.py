"""RunWidget: the live anywidget of one run.

Python owns the state: one synced trait, ``view``, set at most ``1 / interval`` times a
second from the run's coalesced event stream, plus a final update when the run ends.
The front end (``js/widget.js``) asks for pages of a group's actions, one action's
detail and, once the run has ended, its run page with custom messages, so 50,000 actions
never cross the wire at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..data import _layout as layout
from ..orchestrator._run_page import run_page_with_reports
from ._snapshot import render_html, render_text
from ._view import RunView, SiteNamer

if TYPE_CHECKING:
    from ..session._run import Run

#: Seconds between two updates of a live widget (the kernel sends at most 10 a second).
UPDATE_INTERVAL = 0.1
#: Seconds between two looks at the open action's report while the run goes on
#: (a flush changes no run state, so nothing else would wake the widget).
REPORT_INTERVAL = 0.25
#: Seconds an ended run's widget waits for the run page to be written (it is written just
#: after the run ends), looking every ``REPORT_INTERVAL``.
PAGE_WAIT = 30.0


def _static_file(name: str) -> Path:
    """The front-end file ``name``: packaged beside this module in a wheel, or in the
    repository's js/ folder in a source checkout."""
    packaged = Path(__file__).parent / "static" / name
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "js" / name


class RunWidget(anywidget.AnyWidget):
    """A live view of one run: header, groups, semaphores, timeline, drill-down, cancel."""

    _esm = _static_file("widget.js")
    _css = _static_file("widget.css")

    view = traitlets.Dict().tag(sync=True)

    def __init__(self, run: Run, *, interval: float = UPDATE_INTERVAL, site_namer: SiteNamer | None = None) -> None:
        super().__init__()
        self.run = run
        self.interval = interval
        self.updates = 0  # how many times the view was sent
        self._view = RunView(run, site_namer=site_namer or _ipython_site_namer())
        self._handles: list[Any] = []
        self._finished = False
        self._snapshot_shown = False
        self._follower: asyncio.Task[None] | None = None
        self._open_action: int | None = None  # the action whose detail the front end shows
        self._report_poller: asyncio.Task[None] | None = None
        self._page_ready = False  # the run page is in the store (the header offers it)
        self._page_waiter: asyncio.Task[None] | None = None
        self.view = self._model()
        self.on_msg(self._on_message)
        loop = _running_loop()
        if not run.done() and loop is not None:
            self._follower = loop.create_task(self._follow(), name=f"flyte_nb widget {run.name}")

    # ------------------------------------------------------------------ updates
    async def _follow(self) -> None:
        async for _ in self.run.controller.events.subscribe(interval=self.interval):
            self.refresh()
        self.finish()

    def finish(self) -> None:
        """Send the final state and put it into every display of this widget, so the saved
        notebook keeps the final static snapshot. Called by whoever sees the run end first
        (the cell that waited for it, or the follower); later calls do nothing."""
        if self._finished or not self.run.done():
            return
        self._finished = True
        self._page_ready = self._page_written()
        self.refresh()
        loop = _running_loop()
        if not self._page_ready and self.run.page_url is not None and loop is not None:
            self._page_waiter = loop.create_task(self._wait_for_page(), name=f"flyte_nb page {self.run.name}")
        for handle in self._handles:
            handle.update(self)

    def show_snapshot(self) -> None:
        """Print the final static snapshot as an output of its own (once), for viewers that
        show no widgets: nbconvert's HTML without a network, GitHub. A front end that
        renders the widget hides it (widget.css)."""
        if self._snapshot_shown or not self._finished:
            return
        self._snapshot_shown = True
        from IPython.display import display

        model = self.view or self._view.model()
        html = f'<div class="flyte-nb-snapshot-output">{render_html(model)}</div>'
        display({"text/html": html, "text/plain": render_text(model)}, raw=True)

    async def _poll_report(self) -> None:
        """Refresh while the open action runs: its flushes change no run state. Its final
        page is saved before it ends, and its end is a change the follower sends."""
        while self._open_action is not None and not self.run.done() and self._running(self._open_action):
            await asyncio.sleep(REPORT_INTERVAL)
            self.refresh()

    def _page_written(self) -> bool:
        """True once the ended run's page (``run.page_url``) is in the store."""
        data = self.run.controller.data
        if data is None or self.run.page_url is None:
            return False
        try:
            return data.store.exists(layout.run_page_key(self.run.name))
        except OSError:
            return False

    async def _wait_for_page(self) -> None:
        """Offer the run page as soon as the session has written it (just after the run ends)."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + PAGE_WAIT
        while not self._page_written():
            if loop.time() > give_up:
                return
            await asyncio.sleep(REPORT_INTERVAL)
        self._page_ready = True
        self.refresh()

    def _running(self, action_id: int) -> bool:
        actions = self.run.controller.actions
        return 0 <= action_id < len(actions) and not actions[action_id].ended

    def _open(self, action_id: int | None) -> None:
        """Carry ``action_id``'s report in the view from now on (None: no action's)."""
        self._open_action = action_id
        self.refresh()
        loop = _running_loop()
        polling = self._report_poller is not None and not self._report_poller.done()
        if action_id is not None and not polling and not self.run.done() and loop is not None:
            self._report_poller = loop.create_task(self._poll_report(), name=f"flyte_nb report {self.run.name}")

    def refresh(self) -> None:
        """Send the current view (skipped when nothing changed)."""
        model = self._model()
        if model != self.view:
            self.view = model
            self.updates += 1

    def _model(self) -> dict[str, Any]:
        """The view now: the run's model, whether its page can be opened, the open action's report."""
        model = self._view.model()
        model["page"] = self._page_ready
        if self._open_action is not None:
            model["report"] = self._view.report(self._open_action)
        return model

    def track(self, handle: Any) -> None:
        """Update this display handle with the final snapshot when the run ends."""
        if handle is not None:
            self._handles.append(handle)
            if self._finished:
                handle.update(self)

    # ------------------------------------------------------------------ front-end requests
    def _on_message(self, widget: Any, content: dict[str, Any], buffers: list[bytes]) -> None:
        kind = content.get("type")
        if kind == "cancel":
            self.run.cancel("cancelled from the widget")
            self.refresh()
        elif kind == "rows":
            reply = self._view.rows(
                int(content.get("group", -1)),
                content.get("state") or None,
                int(content.get("offset", 0)),
                int(content.get("limit", 50)),
            )
            self.send({"type": "rows", "request": content.get("request"), **reply})
        elif kind == "action":
            action_id = int(content.get("id", -1))
            reply = self._view.action(action_id)
            self.send({"type": "action", "request": content.get("request"), **reply})
            self._open(None if reply.get("missing") else action_id)
        elif kind == "close":
            self._open(None)
        elif kind == "page":
            self.send({"type": "page", "request": content.get("request"), **self._page()})

    def _page(self) -> dict[str, Any]:
        """The run page's HTML for a browser tab (reports shown in place), and where it is kept."""
        if not self._page_ready:
            return {"error": f"run {self.run.name} has no run page yet: it is written when the run ends"}
        try:
            page = run_page_with_reports(self.run.controller, self.run.backend)
        except Exception as exc:  # the page is a convenience: say why, never break the widget
            return {"error": f"the run page could not be made ({type(exc).__name__}: {exc}); it is {self.run.page_url}"}
        return {"html": page, "url": self.run.page_url, "run": self.run.name}

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        model = self.view or self._view.model()
        data = {**data, "text/html": render_html(model), "text/plain": render_text(model)}
        return data, metadata


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _ipython_site_namer() -> SiteNamer | None:
    """Name notebook cells the way the notebook does (``cell [4]``), when in IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    names = getattr(shell.compile, "_filename_map", None)
    if names is None:
        return None

    def namer(filename: str) -> str | None:
        number = names.get(filename)
        return f"cell [{number}]" if number is not None else None

    return namer
