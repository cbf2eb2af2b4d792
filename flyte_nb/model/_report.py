"""The report of the running action: tabs of HTML that ``flyte.report`` writes to.

A task made with ``report=True`` gets a :class:`Report` while its action runs (in the
kernel, a container or a Dask worker alike); whoever runs the body sets it with
:func:`reporting` and says how a flushed page is saved. Anywhere else, and in a task
without ``report=True``, ``flyte.report`` calls write to a throwaway report, as the SDK's do.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ._report_page import page

MAIN_TAB = "main"


@dataclass
class Tab:
    """One tab of a report: pieces of HTML shown one after another."""

    name: str
    content: list[str] = field(default_factory=list, init=False)

    def log(self, content: str) -> None:
        """Add ``content`` (an HTML fragment, not a whole document) to the tab."""
        self.content.append(content)

    def replace(self, content: str) -> None:
        """Make ``content`` (an HTML fragment) the tab's only content."""
        self.content = [content]

    def get_html(self) -> str:
        return "\n".join(self.content)


@dataclass
class Report:
    """An action's report: its tabs by name, ``main`` first."""

    name: str
    tabs: dict[str, Tab] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tabs.setdefault(MAIN_TAB, Tab(MAIN_TAB))

    def has_content(self) -> bool:
        """Whether anything was logged to any tab."""
        return any(tab.content for tab in self.tabs.values())

    def get_tab(self, name: str, create_if_missing: bool = True) -> Tab:
        """The tab ``name``, made when missing (ValueError when ``create_if_missing=False``)."""
        if name not in self.tabs:
            if not create_if_missing:
                raise ValueError(f"Tab {name} does not exist.")
            self.tabs[name] = Tab(name)
        return self.tabs[name]

    def get_final_report(self) -> str:
        """The report as one self-contained HTML page (tabs, no external resources).

        The tabs' HTML goes in as written: the page is for a sandboxed viewer, and flyte_nb
        itself never renders or runs it."""
        shown = [(n, t) for n, t in self.tabs.items() if t.content or n != MAIN_TAB]
        nav = "".join(f'<li onclick="handleLinkClick(this)">{html.escape(n)}</li>' for n, _ in shown)
        body = "".join(f"<div>{t.get_html()}</div>" for _, t in shown)
        return page(nav, body)


@dataclass(eq=False)
class ActiveReport:
    """The running action's report and how a flush saves it (``save(html)``; None when the
    run stores nothing). ``saved`` is True once a page was saved."""

    report: Report
    save: Callable[[str], None] | None
    saved: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def flush(self) -> None:
        """Save the report's page now (each flush replaces the last)."""
        if self.save is None:
            return
        with self.lock:
            self.save(self.report.get_final_report())
            self.saved = True

    def finish(self) -> None:
        """At the end of a successful body: save what was logged and not flushed yet, as
        the SDK does (an empty report writes nothing)."""
        if self.report.has_content():
            self.flush()

    def finish_failed(self) -> None:
        """After a body that raised: save what was logged, so a failed action's report shows
        why (an error saving it is dropped: the task's own error is the one to raise)."""
        try:
            self.finish()
        except Exception:
            pass


_active: ContextVar[ActiveReport | None] = ContextVar("flyte_nb_report", default=None)


def active_report() -> ActiveReport | None:
    """The running action's report, or None outside a ``report=True`` action."""
    return _active.get()


@contextmanager
def reporting(name: str, save: Callable[[str], None] | None) -> Iterator[ActiveReport]:
    """While inside, ``flyte.report`` writes to a fresh report named ``name``."""
    active = ActiveReport(Report(name), save)
    token = _active.set(active)
    try:
        yield active
    finally:
        _active.reset(token)


def set_report(name: str, save: Callable[[str], None] | None) -> ActiveReport:
    """Make a fresh report the current one in this context (for a context that is then run
    with ``Context.run``, which has no ``with`` to leave)."""
    active = ActiveReport(Report(name), save)
    _active.set(active)
    return active
