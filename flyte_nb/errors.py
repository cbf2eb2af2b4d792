"""Errors raised by flyte_nb.

Every error flyte_nb raises on its own account derives from :class:`FlyteNbError`.
Errors raised by *your* task code are never wrapped: a failing child action raises in
its parent as the original exception type, with a note naming the action, its attempt
and the child's traceback text (see :func:`action_failure_of`)::

    FlyteNbError
    ├── ConfigError (ValueError)         bad config file, key or init() argument
    │   └── ImageBuildError              ... an image spec that does not build (failing step, log tail)
    ├── TaskDefinitionError (TypeError)  env.task on something that is not a named function
    ├── TaskCallError (TypeError)        a task called with arguments it does not take, a bad run option
    ├── SerializationError (TypeError)   an argument or return value that must leave the kernel does not pickle
    ├── DataTooLargeError (ValueError)   a value above the hard limit ``max_io_bytes``
    ├── ActionTimeoutError (TimeoutError) an attempt or deadline ran out (per-task ``timeout``)
    ├── ActionLimitError (RuntimeError)  a run tried to start more actions than its limit
    ├── TaskExitError (RuntimeError)     a task's code raised SystemExit (sys.exit(), argparse) or
    │                                    KeyboardInterrupt itself: its action fails, the kernel lives
    ├── RunCancelledError                outputs() of a run that was cancelled
    ├── ContainerError (RuntimeError)    an action's container died: OOM, exit code, its log's tail
    │   └── OOMError                     ... killed for using more memory than its limit
    ├── WorkerLostError (RuntimeError)   a reusable worker container died while running an action
    ├── StoreIntegrityError (RuntimeError) a store entry to unpickle lacks a valid seal: never unpickled
    ├── RemoteTaskError (RuntimeError)   a task failed in a container with an exception that could not
    │                                    travel back as itself (its type name and traceback text)
    ├── HandshakeError (ConnectionError) a container and its kernel could not prove each other the
    │                                    run's secret (a task call from a container then fails)
    └── ClusterOnlyError (NotImplementedError) a Flyte 2 name that needs a Flyte cluster
                                         (flyte.deploy, flyte.serve, flyte.Cron, ...) was used

Warnings: :class:`CacheCorruptWarning` (a cache entry that cannot be read: a miss, the action
runs again), and its subclass :class:`CacheUntrustedWarning` (a cache entry or trace
checkpoint whose seal does not hold: never unpickled, a miss). :class:`RemoteSettingsIgnoredWarning`:
settings for a Flyte cluster (``endpoint``, ``project``, ``mode="remote"``, a config file's
``admin`` section, ...) were given; they are ignored and runs stay local.

A task's ``retries`` apply to its own exceptions, to ``ActionTimeoutError`` and to failures of
the infrastructure (``ContainerError``, ``OOMError``, ``WorkerLostError``, ``RemoteTaskError``);
never to the other errors above (orchestrator/_retry.py decides). ``NonRecoverableError`` is
for user code: raise it (or a subclass) in a task to fail the action at once, without spending
the remaining retries.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ActionFailure",
    "ActionLimitError",
    "ActionTimeoutError",
    "CacheCorruptWarning",
    "CacheUntrustedWarning",
    "ClusterOnlyError",
    "ConfigError",
    "ContainerError",
    "DataTooLargeError",
    "FlyteNbError",
    "HandshakeError",
    "ImageBuildError",
    "NonRecoverableError",
    "OOMError",
    "RemoteSettingsIgnoredWarning",
    "RemoteTaskError",
    "RunCancelledError",
    "SerializationError",
    "StoreIntegrityError",
    "TaskCallError",
    "TaskDefinitionError",
    "TaskExitError",
    "WorkerLostError",
    "action_failure_of",
]


class FlyteNbError(Exception):
    """Base of every error flyte_nb raises on its own account."""


class ConfigError(FlyteNbError, ValueError):
    """A configuration file, key or ``init()`` argument is wrong."""


class ImageBuildError(ConfigError):
    """Building an image spec failed; the message holds the failing step and the build log's tail."""


class TaskDefinitionError(FlyteNbError, TypeError):
    """``env.task`` was applied to something that cannot be a task."""


class TaskCallError(FlyteNbError, TypeError):
    """A task was called (or run, or mapped) with arguments it does not accept."""


class SerializationError(FlyteNbError, TypeError):
    """A task's argument or return value must be pickled (to reach a container or a Dask
    worker, or to come back from one) and cannot be.

    Attributes: ``task`` (its name, when known) and ``what`` (``"input 'x'"``, ``"return
    value"``, ``"function"``). Not retried: the same value fails the same way every time.
    """

    def __init__(self, message: str, *, task: str = "", what: str = ""):
        super().__init__(message)
        self.task = task
        self.what = what

    def __reduce__(self) -> tuple[object, ...]:  # keeps its fields on the way back from a container
        return (_serialization_error, (str(self), self.task, self.what))


def _serialization_error(message: str, task: str, what: str) -> SerializationError:
    return SerializationError(message, task=task, what=what)


class DataTooLargeError(FlyteNbError, ValueError):
    """A value is larger than the hard limit the user set (``limits.max_io_bytes``)."""


class ActionTimeoutError(FlyteNbError, TimeoutError):
    """An action ran past its ``timeout``.

    Attributes: ``action`` (display name), ``attempt`` (1-based), ``seconds`` (the limit).
    """

    def __init__(self, message: str, *, action: str = "", attempt: int = 0, seconds: float = 0.0):
        super().__init__(message)
        self.action = action
        self.attempt = attempt
        self.seconds = seconds


class ActionLimitError(FlyteNbError, RuntimeError):
    """A run tried to start more actions than its limit (50,000 by default)."""

    def __init__(self, message: str, *, limit: int = 0):
        super().__init__(message)
        self.limit = limit


class TaskExitError(FlyteNbError, RuntimeError):
    """A task's code raised ``SystemExit`` (``sys.exit()``, an argparse error) or
    ``KeyboardInterrupt`` itself, instead of returning or raising an exception.

    Either would end the Jupyter kernel (or the script) if it left the task; flyte_nb fails the
    action with this error instead, never retried. A real interrupt of the kernel (Ctrl-C, the
    stop button) is not this: it cancels the run. Attributes: ``task`` (its name), ``code``
    (``SystemExit.code``, e.g. 2 for an argparse error; None for ``KeyboardInterrupt``) and
    ``raised`` (``"SystemExit"`` or ``"KeyboardInterrupt"``).
    """

    def __init__(self, message: str, *, task: str = "", code: object = None, raised: str = "SystemExit"):
        super().__init__(message)
        self.task = task
        self.code = code
        self.raised = raised

    def __reduce__(self) -> tuple[object, ...]:
        return (_task_exit_error, (str(self), self.task, self.code, self.raised))


def _task_exit_error(message: str, task: str, code: object, raised: str) -> TaskExitError:
    return TaskExitError(message, task=task, code=code, raised=raised)


class RunCancelledError(FlyteNbError):
    """The run was cancelled, so it has no outputs."""


class ContainerError(FlyteNbError, RuntimeError):
    """An action's container ended without an outcome: killed, out of memory, crashed.

    Attributes: ``exit_code``, ``oom_killed``, ``logs`` (the container's whole log).
    """

    def __init__(self, message: str, *, exit_code: int | None = None, oom_killed: bool = False, logs: str = ""):
        super().__init__(message)
        self.exit_code = exit_code
        self.oom_killed = oom_killed
        self.logs = logs

    def __reduce__(self) -> tuple[object, ...]:  # keeps its attributes on the way to a container
        return (_container_error, (str(self), self.exit_code, self.oom_killed, self.logs))


def _container_error(message: str, exit_code: int | None, oom_killed: bool, logs: str) -> ContainerError:
    return ContainerError(message, exit_code=exit_code, oom_killed=oom_killed, logs=logs)


class OOMError(ContainerError):
    """An action's container was killed for using more memory than its limit.

    Like any failure of the infrastructure it is retried per the task's ``retries``; once they
    are spent the parent gets it (``except flyte.errors.OOMError:``) and can call a task of an
    environment with more memory (``TaskEnvironment(..., resources=flyte.Resources(memory="2Gi"))``).
    """

    code = "OOMKilled"

    def __reduce__(self) -> tuple[object, ...]:
        return (_oom_error, (str(self), self.exit_code, self.logs))


def _oom_error(message: str, exit_code: int | None, logs: str) -> OOMError:
    return OOMError(message, exit_code=exit_code, oom_killed=True, logs=logs)


class WorkerLostError(FlyteNbError, RuntimeError):
    """The reusable worker container running an action died (killed, out of memory, crashed)."""


class StoreIntegrityError(FlyteNbError, RuntimeError):
    """A store entry that would be unpickled (a result, an offloaded value, a job) carries no
    valid seal of this user's store key, so it was not unpickled: someone else wrote it.

    Attribute: ``key`` (the entry's store key).
    """

    def __init__(self, message: str, *, key: str = ""):
        super().__init__(message)
        self.key = key

    def __reduce__(self) -> tuple[object, ...]:  # keeps its key on the way back from a container
        return (_store_integrity_error, (str(self), self.key))


def _store_integrity_error(message: str, key: str) -> StoreIntegrityError:
    return StoreIntegrityError(message, key=key)


class CacheCorruptWarning(UserWarning):
    """A cache entry could not be read; the action runs again and rewrites it."""


class CacheUntrustedWarning(CacheCorruptWarning):
    """A cache entry or trace checkpoint lacks a valid seal: it was not unpickled, the action
    (or traced call) runs again and its new output replaces it."""


class RemoteTaskError(FlyteNbError, RuntimeError):
    """A task failed in its container with an exception that could not travel back as itself.

    Attributes: ``error_type``, the name of the exception's type. It is retried per the task's
    ``retries`` like the exception itself would have been.
    """

    def __init__(self, message: str, *, error_type: str = ""):
        super().__init__(message)
        self.error_type = error_type

    def __reduce__(self) -> tuple[object, ...]:
        return (_remote_task_error, (str(self), self.error_type))


def _remote_task_error(message: str, error_type: str) -> RemoteTaskError:
    return RemoteTaskError(message, error_type=error_type)


class HandshakeError(FlyteNbError, ConnectionError):
    """The other end of a socket between the kernel and a container (or worker) did not prove
    that it holds the secret the kernel made for the run (or worker): nothing it sent was read.
    """


class ClusterOnlyError(FlyteNbError, NotImplementedError):
    """A Flyte 2 name that only works against a Flyte cluster (``flyte.deploy``, ``flyte.Cron``,
    ...) was called or instantiated: flyte_nb runs Flyte 2 code locally."""


class RemoteSettingsIgnoredWarning(UserWarning):
    """Settings for a Flyte cluster were given (``endpoint``, ``project``, ``mode="remote"``, a
    config file's ``admin`` section, ...): flyte_nb ignores them and runs locally."""


class NonRecoverableError(Exception):
    """Raise this from task code to fail an action without retrying it."""


@dataclass(frozen=True, slots=True)
class ActionFailure:
    """What flyte_nb knows about the action an exception came out of."""

    action: str
    action_id: int
    attempt: int
    attempts: int
    traceback: str


def action_failure_of(exc: BaseException) -> ActionFailure | None:
    """The innermost action failure an exception raised by a child action carries, if any."""
    return getattr(exc, "__flyte_action__", None)
