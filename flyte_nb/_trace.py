"""``@flyte.trace``: a light, in-process step recorded on the action that calls it."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._context import current
from .orchestrator._controller import error_info
from .orchestrator._records import TraceRecord

F = TypeVar("F", bound=Callable[..., Any])


def trace(func: F) -> F:
    """Record each call of ``func`` inside a run as a step of the calling action: its name,
    inputs, output or error, and timing. Outside a run the function is simply called.

    Traced calls are not actions: they run in the caller's process and cost no
    scheduling, which is why seed 004 recommends them for light steps.
    """
    if not callable(func) or isinstance(func, type):
        raise TypeError(f"flyte.trace decorates a function, got {func!r}")
    signature = inspect.signature(func)
    name = getattr(func, "__qualname__", getattr(func, "__name__", repr(func)))

    def begin(args: tuple[Any, ...], kwargs: dict[str, Any]) -> TraceRecord | None:
        ctx = current.get()
        if ctx is None:
            return None
        try:
            bound = signature.bind(*args, **kwargs)
            inputs = dict(bound.arguments)
        except TypeError:
            inputs = {"args": args, "kwargs": kwargs}
        step = TraceRecord(name, inputs, time.monotonic())
        ctx.controller.record_trace(ctx.action, step)
        return step

    def end(step: TraceRecord, output: Any = None, exc: BaseException | None = None) -> None:
        step.ended = time.monotonic()
        if exc is None:
            step.output = output
        else:
            step.error = error_info(exc)
        ctx = current.get()
        if ctx is not None:
            ctx.controller._changed()

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def traced_async(*args: Any, **kwargs: Any) -> Any:
            step = begin(args, kwargs)
            if step is None:
                return await func(*args, **kwargs)
            try:
                output = await func(*args, **kwargs)
            except BaseException as exc:
                end(step, exc=exc)
                raise
            end(step, output)
            return output

        return traced_async  # type: ignore[return-value]

    @functools.wraps(func)
    def traced(*args: Any, **kwargs: Any) -> Any:
        step = begin(args, kwargs)
        if step is None:
            return func(*args, **kwargs)
        try:
            output = func(*args, **kwargs)
        except BaseException as exc:
            end(step, exc=exc)
            raise
        end(step, output)
        return output

    return traced  # type: ignore[return-value]
