"""What a task body may return: a value, never a coroutine it forgot to await.

A task body that ends with ``return other(x)`` (``other`` async, or an async task) hands
back a coroutine object; passed on as the task's value it would surface far away (a
parent doing arithmetic with it, a container failing to pickle it). Each backend checks
the value where the body returns, so the error names the task.
"""

from __future__ import annotations

import types
from typing import Any

from ..errors import TaskDefinitionError

__all__ = ["checked_return"]


def checked_return(task: str, value: Any) -> Any:
    """``value``, unless it is a coroutine: then :class:`TaskDefinitionError` naming ``task``
    and the coroutine (which is closed, so Python does not warn it was never awaited)."""
    if type(value) is not types.CoroutineType:
        return value
    callee = _callee(value)
    value.close()
    raise TaskDefinitionError(
        f"task {task} returned a coroutine ({callee}) instead of a value: did you forget await? "
        f"Write `return await {callee}(...)` in an async task (or call `{callee}` from an async task, since a sync "
        "task cannot await)"
    )


def _callee(coroutine: types.CoroutineType) -> str:
    """The name of what made the coroutine: the task a call of a task submits, else the function."""
    frame = coroutine.cr_frame
    called = frame.f_locals.get("task") if frame is not None else None
    name = getattr(called, "name", None)  # a task call's coroutine (the controller's submit) holds the task
    return name if isinstance(name, str) and coroutine.__qualname__.endswith(".submit") else coroutine.__qualname__
