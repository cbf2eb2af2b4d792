"""A method callable two ways, as the Flyte 2 SDK's run methods are: ``run.wait()`` blocks,
``await run.wait.aio()`` waits on the running loop."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol, cast

__all__ = ["ClassSyncAndAio", "SyncAndAio", "off_the_loop"]


class SyncAndAio:
    """A descriptor pairing a blocking method with its coroutine twin (``.aio``)."""

    def __init__(self, sync: Callable[..., Any], aio: Callable[..., Awaitable[Any]]) -> None:
        self._sync = sync
        self._aio = aio
        self.__name__ = sync.__name__
        self.__doc__ = sync.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return _Bound(self.__name__, self._sync, self._aio, obj)


class _Bound:
    """``run.wait``: call it to block, or ``await run.wait.aio(...)``."""

    def __init__(self, name: str, sync: Callable[..., Any], aio: Callable[..., Awaitable[Any]], obj: Any) -> None:
        self._sync = sync
        self._aio_fn = aio
        self._obj = obj
        functools.update_wrapper(self, sync)
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        return self._sync(self._obj, *args, **kwargs)

    def aio(self, *args: Any, **kwargs: Any) -> Awaitable[Any]:
        """The same call as a coroutine, to ``await`` on the running loop."""
        return self._aio_fn(self._obj, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<method {self.__name__} of {self._obj!r}>"


class ClassSyncAndAio(SyncAndAio):
    """A classmethod callable two ways: ``Run.get(name)`` and ``await Run.get.aio(name)``
    (``Run.listall.aio(...)`` is an async iterator)."""

    def __init__(self, sync: Callable[..., Any], aio: Callable[..., Any]) -> None:
        super().__init__(sync, cast("Callable[..., Awaitable[Any]]", aio))

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        return _Bound(self.__name__, self._sync, self._aio, objtype if obj is None else type(obj))


class _HasIo(Protocol):
    async def io(self, func: Callable[..., Any], *args: Any) -> Any: ...


def off_the_loop(sync: Callable[..., Any], store_of: Callable[[Any], _HasIo], *, iterates: bool = False) -> SyncAndAio:
    """``sync`` paired with an ``.aio`` that runs the same blocking method through the
    object's store (``store_of(obj).io``: a worker thread, inline for ``memory://``), so
    awaiting it never stalls the loop. With ``iterates``, ``sync`` returns lines or items
    and ``.aio(...)`` is an async iterator over them."""

    async def aio(obj: Any, *args: Any, **kwargs: Any) -> Any:
        return await store_of(obj).io(functools.partial(sync, obj, *args, **kwargs))

    async def aio_items(obj: Any, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        items: Iterable[Any] = await store_of(obj).io(lambda: list(sync(obj, *args, **kwargs)))
        for item in items:
            yield item

    return SyncAndAio(sync, cast("Callable[..., Awaitable[Any]]", aio_items) if iterates else aio)
