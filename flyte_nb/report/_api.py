"""``flush``, ``log``, ``replace`` (each callable, or awaited as ``.aio(...)``), ``get_tab``,
``current_report``: the SDK's functions, on the running action's report."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Generic, ParamSpec

from ..model._report import MAIN_TAB, Report, Tab, active_report

P = ParamSpec("P")


class _SyncAndAio(Generic[P]):
    """A function called plainly (``flush()``) or awaited (``await flush.aio()``), like the SDK's
    syncified ones. The work is small and local; ``.aio`` saves in a thread."""

    def __init__(self, func: Callable[P, None]) -> None:
        self._func = func
        functools.update_wrapper(self, func)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        self._func(*args, **kwargs)

    async def aio(self, *args: P.args, **kwargs: P.kwargs) -> None:
        await asyncio.to_thread(self._func, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<flyte_nb.report.{self._func.__name__}>"


def current_report() -> Report:
    """The running action's report; outside a ``report=True`` task, a throwaway one named "dummy"."""
    active = active_report()
    return active.report if active is not None else Report("dummy")


def get_tab(name: str, /, create_if_missing: bool = True) -> Tab:
    """The tab ``name`` of the current report, made when missing (ValueError when
    ``create_if_missing=False``)."""
    return current_report().get_tab(name, create_if_missing=create_if_missing)


def _flush() -> None:
    """Save the current report as one HTML page in the run's store (replacing the last)."""
    active = active_report()
    if active is not None:
        active.flush()


def _log(content: str, do_flush: bool = False) -> None:
    """Add ``content`` (an HTML fragment) to the main tab; ``do_flush=True`` saves right after."""
    get_tab(MAIN_TAB).log(content)
    if do_flush:
        _flush()


def _replace(content: str, do_flush: bool = False) -> None:
    """Make ``content`` (an HTML fragment) the main tab's only content."""
    get_tab(MAIN_TAB).replace(content)
    if do_flush:
        _flush()


_flush.__name__, _log.__name__, _replace.__name__ = "flush", "log", "replace"
flush = _SyncAndAio(_flush)
log = _SyncAndAio(_log)
replace = _SyncAndAio(_replace)

__all__ = ["current_report", "flush", "get_tab", "log", "replace"]
