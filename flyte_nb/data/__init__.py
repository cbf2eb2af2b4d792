"""The data layer all backends share: the store, the codec, the cache.

The names load on first use (PEP 562): a module that needs only the key layout does not
import the codec (and cloudpickle) with it.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._codec import DataTooLargeError, Payload, Transfer, decode, encode
    from ._store import Store

__all__ = ["DataTooLargeError", "Payload", "Store", "Transfer", "decode", "encode"]

_HOMES = {"DataTooLargeError": "._codec", "Payload": "._codec", "Transfer": "._codec", "decode": "._codec"}
_HOMES |= {"encode": "._codec", "Store": "._store"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value
    return value
