"""``cache="auto"``: skip an action whose task, source and inputs were seen before.

The key hashes the task's name, its source (so editing the function in a notebook cell
makes a new key) or its ``Cache(version_override=...)`` or ``Cache(policies=...)``, its
``Cache(salt=...)`` and its inputs (minus ``Cache(ignored_inputs=...)``). An entry records
when it was written, so ``Cache(max_age=...)`` makes older ones a miss (entries from before
that record carry no time: they are a miss only under a ``max_age``). Entries live in the
store, so they survive kernel restarts; they are written atomically and sealed (``_seal``);
an entry that cannot be read is a miss with a warning, and one whose seal does not hold
(planted by someone else, or written before entries were sealed) is a miss with a
:class:`~flyte_nb.errors.CacheUntrustedWarning`, never unpickled.
"""

from __future__ import annotations

import hashlib
import inspect
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..errors import CacheCorruptWarning, CacheUntrustedWarning, StoreIntegrityError
from . import _layout as layout
from ._codec import digest, dumps, loads
from ._store import Store

if TYPE_CHECKING:
    from ..model._task import TaskTemplate

__all__ = ["CACHE_FORMAT", "CacheCorruptWarning", "cache_key", "is_miss", "lookup", "write"]

_MISS = object()
#: Format of a cache entry, part of every key: bump it when entries change shape.
#: "2": entries are sealed (entries of format 1 are simply never looked up again).
CACHE_FORMAT = "2"


def source_hash(task: TaskTemplate[Any, Any]) -> str:
    """A hash of the task function's source (its bytecode when the source is unavailable)."""
    func = task.func
    try:
        text = inspect.getsource(func).encode()
    except (OSError, TypeError):
        code = func.__code__
        text = code.co_code + repr(code.co_consts).encode() + repr(code.co_names).encode()
    return hashlib.sha256(text).hexdigest()[:16]


def cache_key(task: TaskTemplate[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The store key of this call's cache entry."""
    policy = task.cache
    assert policy is not None
    bound = task.signature.bind(*args, **kwargs)
    inputs = {name: value for name, value in bound.arguments.items() if name not in policy.ignored_inputs}
    version = policy.version_of(task.func) or source_hash(task)
    material = dumps((CACHE_FORMAT, task.name, version, policy.salt, sorted(inputs.items())))
    return layout.cache_key(_safe(task.name), digest(material))


@dataclass(frozen=True)
class Stamped:
    """A cache entry: the output and when it was written (seconds since the epoch)."""

    written_at: float
    value: Any


def lookup(store: Store, key: str, max_age: timedelta | None = None) -> Any:
    """The cached output at ``key``, or ``MISS``; a corrupt entry warns and misses, and so
    does one older than ``max_age`` (or of unknown age, when a ``max_age`` is given)."""
    try:
        data = store.get_sealed(key)
    except FileNotFoundError:
        return _MISS
    except StoreIntegrityError:
        warnings.warn(
            f"cache entry {store.url_of(key)} was not written by this user's flyte_nb (no valid seal of the store "
            "key), so it was not unpickled (unpickling runs code); running the task again, its output replaces it",
            CacheUntrustedWarning,
            stacklevel=2,
        )
        return _MISS
    try:
        entry = loads(data)
    except Exception as exc:  # garbage raises more than UnpicklingError (OverflowError, MemoryError, ...)
        warnings.warn(
            f"cache entry {store.url_of(key)} is unreadable ({type(exc).__name__}: {exc}); running the task again",
            CacheCorruptWarning,
            stacklevel=2,
        )
        return _MISS
    if not isinstance(entry, Stamped):  # written before entries recorded their time
        return entry if max_age is None else _MISS
    if max_age is not None and time.time() - entry.written_at > max_age.total_seconds():
        return _MISS
    return entry.value


def write(store: Store, key: str, value: Any) -> None:
    store.put_sealed(key, dumps(Stamped(time.time(), value)))


def is_miss(value: Any) -> bool:
    return value is _MISS


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
