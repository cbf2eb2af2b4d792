"""Values in transit: cloudpickle, inline up to a limit, by reference above it.

Inputs and outputs that must leave the kernel (a container, a cache entry) are pickled
with cloudpickle, so functions and classes defined in a notebook (``__main__``) travel by
value. Up to ``max_inline_io_bytes`` (10 MiB by default, like Flyte 2) the bytes travel inline
with the action; above it they go to the store, sealed (``_seal``), and only the key
travels; an offloaded value whose seal does not hold raises ``StoreIntegrityError``.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
import sys
import time
from dataclasses import dataclass
from typing import Any

from ..errors import DataTooLargeError, FlyteNbError, SerializationError
from ._store import Store

PICKLE_PROTOCOL = 5


@dataclass(slots=True)
class Payload:
    """An encoded value: its bytes inline, or the store key holding them."""

    size: int
    inline: bytes | None = None
    ref: str | None = None

    @property
    def offloaded(self) -> bool:
        return self.ref is not None


@dataclass(slots=True)
class Transfer:
    """Bytes and seconds spent moving one value (for the u and d of 2u + 2d + e + t)."""

    bytes: int = 0
    seconds: float = 0.0


def dumps(value: Any) -> bytes:
    if is_plain(value):  # builtin data only: cloudpickle's very bytes, without loading it
        return pickle.dumps(value, protocol=PICKLE_PROTOCOL)
    import cloudpickle

    if "tblib.pickling_support" not in sys.modules:
        return cloudpickle.dumps(value, protocol=PICKLE_PROTOCOL)
    # dask.distributed installs tblib's reducers for every exception class, process-wide:
    # its pickles of exceptions then need tblib to load, which a container may not have
    buffer = io.BytesIO()
    _portable_pickler()(buffer, protocol=PICKLE_PROTOCOL).dump(value)
    return buffer.getvalue()


#: exact types whose pickle is the same with or without cloudpickle (no class or function
#: inside, so nothing cloudpickle would send by value)
_ATOMS = frozenset({type(None), bool, int, float, complex, str, bytes})
_CONTAINERS = frozenset({tuple, list, set, frozenset})
#: objects looked at before a value counts as not plain (cloudpickle then pickles it)
_PLAIN_BUDGET = 1000


def is_plain(value: Any) -> bool:
    """Whether ``value`` is builtin data only (None, bool, numbers, str, bytes, and tuples,
    lists, sets and dicts of them, up to :data:`_PLAIN_BUDGET` objects): the standard pickler
    writes it exactly as cloudpickle does."""
    budget = _PLAIN_BUDGET
    pending = [value]
    while pending:
        item = pending.pop()
        budget -= 1
        if budget < 0:
            return False
        kind = type(item)
        if kind in _ATOMS:
            continue
        if kind in _CONTAINERS:
            pending.extend(item)
        elif kind is dict:
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            return False
    return True


_portable_class: type[Any] | None = None


def _portable_pickler() -> type[Any]:
    """cloudpickle's Pickler without tblib's reducers (the C pickler reads its table when made)."""
    global _portable_class
    if _portable_class is None:
        import cloudpickle

        class _PortablePickler(cloudpickle.Pickler):
            @property
            def dispatch_table(self) -> dict[Any, Any]:
                return _dispatch_without_tblib()

        _portable_class = _PortablePickler
    return _portable_class


_portable_dispatch: tuple[int, dict[Any, Any]] = (-1, {})


def _dispatch_without_tblib() -> dict[Any, Any]:
    """cloudpickle's reducers and copyreg's, less the ones tblib put there (cached while
    copyreg's table keeps its size)."""
    import cloudpickle

    global _portable_dispatch
    size, table = _portable_dispatch
    if size != len(copyreg.dispatch_table):
        size = len(copyreg.dispatch_table)
        table = {
            kind: reducer
            for kind, reducer in cloudpickle.Pickler.dispatch_table.items()
            if not getattr(getattr(reducer, "func", reducer), "__module__", "").startswith("tblib")
        }
        _portable_dispatch = (size, table)
    return table


def pickled(value: Any, what: str, task: str = "") -> bytes:
    """``dumps(value)``, or :class:`SerializationError` saying which value of which task
    does not pickle, and what to do instead."""
    try:
        return dumps(value)
    except Exception as exc:  # pickling raises TypeError, PicklingError, AttributeError or the object's own error
        owner = f" of task {task}" if task else ""
        raise SerializationError(
            f"{what}{owner} cannot be pickled to leave the kernel ({type(exc).__name__}: {exc}). "
            "Pass something that pickles: make the lock, connection, client or open file inside the task "
            "(or pass what it is made from, e.g. a path or a flyte_nb.io.File)",
            task=task,
            what=what,
        ) from exc


def loads(data: bytes | memoryview) -> Any:
    return pickle.loads(data)  # cloudpickle.loads is pickle.loads; a by-value pickle imports cloudpickle itself


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(
    value: Any,
    *,
    store: Store | None,
    key: str,
    inline_limit: int,
    hard_limit: int | None = None,
    what: str = "value",
    task: str = "",
) -> tuple[Payload, Transfer]:
    """Pickle ``value``; offload it to ``store`` at ``key`` when over ``inline_limit``.

    A value that does not pickle raises :class:`SerializationError` naming ``what`` and ``task``.
    """
    start = time.perf_counter()
    data = pickled(value, what, task)
    size = len(data)
    if hard_limit is not None and size > hard_limit:
        owner = f" of task {task}" if task else ""
        raise DataTooLargeError(
            f"{what}{owner} is {_mib(size)} when pickled, over the limit of {_mib(hard_limit)} (limits.max_io_bytes). "
            "Pass it as a flyte_nb.io.File / DataFrame (by reference) or raise the limit."
        )
    if size <= inline_limit or store is None:
        return Payload(size, inline=data), Transfer(size, time.perf_counter() - start)
    store.put_sealed(key, data)
    return Payload(size, ref=key), Transfer(size, time.perf_counter() - start)


#: values :func:`fits_inline` vouches for pickle to at most about this many bytes
SMALL_BYTES = 4096
_SCALARS = (type(None), bool, int, float, complex)


def fits_inline(value: Any, inline_limit: int) -> bool:
    """Whether ``value`` is plainly small (a number, a short string, a few of those in a
    tuple, list or dict) so that it pickles in microseconds and inline under
    ``inline_limit``: callers encode it on their event loop, not in a thread."""
    if inline_limit < 2 * SMALL_BYTES:
        return False
    return _small(value, 2)


def _small(value: Any, depth: int) -> bool:
    if isinstance(value, _SCALARS):
        return not isinstance(value, int) or value.bit_length() <= 256
    if isinstance(value, (str, bytes)):
        return len(value) <= SMALL_BYTES // 4
    if depth and type(value) in (tuple, list) and len(value) <= 16:
        return all(_small(item, depth - 1) for item in value)
    if depth and type(value) is dict and len(value) <= 16:
        return all(_small(k, 0) and _small(v, depth - 1) for k, v in value.items())
    return False


def decode(payload: Payload, store: Store | None) -> tuple[Any, Transfer]:
    """The value of a payload (fetching it from ``store`` when it was offloaded)."""
    start = time.perf_counter()
    data: bytes | memoryview
    if payload.inline is not None:
        data = payload.inline
    else:
        if store is None or payload.ref is None:
            raise FlyteNbError("an offloaded value arrived without a store to read it from")
        data = store.get_sealed(payload.ref)  # checked before it is unpickled
    return loads(data), Transfer(len(data), time.perf_counter() - start)


def decode_inputs(
    args: list[Payload] | tuple[Payload, ...], kwargs: dict[str, Payload], store: Store | None
) -> tuple[tuple[Any, ...], dict[str, Any], Transfer]:
    """The values of an action's argument payloads, and what reading them cost in all."""
    total = Transfer()

    def one(payload: Payload) -> Any:
        value, transfer = decode(payload, store)
        total.bytes += transfer.bytes
        total.seconds += transfer.seconds
        return value

    values = tuple(one(payload) for payload in args)
    return values, {name: one(payload) for name, payload in kwargs.items()}, total


def _mib(size: int) -> str:
    return f"{size / 1024**2:.1f} MiB" if size >= 1024**2 else f"{size:,} bytes"
