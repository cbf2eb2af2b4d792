"""Reading a run's records in the store: ``run.json`` (settled: a running record whose kernel
is gone reads as failed) and the entry action's kept inputs and outputs."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from ..data import _layout as layout
from ..data._codec import loads
from ..data._store import Store
from ..errors import FlyteNbError, RunNotFoundError, RuntimeUserError

__all__ = ["ENDED", "load_kept", "raise_if_running", "read_record", "record_or_raise"]

#: the phases of a run that has ended
ENDED = ("succeeded", "failed", "cancelled", "aborted", "timed_out")
_HOST = socket.gethostname()


def record_or_raise(store: Store, name: str) -> dict[str, Any]:
    record = read_record(store, name)
    if record is None:
        raise RunNotFoundError(
            f"no run named {name!r} in the store {store.url}. Check the name (run.name when it ran), "
            "or point flyte.init(storage=...) at the store that run used"
        )
    return record


def read_record(store: Store, name: str) -> dict[str, Any] | None:
    if not name or "/" in name or name.startswith("."):
        return None
    try:
        record = json.loads(store.get(layout.run_record(name)))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(record, dict) or "phase" not in record:
        return None
    return _settled(record)


def _settled(record: dict[str, Any]) -> dict[str, Any]:
    """A ``running`` record whose kernel ran on this machine and is gone reads as ``failed``,
    saying so (``lost``); any other record as it is."""
    if record.get("phase") != "running" or record.get("host") != _HOST or _alive(record.get("pid")):
        return record
    lost = (
        f"its kernel (pid {record.get('pid')} on {_HOST}) ended while the run was going; "
        "this is the run's last recorded state"
    )
    return {**record, "phase": "failed", "done": True, "lost": lost}


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return True  # nothing to check: shown as recorded
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def raise_if_running(record: dict[str, Any], what: str) -> None:
    """A clear error when the run of ``record`` is still going: its ``what`` are kept when it ends."""
    if record.get("phase") == "running":
        name = record.get("run")
        raise RuntimeUserError(
            "RunStillRunning",
            f"run {name} is still running (pid {record.get('pid')} on {record.get('host')}), so its {what} "
            f"are not kept yet; they are once it ends: flyte.remote.Run.get({name!r}) again then",
        )


def load_kept(store: Store, record: dict[str, Any], key: str, what: str) -> Any:
    """The value kept at ``key`` (the entry action's inputs or outputs), loaded now; a clear
    error when it was not kept (too big for the store's cap, did not pickle, the run ended
    before)."""
    raise_if_running(record, what)
    name = record.get("run")
    size = (record.get("not_kept") or {}).get(what)
    if size is not None:
        raise FlyteNbError(
            f"run {name} did not keep its {what}: they are {int(size):,} bytes, above the "
            f"{int(record.get('max_kept_io_bytes') or 0):,} bytes flyte_nb keeps for a past run. Raise the cap with "
            "flyte.init(max_kept_io_bytes=...) (or max_kept_io_bytes: in the config) and run it again"
        )
    try:
        return loads(store.get_sealed(key))
    except FileNotFoundError:
        raise FlyteNbError(
            f"run {name} kept no {what} in {store.url_of(key)}: they did not pickle, or the run "
            f"ended before flyte_nb kept them. Run it again to have them kept"
        ) from None
