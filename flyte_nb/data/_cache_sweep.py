"""Which cache entries ``flyte-nb clean --older-than`` may delete, and deleting them.

An entry goes only when all of these hold:

- no run is still going (a running run's entries are known only once it ends: while one
  goes, or a ``runs/`` folder has no record yet, every entry is kept);
- every run that stays records which entries it used (``run.json``'s ``cache_entries``,
  the keys in ``cache.json``): a run from an earlier flyte_nb, or one whose kernel died,
  does not, so while one stays every entry is kept (it ages out with ``--older-than`` too);
- no run that stays wrote or hit it;
- its own stamp (``Stamped.written_at``) is before the cutoff. An entry without a readable
  stamp (written before entries were stamped) is kept.

The stamp is read from the first few opcodes of the entry's pickle, never by unpickling it:
nothing of the entry runs, and no module of the task that wrote it is needed.
"""

from __future__ import annotations

import io
import json
import pickletools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _layout as layout
from ._cache import Stamped
from ._seal import HEADER_SIZE, MAGIC

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["CacheSweep", "cache_entries_used", "entry_stamp", "sweep_cache"]

#: opcodes of an entry's pickle read, at most, to find its stamp (it is within the first 20)
_STAMP_OPS = 40


@dataclass
class CacheSweep:
    """What the cache part of ``clean --older-than`` deleted (or, dry, would delete) and kept."""

    removed: list[tuple[str, int]] = field(default_factory=list)  # (store key, bytes)
    kept_used: int = 0  # a remaining run wrote or hit it
    kept_recent: int = 0  # written after the cutoff
    kept_unstamped: int = 0  # no readable stamp
    #: why no entry was deleted at all (runs still going, or runs that do not record their
    #: cache use), None when entries were considered one by one
    kept_all_because: str | None = None

    @property
    def removed_bytes(self) -> int:
        return sum(size for _, size in self.removed)


def cache_entries_used(store: Store, record: Mapping[str, Any]) -> set[str] | None:
    """The store keys of the cache entries the ended run of ``record`` wrote or hit; None
    when it does not say (a run from before runs recorded it, or its ``cache.json`` is
    missing or unreadable)."""
    count = record.get("cache_entries")
    if not isinstance(count, int):
        return None
    if count == 0:
        return set()
    try:
        used = json.loads(store.get(layout.run_cache_use_key(str(record["run"]))))
        keys = [*used["written"], *used["hit"]]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return {f"{layout.CACHE}/{key}" for key in keys}


def entry_stamp(data: bytes | memoryview) -> float | None:
    """When a cache entry (its unsealed bytes) was written, read from its pickle's opcodes
    without unpickling it; None when it carries no stamp. A stamped entry's pickle opens
    with exactly: the class (module and name strings, ``STACK_GLOBAL``), ``EMPTY_TUPLE``,
    ``NEWOBJ``, its state (``EMPTY_DICT``, ``MARK``), ``"written_at"`` and a ``BINFLOAT``."""
    text, opcode = True, False
    expected: list[tuple[bool, str]] = [
        (text, Stamped.__module__),
        (text, Stamped.__qualname__),
        (opcode, "STACK_GLOBAL"),
        (opcode, "EMPTY_TUPLE"),
        (opcode, "NEWOBJ"),
        (opcode, "EMPTY_DICT"),
        (opcode, "MARK"),
        (text, "written_at"),
    ]
    step = 0
    try:
        for count, (op, arg, _) in enumerate(pickletools.genops(io.BytesIO(data))):
            if count >= _STAMP_OPS:
                return None
            if op.name in ("PROTO", "FRAME", "MEMOIZE"):
                continue
            if step == len(expected):
                return arg if op.name == "BINFLOAT" and isinstance(arg, float) else None
            is_text, want = expected[step]
            if (arg if is_text else op.name) != want:
                return None
            step += 1
    except Exception:  # garbage: not an entry this code knows
        return None
    return None


def _unsealed(blob: bytes) -> bytes | memoryview:
    """An entry's pickle, past its seal when it has one (the seal is not checked: the pickle
    is only scanned for its stamp, never loaded)."""
    return memoryview(blob)[HEADER_SIZE:] if blob.startswith(MAGIC) and len(blob) >= HEADER_SIZE else blob


def sweep_cache(
    store: Store,
    cutoff: float,
    remaining: Iterable[Mapping[str, Any]],
    *,
    going: int = 0,
    dry_run: bool = False,
) -> CacheSweep:
    """Delete (unless ``dry_run``) the cache entries of ``store`` written before ``cutoff``
    (seconds since the epoch) that none of the ``remaining`` runs' records (the runs clean
    keeps) wrote or hit. ``going``: runs still going, or ``runs/`` folders with no record:
    while there are any, every entry is kept."""
    sweep = CacheSweep()
    if going:
        sweep.kept_all_because = (
            f"{going} run(s) still going (the entries a run uses are known once it ends); "
            "run clean again when no run is going"
        )
        return sweep
    used: set[str] = set()
    silent: list[str] = []
    for record in remaining:
        keys = cache_entries_used(store, record)
        if keys is None:
            silent.append(str(record.get("run")))
        else:
            used |= keys
    if silent:
        shown = ", ".join(silent[:5]) + (", ..." if len(silent) > 5 else "")
        sweep.kept_all_because = (
            f"{len(silent)} remaining run(s) do not record which cache entries they used "
            f"(from an earlier flyte_nb, or their kernel died): {shown}; they age out with --older-than too"
        )
        return sweep
    for task in store.children(layout.CACHE):
        for name in store.children(f"{layout.CACHE}/{task}"):
            key = f"{layout.CACHE}/{task}/{name}"
            if key in used:
                sweep.kept_used += 1
                continue
            try:
                data = store.get(key)
            except (FileNotFoundError, IsADirectoryError):
                continue  # gone meanwhile (another clean), or not an entry
            stamp = entry_stamp(_unsealed(data))
            if stamp is None:
                sweep.kept_unstamped += 1
            elif stamp >= cutoff:
                sweep.kept_recent += 1
            else:
                size = len(data)
                if not dry_run:
                    store.delete(key)
                sweep.removed.append((key, size))
    return sweep
