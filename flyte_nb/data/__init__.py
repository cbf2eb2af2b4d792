"""The data layer all backends share: the store, the codec, the cache."""

from ._codec import DataTooLargeError, Payload, Transfer, decode, encode
from ._store import Store

__all__ = ["DataTooLargeError", "Payload", "Store", "Transfer", "decode", "encode"]
