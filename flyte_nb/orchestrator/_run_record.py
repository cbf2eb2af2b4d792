"""The record an ended run leaves in the store: what ``flyte-nb show`` and later kernels read."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

from ..data import _layout as layout
from . import _run_page

log = logging.getLogger("flyte_nb")

if TYPE_CHECKING:
    from ._controller import Controller


def run_files(controller: Controller, backend: str = "") -> dict[str, bytes]:
    """The files of a run's record, by store key: ``run.json`` (phase, entry task, start time,
    counts, groups), the run page (``index.html``), and one text file per failed action
    (``errors/``) and per action that printed (``logs/``)."""
    files: dict[str, bytes] = {}
    failed: list[str] = []
    for rec in controller.actions:
        label = f"{rec.id}-{rec.task.short_name}"
        if rec.error is not None:
            failed.append(label)
            files[layout.run_error_key(controller.name, label)] = rec.error.traceback.encode()
        if rec.logs:
            files[layout.run_log_key(controller.name, label)] = "".join(rec.logs).encode()
    elapsed = round(controller.ended_at - controller.started_at, 6) if controller.started_at else 0.0
    summary = {
        "run": controller.name,
        "phase": controller.phase,
        "task": controller.actions[0].task.name if controller.actions else None,
        "backend": backend or None,
        "started": round(time.time() - elapsed, 6),  # wall clock, seconds since the epoch
        "elapsed_s": elapsed,
        "actions": len(controller.actions),
        "counts": controller.counts,
        "rejected": controller.rejected,
        "cancel_reason": controller.cancel_reason,
        "groups": [
            {"id": g.id, "name": g.name, "kind": g.kind, "total": g.total, "counts": g.counts}
            for g in controller.groups
        ],
        "errors": sorted(f"{label}.txt" for label in failed),
    }
    files[layout.run_record(controller.name)] = json.dumps(summary, indent=1).encode()
    try:  # the page is a convenience: a rendering error is logged and never fails the run
        page = _run_page.render_run_page(_run_page.run_page(controller, backend))
        files[layout.run_page_key(controller.name)] = page.encode()
    except Exception:
        log.exception("flyte_nb run %s: could not render its run page", controller.name)
    secrets = controller.data.secrets if controller.data is not None else None
    if secrets is not None:  # a value a task printed or put in an error message is not kept
        files = {key: secrets.mask(data.decode(errors="replace")).encode() for key, data in files.items()}
    return files
