"""``@flyte.trace``: a light, in-process step recorded on the action that calls it."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._context import current
from ._records import TraceRecord, error_info

F = TypeVar("F", bound=Callable[..., Any])


def trace(func: F) -> F:
    """Record each call of ``func`` inside a run as a step of the calling action: its name,
    inputs, output or error, and timing. Outside a run the function is simply called.

    Traced calls are not actions: they run in the caller's process and cost no
    scheduling, which is why Flyte 2 recommends them for light steps. An async traced
    call's output is checkpointed in the run's store; when a run fails and is run again
    under the same name, calls that completed return their checkpoint instead of running.
    """
    if not callable(func) or isinstance(func, type):
        raise TypeError(f"flyte.trace decorates a function, got {func!r}")
    signature = inspect.signature(func)
    name = getattr(func, "__qualname__", getattr(func, "__name__", repr(func)))

    # The wrappers refer only to module-level helpers, so a traced function pickles (by
    # value, with the task that calls it) into a container.
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def traced_async(*args: Any, **kwargs: Any) -> Any:
            step = _begin(name, signature, args, kwargs)
            if step is None:
                return await func(*args, **kwargs)
            checkpoint = _checkpoint_key(name, step)
            if checkpoint is not None:
                found, output = await checkpoint[0].restore(checkpoint[1])
                if found:  # completed in an earlier attempt of this run: do not run it again
                    step.restored = True
                    _end(step, output)
                    return output
            try:
                output = await func(*args, **kwargs)
            except BaseException as exc:
                _end(step, exc=exc)
                raise
            if checkpoint is not None:
                await checkpoint[0].checkpoint(checkpoint[1], output)
            _end(step, output)
            return output

        return cast(F, traced_async)  # functools.wraps kept func's signature

    @functools.wraps(func)
    def traced(*args: Any, **kwargs: Any) -> Any:
        step = _begin(name, signature, args, kwargs)
        if step is None:
            return func(*args, **kwargs)
        try:
            output = func(*args, **kwargs)
        except BaseException as exc:
            _end(step, exc=exc)
            raise
        _end(step, output)
        return output

    return cast(F, traced)  # functools.wraps kept func's signature


def _begin(name: str, signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    ctx = current.get()
    if ctx is None:
        return None
    try:
        inputs = dict(signature.bind(*args, **kwargs).arguments)
    except TypeError:
        inputs = {"args": args, "kwargs": kwargs}
    step = TraceRecord(name, inputs, time.monotonic())
    ctx.controller.record_trace(ctx.action, step)
    return step


def _end(step: TraceRecord, output: Any = None, exc: BaseException | None = None) -> None:
    step.ended = time.monotonic()
    if exc is None:
        step.output = output
    else:
        step.error = error_info(exc)
    ctx = current.get()
    if ctx is not None:
        ctx.controller.changed()


def _checkpoint_key(name: str, step: TraceRecord) -> tuple[Any, str] | None:
    """Where this call's checkpoint lives: the run's store, keyed by the calling action's
    path, the call's order among this function's calls there, and its inputs."""
    ctx = current.get()
    if ctx is None or ctx.controller.data is None:
        return None
    data = ctx.controller.data
    call = ctx.controller.next_trace_call(ctx.action, name)
    key = data.checkpoint_key(ctx.controller.action_path(ctx.action), name, call, step.inputs)
    return (data, key) if key is not None else None
