"""Exceptions across a process boundary: made into a :class:`~flyte_nb.wire._outcome.Failure`
on one side, raised again on the other.

A job's failure travels back in its outcome; a task call's failure in the kernel's answer.
Both ends use these two functions (the kernel's executors and callback server, the
runtime's job and remote controller).
"""

from __future__ import annotations

import traceback

from ..data._codec import dumps, loads
from ..errors import RemoteTaskError
from ..wire._outcome import Failure


def failure(exc: BaseException) -> Failure:
    """An exception as a failure: pickled when it pickles, and always as text."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    blob: bytes | None
    try:
        blob = dumps(exc)
        loads(blob)
    except Exception:
        blob = None
    return Failure(error_type=type(exc).__name__, message=str(exc), traceback=text, error=blob)


def error_of(failure: Failure, where: str) -> BaseException:
    """The exception a failure carries, raised again here: its own type when it unpickles
    (with the traceback from ``where`` as a note), else :class:`RemoteTaskError` (a
    ``RuntimeUserError`` whose ``code`` is the exception's class name, the traceback a note)."""
    if failure.error is not None:
        try:
            exc = loads(failure.error)
        except Exception:
            exc = None
        if isinstance(exc, BaseException):
            if hasattr(exc, "add_note"):
                exc.add_note(f"raised in {where}; its traceback:\n" + failure.traceback)
            # any exception type: its class declares no such attribute
            exc.__flyte_remote_traceback__ = failure.traceback  # type: ignore[attr-defined]
            return exc
    # the SDK's shape: a RuntimeUserError whose code names the exception's class
    error = RemoteTaskError(failure.message, error_type=failure.error_type)
    if hasattr(error, "add_note"):
        error.add_note(
            f"flyte_nb: raised in {where} as {failure.error_type}, which could not travel back as itself; "
            "its traceback:\n" + failure.traceback
        )
    return error
