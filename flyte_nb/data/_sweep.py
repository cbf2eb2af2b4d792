"""Temporaries of killed writers, removed at the next run on their store.

A local store writes each object to a hidden temporary beside it and renames it into
place (see ``_store``); a writer killed between the two (a cancelled container, a kernel
killed with -9) leaves the temporary behind. The first run of a process on a local store
starts a sweep in a thread of its own: it removes temporaries older than
:data:`STALE_AFTER_S` (a live writer's temporary is seconds old) and never delays the run.

It stays cheap on big stores: it walks only the folders flyte_nb writes (the layout in
``_layout``, never the rest of a root that holds other data), reads names only, and stats
just the few entries named like a temporary. ``flyte-nb clean`` removes them on demand.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

from . import _layout as layout
from ._store import _TEMP_MARK, Store

__all__ = ["STALE_AFTER_S", "SWEPT_FOLDERS", "SweepReport", "sweep", "sweep_in_background"]

log = logging.getLogger("flyte_nb")

#: Age from which a temporary is a dead writer's: far above any single write.
STALE_AFTER_S = 3600.0
#: The store's top-level folders where puts happen (runs, cache, uploads, doctor's probe).
SWEPT_FOLDERS = layout.TOP_FOLDERS

_swept: set[str] = set()  # roots of the local stores this process has swept (or is sweeping)
_swept_lock = threading.Lock()


@dataclass(slots=True)
class SweepReport:
    """What one sweep did: temporaries removed, folders read, seconds taken."""

    removed: int = 0
    folders: int = 0
    seconds: float = 0.0


def sweep_in_background(store: Store) -> threading.Thread | None:
    """Start the sweep of ``store`` in a daemon thread, the first time this process asks
    for that store; None when there is nothing to do (swept already, not a local store)."""
    if store.protocol not in ("file", "local"):  # object stores replace objects in one call: no temporaries
        return None
    with _swept_lock:
        if store.root in _swept:
            return None
        _swept.add(store.root)
    thread = threading.Thread(target=_sweep_quietly, args=(store.root,), name="flyte_nb-sweep", daemon=True)
    thread.start()
    return thread


def _sweep_quietly(root: str) -> None:
    try:
        report = sweep(root)
    except OSError as exc:  # an unreadable store is the run's problem to report, not the sweep's
        log.debug("flyte_nb: sweep of %s stopped: %s", root, exc)
        return
    if report.removed:
        log.info("flyte_nb: removed %d stale temporary file(s) from %s", report.removed, root)


def sweep(root: str, older_than: float = STALE_AFTER_S) -> SweepReport:
    """Remove the temporaries under ``root`` older than ``older_than`` seconds."""
    started = time.perf_counter()
    report = SweepReport()
    cutoff = time.time() - older_than
    _sweep_folder(root, cutoff, report, recurse=False)  # objects at the top level
    for name in SWEPT_FOLDERS:
        _sweep_folder(os.path.join(root, name), cutoff, report, recurse=True)
    report.seconds = time.perf_counter() - started
    return report


def _sweep_folder(top: str, cutoff: float, report: SweepReport, *, recurse: bool) -> None:
    pending = [top]
    while pending:
        folder = pending.pop()
        if report.folders % 32 == 31:
            time.sleep(0)  # hand the GIL to the run now and then: a big store's sweep barely slows it
        try:
            entries = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue  # removed meanwhile, or another user's private folder on a shared store
        report.folders += 1
        with entries:
            for entry in entries:
                name = entry.name
                if name[:1] == "." and _TEMP_MARK in name:
                    _remove_if_stale(entry, cutoff, report)
                elif recurse and entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)


def _remove_if_stale(entry: os.DirEntry[str], cutoff: float, report: SweepReport) -> None:
    try:
        if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime <= cutoff:
            os.remove(entry.path)
            report.removed += 1
    except (FileNotFoundError, PermissionError):
        pass  # renamed into place or removed by someone else meanwhile; or not ours to remove
