"""``flyte_nb.io.HashFunction``: a hash of your own for the content of a File or DataFrame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HashFunction:
    """A hash of your own for what ``File.from_local`` / ``DataFrame.from_local`` upload
    (the Flyte SDK's ``flyte.io.HashFunction``)::

        hash_method = HashFunction.from_fn(lambda df: str(pd.util.hash_pandas_object(df).sum()))
        frame = await DataFrame.from_local(df, hash_method=hash_method)   # frame.hash is that string

    ``fn`` gets the value (a DataFrame's frame, a File's bytes) and returns a string, which
    becomes the reference's ``hash``: its identity for equality and caching.
    """

    def __init__(self, fn: Callable[[Any], str]) -> None:
        if not callable(fn):
            raise TypeError(f"HashFunction needs a function that returns a str, got {fn!r}")
        self._fn = fn
        self._value: str | None = None

    @classmethod
    def from_fn(cls, fn: Callable[[Any], str]) -> HashFunction:
        """A HashFunction calling ``fn``."""
        return cls(fn)

    def update(self, data: Any) -> None:
        """Hash ``data`` (the result replaces the previous one)."""
        value = self._fn(data)
        if not isinstance(value, str):
            raise TypeError(f"the function of a HashFunction must return a str, got {type(value).__name__} {value!r}")
        self._value = value

    def result(self) -> str:
        """The hash of the data last given to :meth:`update`."""
        if self._value is None:
            raise ValueError("HashFunction.result() before update(): nothing was hashed yet")
        return self._value

    def reset(self) -> None:
        self._value = None

    def __repr__(self) -> str:
        return f"HashFunction({getattr(self._fn, '__qualname__', self._fn)!r})"


def custom_hash(hash_method: HashFunction | str | None, data: Callable[[], Any]) -> str | None:
    """The hash ``hash_method`` gives (a str is a hash already computed), or None for none;
    ``data`` gives what to hash, read only when needed."""
    if hash_method is None:
        return None
    if isinstance(hash_method, str):
        return hash_method
    if not hasattr(hash_method, "update") or not hasattr(hash_method, "result"):
        raise TypeError(f"hash_method must be a HashFunction or a str, got {type(hash_method).__name__}")
    hash_method.update(data())
    return str(hash_method.result())
