"""The record an ended run leaves in the store: what ``flyte-nb show`` and later kernels read."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..data import _archive as archive
from ..data import _layout as layout
from ..data._store import Store
from ..model._records import State
from . import _run_page

log = logging.getLogger("flyte_nb")

if TYPE_CHECKING:
    from ._controller import Controller


def run_files(
    controller: Controller, backend: str = "", not_kept: dict[str, int] | None = None
) -> dict[str, bytes | Iterator[bytes]]:
    """The files of a run's record, by store key: ``run.json`` (phase, entry task, start time,
    counts, groups, semaphores, ``cache_entries``), ``cache.json`` (the cache entries the run
    wrote and hit, when any), ``actions.jsonl`` (one line per action, see
    ``data/_archive.py``), the run page (``index.html``), and one text file per failed action
    (``errors/``) and per action that printed (``logs/``). The run's secret values are masked
    in all of them. Reads the records only: call it off the loop once the run has ended. The
    archive comes in chunks (an iterator of bytes), encoded while the store writes it.
    ``not_kept``: the entry values above the store's cap, by name (``inputs``) and size."""
    secrets = controller.data.secrets if controller.data is not None else None
    mask = secrets.mask if secrets is not None and any(True for _ in secrets.values()) else None
    files: dict[str, bytes | Iterator[bytes]] = {}
    failed: list[str] = []
    for rec in controller.actions:
        if rec.error is None and not rec.logs:
            continue
        label = f"{rec.id}-{rec.task.short_name}"
        if rec.error is not None:
            failed.append(label)
            files[layout.run_error_key(controller.name, label)] = _text(rec.error.traceback, mask)
        if rec.logs:
            files[layout.run_log_key(controller.name, label)] = _text("".join(rec.logs), mask)
    files[layout.run_actions_key(controller.name)] = _archive(controller, mask)
    summary = run_summary(controller, backend)
    if controller.data is not None:
        # how many cache entries the run wrote or hit (their keys: cache.json); present
        # even when 0, so that `flyte-nb clean` knows the run records its cache use
        used = controller.data.cache_use()
        summary["cache_entries"] = len(set(used["written"]) | set(used["hit"]))
        if summary["cache_entries"]:
            files[layout.run_cache_use_key(controller.name)] = json.dumps(used, separators=(",", ":")).encode()
    summary["errors"] = sorted(f"{label}.txt" for label in failed)
    if controller.data is not None and controller.data.max_kept_bytes is not None:
        summary["max_kept_io_bytes"] = controller.data.max_kept_bytes
    if not_kept:
        summary["not_kept"] = dict(not_kept)
    shown = _mask_strings(summary, mask) if mask is not None else summary
    files[layout.run_record(controller.name)] = json.dumps(shown, indent=1).encode()
    try:  # the page is a convenience: a rendering error is logged and never fails the run
        page = _run_page.render_run_page(_run_page.run_page(controller, backend))
        files[layout.run_page_key(controller.name)] = _text(page, mask)
    except Exception:
        log.exception("flyte_nb run %s: could not render its run page", controller.name)
    return files


#: Actions encoded at a time: the archive is written in chunks, never held whole (a
#: 100,000-action run's is ~16 MB).
_CHUNK = 4096


def _archive(controller: Controller, mask: Callable[[str], str] | None) -> Iterator[bytes]:
    """``actions.jsonl``, one line per action (``data/_archive.action_line``), in chunks
    encoded as the store writes them."""
    origin, actions = controller.started_at, controller.actions
    for i in range(0, len(actions), _CHUNK):
        yield "".join([archive.action_line(rec, origin, mask) + "\n" for rec in actions[i : i + _CHUNK]]).encode()


def _text(text: str, mask: Callable[[str], str] | None) -> bytes:
    return (mask(text) if mask is not None else text).encode()


_HOST = socket.gethostname()


def run_summary(controller: Controller, backend: str) -> dict[str, Any]:
    """``run.json``'s fields: run, phase, done, task, backend, host and pid (of the process
    that drives the run), started (wall clock), elapsed_s,
    actions, counts, rejected, cancel_reason, version, groups, semaphores, the run's clock
    (``clock``, ``ended_offset``: what the archive's times are relative to), and ``cluster``
    (workers, threads, busy, dashboard: as last seen) when its actions ran on one."""
    origin = controller.started_at
    end = controller.ended_at or time.monotonic()
    elapsed = end - origin if origin else 0.0
    summary: dict[str, Any] = {
        "run": controller.name,
        "phase": controller.phase,
        "done": controller.done,
        "task": controller.actions[0].task.name if controller.actions else None,
        "backend": backend or None,
        "host": _HOST,
        "pid": os.getpid(),
        "started": round(time.time() - elapsed, 6),  # wall clock, seconds since the epoch
        "elapsed_s": round(elapsed, 6),
        "actions": len(controller.actions),
        "counts": dict(controller.counts),
        "rejected": controller.rejected,
        "cancel_reason": controller.cancel_reason,
        "version": controller.version,
        "clock": origin,
        "ended_offset": elapsed if controller.ended_at else None,
        "groups": [archive.group_dict(g, origin) for g in list(controller.groups)],
        "semaphores": [archive.semaphore_dict(s.gauge()) for s in list(controller.semaphores)],
    }
    if controller.cluster is not None:
        summary["cluster"] = controller.cluster.to_dict()
    return summary


def _mask_strings(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_mask_strings(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: _mask_strings(v, mask) for k, v in value.items()}
    return value


#: Seconds between two writes of a running run's record (when something changed).
RUNNING_REFRESH_S = 3.0


class RunningRecord:
    """Keeps ``run.json`` current while a run goes, for other processes (``flyte.remote.Run``):
    phase ``running``, the entry task, the start, the kernel's host and pid, and the counts so
    far. It is written when the run starts, then at most every :data:`RUNNING_REFRESH_S` seconds
    and only when something changed; the loop only gathers the numbers (O(groups)), a thread
    writes them. :meth:`stop` waits for a write under way, so the ended run's record, written
    after it, is the last."""

    def __init__(self, controller: Controller, backend: str, refresh_s: float | None = None) -> None:
        self.controller = controller
        self.backend = backend
        self.refresh_s = RUNNING_REFRESH_S if refresh_s is None else refresh_s
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start keeping the record (on the running loop); the first write comes at once."""
        self._task = asyncio.get_running_loop().create_task(
            self._keep(), name=f"flyte_nb record {self.controller.name}"
        )

    async def stop(self) -> None:
        """Stop, after the write under way (if one is)."""
        self._stop.set()
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _keep(self) -> None:
        written = -1
        while not self._stop.is_set():
            if self.controller.started_at and self.controller.version != written:
                written = self.controller.version
                await self._write()
            try:
                await asyncio.wait_for(self._stop.wait(), self.refresh_s)
            except TimeoutError:
                continue

    async def _write(self) -> None:
        controller = self.controller
        data = controller.data
        if data is None or controller.done:
            return
        summary = run_summary(controller, self.backend)
        summary["phase"] = State.RUNNING
        secrets = data.secrets
        if secrets is not None and any(True for _ in secrets.values()):
            summary = _mask_strings(summary, secrets.mask)
        try:
            await data.store.io(_put_json, data.store, layout.run_record(controller.name), summary)
        except Exception as exc:  # the run goes on; only others' view of it is late
            log.warning("flyte_nb run %s: could not write its running record: %s", controller.name, exc)


def _put_json(store: Store, key: str, value: dict[str, Any]) -> None:
    store.put(key, json.dumps(value, indent=1).encode())
