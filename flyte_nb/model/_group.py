"""``flyte.group(name)``: put the actions started inside a block into one named group."""

from __future__ import annotations

from contextvars import Token
from dataclasses import replace
from types import TracebackType

from ._context import ActionContext, current


class group:  # noqa: N801 - named like the Flyte 2 API it mirrors
    """Context manager (``with`` or ``async with``) that places every action started in its
    block into the group ``name`` of the calling action. Outside a run it does nothing."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"flyte.group needs a non-empty name, got {name!r}")
        self.name = name
        self._token: Token[ActionContext | None] | None = None

    def __enter__(self) -> group:
        ctx = current.get()
        if ctx is not None:
            named = ctx.controller.named_group(ctx.action.id, self.name)
            self._token = current.set(replace(ctx, group=named))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._token is not None:
            current.reset(self._token)
            self._token = None

    async def __aenter__(self) -> group:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"flyte.group({self.name!r})"
