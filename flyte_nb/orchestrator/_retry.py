"""Which failures an action's ``retries`` apply to: the one place that decides.

A task's retry policy covers everything that can go differently on another try: an
exception raised by its code, a timed-out attempt, and failures of the infrastructure
under it (a container killed for its memory or by ``docker kill``, a non-zero exit, a
reusable worker or Dask worker that died). It never covers what would fail the same way
again or what the user asked to stop: bad config, bad arguments, data over the size
limit, the run's action limit, an exit the task's code asked for, and
``NonRecoverableError``.
"""

from __future__ import annotations

from ..errors import (
    ContainerError,
    DeadlineExceededError,
    FlyteNbError,
    NonRecoverableError,
    RemoteTaskError,
    TaskTimeoutError,
    WorkerLostError,
)

#: flyte_nb's own errors that say "try again may work": the attempt ran out of time, or the
#: machinery under it failed (OOMError is a ContainerError)
RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (
    TaskTimeoutError,
    ContainerError,
    WorkerLostError,
    RemoteTaskError,
)

#: type names that, in a RemoteTaskError (an exception that could not travel back as
#: itself), still mean "never retry"
_FINAL_REMOTE_TYPES = frozenset(
    {"NonRecoverableError", "ConfigError", "TaskCallError", "TaskDefinitionError", "DataTooLargeError"}
)


def is_retryable(exc: BaseException) -> bool:
    """True when another attempt of the action may succeed where this one failed with ``exc``.

    The user's own exceptions are retried (as in Flyte), flyte_nb's are not, except those in
    :data:`RETRYABLE_ERRORS`; ``NonRecoverableError`` (and its subclasses) never is.
    """
    if isinstance(exc, NonRecoverableError):
        return False
    if isinstance(exc, RemoteTaskError):
        return getattr(exc, "error_type", "") not in _FINAL_REMOTE_TYPES
    if isinstance(exc, RETRYABLE_ERRORS):
        return True
    return not isinstance(exc, FlyteNbError)


def backoff_past_deadline(
    name: str,
    action_id: int,
    attempt: int,
    delay: float,
    deadline: float | None,
    limit: float | None,
    now: float,
    last: BaseException,
) -> DeadlineExceededError | None:
    """The timeout to fail with when waiting ``delay`` seconds before attempt ``attempt``
    would reach the action's ``deadline`` (monotonic): no attempt ever starts after it, and
    waiting for a backoff that ends past it would only delay the same verdict. None when
    the next attempt can start in time."""
    if deadline is None or limit is None or now + delay < deadline:
        return None
    error = DeadlineExceededError(
        f"action {name} #{action_id} reached its deadline of {limit:g} s before attempt {attempt} "
        f"could start (its backoff of {delay:g} s ends after the deadline); "
        f"the last attempt failed with {type(last).__name__}: {last}. "
        "Give the task a later Timeout(deadline=...) or a shorter backoff",
        action=name,
        attempt=attempt - 1,
        seconds=limit,
    )
    error.__cause__ = last
    return error
