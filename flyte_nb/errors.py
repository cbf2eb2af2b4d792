"""Errors raised by flyte_nb: the Flyte 2 SDK's ``flyte.errors``, name by name, and flyte_nb's own.

A failed task raises in its parent (``await child()``), in ``flyte.map(...,
return_exceptions=True)``'s results and from its run what the SDK raises: a
:class:`RuntimeUserError` whose ``.code`` is the name of the exception's class (``"ValueError"``),
``.kind`` ``"user"``, ``.worker`` ``"user"`` and ``str(e)`` the exception's message. Unlike the
SDK, it is also still an instance of the exception's own class, so both work::

    try:
        await child()
    except ValueError as e:                     # flyte_nb: e is a ValueError
        ...
    except flyte.errors.RuntimeUserError as e:  # the SDK's way: e.code == "ValueError"
        ...

The exception is a copy of the original (its ``args``, attributes, notes, cause and traceback;
its own ``__init__`` is not called again) of a class made once per original class, named like
it, so tracebacks read ``ValueError: bad 3``. A note names the action it came from, and
:func:`action_failure_of` returns its action, attempt and the child's traceback text. Errors that
already are a :class:`BaseRuntimeError` (``CustomError("MyCode", "msg")``, ``NonRecoverableError``,
``OOMError``, the timeouts) pass as they are. An exception that cannot also be a
``RuntimeUserError`` (its own ``.code``, ``.kind`` or ``.worker`` attribute would be overwritten,
as for ``TaskExitError`` or ``urllib.error.HTTPError``, or its class cannot be combined) is
raised as it is, with a note saying so. The SDK's tree (every class takes the SDK's arguments)::

    RuntimeError
    ├── BaseRuntimeError(code, kind, root_cause_message, worker=None)   .code .kind .worker;
    │   │                          arithmetic on one (sum of flyte.map results) raises it
    │   ├── InitializationError
    │   ├── RuntimeSystemError(code, message, worker=None)              kind "system"
    │   │   ├── UnionRpcError
    │   │   └── GPUFaultSystemError (also a GPUFaultError)
    │   ├── RuntimeUnknownError(code, message, worker=None)             kind "unknown"
    │   ├── LogsNotYetAvailableError(message)
    │   ├── GPUFaultError(code, kind, message, worker=None, *, fault_kind, fault_code, ...)
    │   └── RuntimeUserError(code, message, worker=None)                kind "user"
    │       ├── TaskTimeoutError(message, code="TaskTimeoutError")  also TimeoutError, FlyteNbError
    │       │   ├── MaxRuntimeExceededError(message)     an attempt ran past Timeout(max_runtime=...)
    │       │   ├── DeadlineExceededError(message)       the action ran past Timeout(deadline=...)
    │       │   └── MaxQueuedTimeExceededError(message)  it waited past Timeout(max_queued_time=...)
    │       │                                            for a slot of max_action_concurrency
    │       ├── OOMError(code, message, worker=None)     also ContainerError: a container killed
    │       │                                            for its memory (.exit_code .oom_killed .logs)
    │       ├── NonRecoverableError(message, code="NonRecoverableError")  raise it: no more retries
    │       ├── CustomError(code, message), CustomError.from_exception(e)
    │       ├── ImageBuildError(message)                 also ConfigError: an image that does not build
    │       ├── InlineIOMaxBytesBreached(message)
    │       │   └── DataTooLargeError                    a value above limits.max_io_bytes
    │       ├── RemoteTaskError(message, *, error_type)  a task failed in a container or on Dask
    │       │                                            with an exception that could not travel
    │       │                                            back as itself: .code is its class name
    │       ├── GPUFaultUserError, TaskInterruptedError, PrimaryContainerNotFoundError,
    │       │   RetriesExhaustedError, InvalidImageNameError, ImagePullBackOffError,
    │       │   NotInTaskContextError                    (code, message, worker=None)
    │       ├── SlowDownError └── ResourceExhaustedError
    │       ├── ActionAbortedError, CodeBundleError, ConditionAlreadyExistsError,
    │       │   ConditionFailedError, ConditionNotFoundError, ConditionTimedoutError,
    │       │   DeploymentError, ModuleLoadError, OnlyAsyncIOSupportedError,
    │       │   ParameterMaterializationError, RemoteTaskNotFoundError, RemoteTaskUsageError,
    │       │   RestrictedTypeError, SyncTaskCallInAsyncContextError,
    │       │   TraceDoesNotAllowNestedTasksError (message)
    │       ├── RuntimeDataValidationError(var, e, task_name=""), InvalidPackageError(package_name, original_error)
    │       └── AppleSiliconError(message, worker=None) └── AppleSilicon{NotAvailable,HostExecFailed,
    │                                   DaemonStartFailed,DaemonOOM,ModelNotFound,BridgeUnreachable}Error
    └── ActionNotFoundError
    ErrorKind, GPU_FAULT_CODES, APPLE_SILICON_ERRORS_BY_CODE, silence_polling_error(loop, context)

``ActionTimeoutError`` is the older name of ``TaskTimeoutError``; every timeout is also a
``TimeoutError`` and carries ``action`` (display name), ``attempt`` (1-based) and ``seconds``
(the limit). The SDK does not enforce timeouts in its local mode; flyte_nb does.

Every error flyte_nb raises on its own account derives from :class:`FlyteNbError`::

    FlyteNbError
    ├── ConfigError (ValueError)         bad config file, key or init() argument
    │   ├── ImageBuildError              ... an image spec that does not build (failing step, log tail)
    │   └── SecretNotFoundError          ... a secret a task asks for is in neither the environment nor a secrets file
    ├── TaskDefinitionError (TypeError)  env.task on something that is not a named function
    ├── TaskCallError (TypeError)        a task called with arguments it does not take, a bad run option
    ├── SerializationError (TypeError)   an argument or return value that must leave the kernel does not pickle
    ├── DataTooLargeError (ValueError)   a value above the hard limit ``max_io_bytes``
    ├── TaskTimeoutError (TimeoutError)  an attempt or deadline ran out (per-task ``timeout``), its
    │                                    three kinds above; ``ActionTimeoutError`` is its old name
    ├── ActionLimitError (RuntimeError)  a run tried to start more actions than its limit
    ├── TaskExitError (RuntimeError)     a task's code raised SystemExit (sys.exit(), argparse) or
    │                                    KeyboardInterrupt itself: its action fails, the kernel lives
    │                                    (``.code`` is the exit code, so it stays a TaskExitError only)
    ├── RunCancelledError (ActionAbortedError) a cancelled (aborted) run's wait(), outputs(), await
    ├── ContainerError (RuntimeError)    an action's container died: OOM, exit code, its log's tail
    │   └── OOMError                     ... killed for using more memory than its limit
    ├── WorkerLostError (RuntimeError)   a reusable worker container died while running an action
    ├── StoreIntegrityError (RuntimeError) a store entry to unpickle lacks a valid seal: never unpickled
    ├── RunNotFoundError (LookupError)   flyte.remote.Run.get(name) found no record of that run in the store
    ├── RemoteTaskError (RuntimeUserError) a task failed in a container with an exception that could not
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
:class:`AcceleratorNotEnforcedWarning`: a task asking for a GPU (or another accelerator) runs
in-process, where none is visible; it runs without one.

A task's ``retries`` apply to its own exceptions, to timeouts and to failures of the
infrastructure (``ContainerError``, ``OOMError``, ``WorkerLostError``, ``RemoteTaskError``);
never to the other errors above (orchestrator/_retry.py decides). ``NonRecoverableError`` is
for user code: raise it (or a subclass) in a task to fail the action at once, without spending
the remaining retries.
"""

from __future__ import annotations

import asyncio
import threading
import types
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "APPLE_SILICON_ERRORS_BY_CODE",
    "GPU_FAULT_CODES",
    "AcceleratorNotEnforcedWarning",
    "ActionAbortedError",
    "ActionFailure",
    "ActionLimitError",
    "ActionNotFoundError",
    "ActionTimeoutError",
    "AppleSiliconBridgeUnreachableError",
    "AppleSiliconDaemonOOMError",
    "AppleSiliconDaemonStartFailedError",
    "AppleSiliconError",
    "AppleSiliconHostExecFailedError",
    "AppleSiliconModelNotFoundError",
    "AppleSiliconNotAvailableError",
    "BaseRuntimeError",
    "CacheCorruptWarning",
    "CacheUntrustedWarning",
    "ClusterOnlyError",
    "CodeBundleError",
    "ConditionAlreadyExistsError",
    "ConditionFailedError",
    "ConditionNotFoundError",
    "ConditionTimedoutError",
    "ConfigError",
    "ContainerError",
    "CustomError",
    "DataTooLargeError",
    "DeadlineExceededError",
    "DeploymentError",
    "ErrorKind",
    "FlyteNbError",
    "GPUFaultError",
    "GPUFaultSystemError",
    "GPUFaultUserError",
    "HandshakeError",
    "ImageBuildError",
    "ImagePullBackOffError",
    "InitializationError",
    "InlineIOMaxBytesBreached",
    "InvalidImageNameError",
    "InvalidPackageError",
    "LogsNotYetAvailableError",
    "MaxQueuedTimeExceededError",
    "MaxRuntimeExceededError",
    "ModuleLoadError",
    "NonRecoverableError",
    "NotInTaskContextError",
    "OOMError",
    "OnlyAsyncIOSupportedError",
    "ParameterMaterializationError",
    "PrimaryContainerNotFoundError",
    "RemoteSettingsIgnoredWarning",
    "RemoteTaskError",
    "RemoteTaskNotFoundError",
    "RemoteTaskUsageError",
    "ResourceExhaustedError",
    "RestrictedTypeError",
    "RetriesExhaustedError",
    "RunCancelledError",
    "RunNotFoundError",
    "RuntimeDataValidationError",
    "RuntimeSystemError",
    "RuntimeUnknownError",
    "RuntimeUserError",
    "SecretNotFoundError",
    "SerializationError",
    "SlowDownError",
    "StoreIntegrityError",
    "SyncTaskCallInAsyncContextError",
    "TaskCallError",
    "TaskDefinitionError",
    "TaskExitError",
    "TaskInterruptedError",
    "TaskTimeoutError",
    "TraceDoesNotAllowNestedTasksError",
    "UnionRpcError",
    "WorkerLostError",
    "action_failure_of",
    "silence_polling_error",
]

ErrorKind = Literal["system", "unknown", "user"]


class FlyteNbError(Exception):
    """Base of every error flyte_nb raises on its own account."""


# ---------------------------------------------------------------------------- the SDK's tree


def silence_polling_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """An event loop exception handler that drops ``BlockingIOError`` and hands the rest on."""
    if isinstance(context.get("exception"), BlockingIOError):
        return
    loop.default_exception_handler(context)


class BaseRuntimeError(RuntimeError):
    """Base of the errors a failed task raises: ``.code`` (for a task's own exception, its
    class name), ``.kind`` (``"user"``, ``"system"`` or ``"unknown"``) and ``.worker``;
    ``str(e)`` is the message.

    Arithmetic on one raises it: ``sum(flyte.map(task, xs, return_exceptions=True))`` surfaces
    the failed item's error instead of a ``TypeError``.
    """

    code: str
    kind: ErrorKind
    worker: str | None

    def __init__(self, code: str, kind: ErrorKind, root_cause_message: str, worker: str | None = None):
        super().__init__(root_cause_message)
        self.code = code
        self.kind = kind
        self.worker = worker

    def _reraise(self, *_args: object) -> Any:
        raise self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _reraise
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _reraise

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt without calling __init__ again: the subclasses take other arguments than args
        return (_rebuild, (type(self), self.args, _state_of(self)))


class InitializationError(BaseRuntimeError):
    """Something that needs a Flyte client was used before one was initialized."""


class RuntimeSystemError(BaseRuntimeError):
    """A task failed because of the system under it (``kind="system"``)."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "system", message, worker)


class UnionRpcError(RuntimeSystemError):
    """A call to the Union/Flyte server failed."""


class RuntimeUserError(BaseRuntimeError):
    """A task failed because of its code (``kind="user"``): what a failed child raises in its
    parent, with ``.code`` its exception's class name (flyte_nb: and still of that class)."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "user", message, worker)


class RuntimeUnknownError(BaseRuntimeError):
    """A task failed for a reason nobody could tell (``kind="unknown"``)."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "unknown", message, worker)


GPU_FAULT_CODES: tuple[str, ...] = (
    "GpuXidError",
    "GpuFallenOffBus",
    "GpuEccUncorrectable",
    "GpuRowRemapPending",
    "GpuNvlinkError",
    "GpuGspError",
)
"""The codes a Flyte backend gives a failure it attributes to a GPU or NVSwitch fault."""


class GPUFaultError(BaseRuntimeError):
    """A Flyte cluster attributed the failure to a GPU or NVSwitch fault (never raised locally).

    Fault attributes (each may be None): ``fault_kind`` (``"xid"``/``"sxid"``), ``fault_code``,
    ``fault_name``, ``severity``, ``gpu_uuid``, ``gpu_index``, ``node``, ``pci_bus_id``,
    ``process``; ``xid`` and ``sxid`` read ``fault_code`` by its kind.
    """

    def __init__(
        self,
        code: str,
        kind: ErrorKind,
        message: str,
        worker: str | None = None,
        *,
        fault_kind: str | None = None,
        fault_code: int | None = None,
        fault_name: str | None = None,
        severity: str | None = None,
        gpu_uuid: str | None = None,
        gpu_index: int | None = None,
        node: str | None = None,
        pci_bus_id: str | None = None,
        process: str | None = None,
    ):
        # named, not super(): the concrete errors mix this class with RuntimeUserError or
        # RuntimeSystemError, whose initializers fix the kind
        BaseRuntimeError.__init__(self, code, kind, message, worker)
        self.fault_kind = fault_kind
        self.fault_code = fault_code
        self.fault_name = fault_name
        self.severity = severity
        self.gpu_uuid = gpu_uuid
        self.gpu_index = gpu_index
        self.node = node
        self.pci_bus_id = pci_bus_id
        self.process = process

    @property
    def xid(self) -> int | None:
        """The NVIDIA Xid number of the fault (None for an NVSwitch SXid or an unknown number)."""
        return self.fault_code if self.fault_kind == "xid" else None

    @property
    def sxid(self) -> int | None:
        """The NVSwitch SXid number of the fault (None for a GPU Xid or an unknown number)."""
        return self.fault_code if self.fault_kind == "sxid" else None


class GPUFaultUserError(GPUFaultError, RuntimeUserError):
    """A GPU fault the workload caused (e.g. Xid 31), charged to the task's retries."""

    def __init__(self, code: str, message: str, worker: str | None = None, **fault: Any):
        GPUFaultError.__init__(self, code, "user", message, worker, **fault)


class GPUFaultSystemError(GPUFaultError, RuntimeSystemError):
    """A GPU fault of the hardware (e.g. an uncorrectable ECC error), retried by the platform."""

    def __init__(self, code: str, message: str, worker: str | None = None, **fault: Any):
        GPUFaultError.__init__(self, code, "system", message, worker, **fault)


class TaskInterruptedError(RuntimeUserError):
    """A task's execution was interrupted."""


class PrimaryContainerNotFoundError(RuntimeUserError):
    """A task's primary container was not found."""


class TaskTimeoutError(RuntimeUserError, FlyteNbError, TimeoutError):
    """A task ran past one of its ``flyte.Timeout`` bounds; the subclasses say which.

    flyte_nb enforces timeouts (the SDK's local mode does not). Also a ``TimeoutError``; its
    older flyte_nb name is ``ActionTimeoutError``. Attributes: ``action`` (display name),
    ``attempt`` (1-based; 0 when no attempt started) and ``seconds`` (the limit).
    """

    def __init__(
        self,
        message: str,
        code: str = "TaskTimeoutError",
        *,
        action: str = "",
        attempt: int = 0,
        seconds: float = 0.0,
    ):
        super().__init__(code, message, "user")
        self.action = action
        self.attempt = attempt
        self.seconds = seconds


#: the older flyte_nb name of TaskTimeoutError (``except ActionTimeoutError`` catches every timeout)
ActionTimeoutError = TaskTimeoutError


class MaxQueuedTimeExceededError(TaskTimeoutError):
    """A task waited longer than ``Timeout(max_queued_time=...)`` before it started (flyte_nb:
    for a slot of the run's ``max_action_concurrency``)."""

    def __init__(self, message: str, *, action: str = "", attempt: int = 0, seconds: float = 0.0):
        super().__init__(message, "MaxQueuedTimeExceededError", action=action, attempt=attempt, seconds=seconds)


class MaxRuntimeExceededError(TaskTimeoutError):
    """An attempt of a task ran longer than ``Timeout(max_runtime=...)`` (or ``timeout=``)."""

    def __init__(self, message: str, *, action: str = "", attempt: int = 0, seconds: float = 0.0):
        super().__init__(message, "MaxRuntimeExceededError", action=action, attempt=attempt, seconds=seconds)


class DeadlineExceededError(TaskTimeoutError):
    """A task did not finish within ``Timeout(deadline=...)``, across all its attempts."""

    def __init__(self, message: str, *, action: str = "", attempt: int = 0, seconds: float = 0.0):
        super().__init__(message, "DeadlineExceededError", action=action, attempt=attempt, seconds=seconds)


class ConditionTimedoutError(RuntimeUserError):
    """A condition was not signaled within its timeout."""

    def __init__(self, message: str):
        super().__init__("ConditionTimedoutError", message, "user")


class RetriesExhaustedError(RuntimeUserError):
    """A task failed on every attempt its retries allow."""


class InvalidImageNameError(RuntimeUserError):
    """An image name is invalid."""


class ImagePullBackOffError(RuntimeUserError):
    """An image could not be pulled."""


class CustomError(RuntimeUserError):
    """An error with a code of the user's choosing: ``raise CustomError("MyCode", "message")``."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message, "user")

    @classmethod
    def from_exception(cls, e: Exception) -> CustomError:
        """A CustomError with ``e``'s class name as its code and ``e``'s message, caused by ``e``."""
        new_exc = cls(e.__class__.__name__, str(e))
        new_exc.__cause__ = e
        return new_exc


class NotInTaskContextError(RuntimeUserError):
    """The task context was used outside a task."""


class ActionNotFoundError(RuntimeError):
    """An action that does not exist was asked for."""


class RemoteTaskNotFoundError(RuntimeUserError):
    """A remote task that does not exist was asked for."""

    CODE = "RemoteTaskNotFoundError"

    def __init__(self, message: str):
        super().__init__(self.CODE, message, "user")


class RemoteTaskUsageError(RuntimeUserError):
    """A remote task was used in a way it cannot be."""

    CODE = "RemoteTaskUsageError"

    def __init__(self, message: str):
        super().__init__(self.CODE, message, "user")


class LogsNotYetAvailableError(BaseRuntimeError):
    """A task's logs are not available yet."""

    def __init__(self, message: str):
        super().__init__("LogsNotYetAvailable", "system", message, None)


class RuntimeDataValidationError(RuntimeUserError):
    """A task's input or output could not be serialized or deserialized."""

    def __init__(self, var: str, e: Exception | str, task_name: str = ""):
        super().__init__(
            "DataValidationError", f"In task {task_name} variable {var}, failed to serialize/deserialize because of {e}"
        )


class DeploymentError(RuntimeUserError):
    """A deployment failed or its preconditions were not met."""

    def __init__(self, message: str):
        super().__init__("DeploymentError", message, "user")


class ConfigError(FlyteNbError, ValueError):
    """A configuration file, key or ``init()`` argument is wrong."""


class ImageBuildError(RuntimeUserError, ConfigError):
    """Building an image failed; the message holds the failing step and the build log's tail.

    The SDK's ``ImageBuildError`` (a ``RuntimeUserError``, code ``"ImageBuildError"``) and a
    flyte_nb ``ConfigError`` (so a ``ValueError``): the spec must change before it builds.
    """

    def __init__(self, message: str):
        super().__init__("ImageBuildError", message, "user")


class ModuleLoadError(RuntimeUserError):
    """A module could not be loaded (missing, or a syntax error)."""

    def __init__(self, message: str):
        super().__init__("ModuleLoadError", message, "user")


class InlineIOMaxBytesBreached(RuntimeUserError):  # noqa: N818 - the SDK's name
    """A value is above the limit for values passed inline."""

    def __init__(self, message: str):
        super().__init__("InlineIOMaxBytesBreached", message, "user")


class ActionAbortedError(RuntimeUserError):
    """An action was aborted from outside; its parent raises this."""

    def __init__(self, message: str):
        super().__init__("ActionAbortedError", message, "user")


class SlowDownError(RuntimeUserError):
    """The server asked its client to slow down."""

    def __init__(self, message: str):
        super().__init__("SlowDownError", message, "user")


class ResourceExhaustedError(SlowDownError):
    """The server ran out of a resource for this client."""


class OnlyAsyncIOSupportedError(RuntimeUserError):
    """Sync IO was used where only async IO works."""

    def __init__(self, message: str):
        super().__init__("OnlyAsyncIOSupportedError", message, "user")


class ParameterMaterializationError(RuntimeUserError):
    """An app parameter with delayed materialization failed to materialize."""

    def __init__(self, message: str):
        super().__init__("ParameterMaterializationError", message, "user")


class RestrictedTypeError(RuntimeUserError):
    """A type that is not supported there was used (code ``"RestrictedTypeUsage"``)."""

    def __init__(self, message: str):
        super().__init__("RestrictedTypeUsage", message, "user")


class CodeBundleError(RuntimeUserError):
    """A code bundle could not be made (e.g. no files to bundle)."""

    def __init__(self, message: str):
        super().__init__("CodeBundleError", message, "user")


class SyncTaskCallInAsyncContextError(RuntimeUserError):
    """A sync task was called in a blocking way from async code; ``await task.aio(...)`` instead."""

    def __init__(self, message: str):
        super().__init__("SyncTaskCallInAsyncContextError", message, "user")


class TraceDoesNotAllowNestedTasksError(RuntimeUserError):
    """A task was called inside a traced function; tasks nest under tasks, not traces."""

    def __init__(self, message: str):
        super().__init__("TraceDoesNotAllowNestedTasksError", message)


class InvalidPackageError(RuntimeUserError):
    """A system package of an image does not exist in the apt repositories."""

    def __init__(self, package_name: str, original_error: str):
        self.package_name = package_name
        self.original_error = original_error
        super().__init__(
            "InvalidPackageError",
            f"Invalid system package detected: '{package_name}'. "
            f"This package does not exist in apt repositories. "
            f"Error: {original_error}",
        )


class NonRecoverableError(RuntimeUserError):
    """Raise this (or a subclass) from task code to fail the action at once: its remaining
    retries are not spent. Its parent gets it as it is (code ``"NonRecoverableError"``)."""

    def __init__(self, message: str, code: str = "NonRecoverableError"):
        super().__init__(code, message)


class ConditionAlreadyExistsError(RuntimeUserError):
    """A condition of that name already exists within the action."""

    def __init__(self, message: str):
        super().__init__("ConditionAlreadyExistsError", message, "user")


class ConditionFailedError(RuntimeUserError):
    """A condition failed."""

    def __init__(self, message: str):
        super().__init__("ConditionFailedError", message, "user")


class ConditionNotFoundError(RuntimeUserError):
    """A condition that does not exist was asked for."""

    def __init__(self, message: str):
        super().__init__("ConditionNotFoundError", message, "user")


class AppleSiliconError(RuntimeUserError):
    """Base of the errors of the devbox-local Apple Silicon accelerator (``gpu="AppleSilicon"``);
    ``code_name`` is its code, ``recoverable`` whether retrying can help."""

    code_name = "APPLE_SILICON_ERROR"
    recoverable = True

    def __init__(self, message: str, worker: str | None = None):
        super().__init__(self.code_name, message, worker)


class AppleSiliconNotAvailableError(AppleSiliconError):
    """``gpu="AppleSilicon"`` was asked for anywhere but a devbox on an Apple Silicon Mac."""

    code_name = "APPLE_SILICON_NOT_AVAILABLE"
    recoverable = False


class AppleSiliconHostExecFailedError(AppleSiliconError):
    """An Apple Silicon workload could not run on the Mac."""

    code_name = "APPLE_SILICON_HOST_EXEC_FAILED"
    recoverable = False


class AppleSiliconDaemonStartFailedError(AppleSiliconError):
    """The host-side MLX daemon of an Apple Silicon workload did not start."""

    code_name = "APPLE_SILICON_DAEMON_START_FAILED"
    recoverable = False


class AppleSiliconDaemonOOMError(AppleSiliconError):
    """The host process of an Apple Silicon workload ran out of memory."""

    code_name = "APPLE_SILICON_DAEMON_OOM"


class AppleSiliconModelNotFoundError(AppleSiliconError):
    """The model an Apple Silicon workload asked the MLX daemon for could not be loaded."""

    code_name = "APPLE_SILICON_MODEL_NOT_FOUND"
    recoverable = False


class AppleSiliconBridgeUnreachableError(AppleSiliconError):
    """A container could not reach the devbox's host-side Apple Silicon bridge."""

    code_name = "APPLE_SILICON_BRIDGE_UNREACHABLE"


APPLE_SILICON_ERRORS_BY_CODE: dict[str, type[AppleSiliconError]] = {
    cls.code_name: cls
    for cls in (
        AppleSiliconNotAvailableError,
        AppleSiliconHostExecFailedError,
        AppleSiliconDaemonStartFailedError,
        AppleSiliconDaemonOOMError,
        AppleSiliconModelNotFoundError,
        AppleSiliconBridgeUnreachableError,
    )
}
"""The codes of the Apple Silicon accelerator's errors, each with its error class."""


# ---------------------------------------------------------------------------- flyte_nb's own


class SecretNotFoundError(ConfigError):
    """A secret a task asks for (``secrets=``) is set nowhere flyte_nb looks; the message names
    it, the environment variable and the secrets file that would provide it (never a value)."""


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


class DataTooLargeError(InlineIOMaxBytesBreached, FlyteNbError, ValueError):
    """A value is larger than the hard limit the user set (``limits.max_io_bytes``); the SDK's
    ``InlineIOMaxBytesBreached`` too."""


class RunNotFoundError(FlyteNbError, LookupError):
    """``flyte.remote.Run.get(name)`` found no ended run of that name in the store it searched
    (the message names both)."""


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
    ``raised`` (``"SystemExit"`` or ``"KeyboardInterrupt"``). Its ``code`` is the exit code, so
    it reaches a parent as a ``TaskExitError`` only, not also as a ``RuntimeUserError``.
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


class RunCancelledError(FlyteNbError, ActionAbortedError):
    """The run was cancelled (``run.abort()``, ``run.cancel()``, an interrupt), so it has no
    outputs; also the SDK's :class:`ActionAbortedError` (``.code == "ActionAbortedError"``)."""


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


class OOMError(RuntimeUserError, ContainerError):
    """An action's container was killed for using more memory than its limit.

    The SDK's ``OOMError(code, message, worker=None)`` (flyte_nb's code: ``"OOMKilled"``) and a
    :class:`ContainerError` with ``exit_code``, ``oom_killed`` and ``logs``. Like any failure of
    the infrastructure it is retried per the task's ``retries``; once they are spent the parent
    gets it (``except flyte.errors.OOMError:``) and can call a task of an environment with more
    memory (``TaskEnvironment(..., resources=flyte.Resources(memory="2Gi"))``).
    """

    def __init__(
        self,
        code: str,
        message: str,
        worker: str | None = None,
        *,
        exit_code: int | None = None,
        oom_killed: bool = True,
        logs: str = "",
    ):
        super().__init__(code, message, worker)
        self.exit_code = exit_code
        self.oom_killed = oom_killed
        self.logs = logs


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


class RemoteTaskError(RuntimeUserError, FlyteNbError):
    """A task failed in its container (or on Dask) with an exception that could not travel back
    as itself: a ``RuntimeUserError`` whose ``code`` is the exception's class name.

    Attributes: ``error_type`` (that name, as ``code``). ``str(e)`` is the exception's message;
    a note holds its traceback text. It is retried per the task's ``retries`` like the
    exception itself would have been.
    """

    def __init__(self, message: str, *, error_type: str = ""):
        super().__init__(error_type or "RemoteTaskError", message, "user")
        self.error_type = error_type


class HandshakeError(FlyteNbError, ConnectionError):
    """The other end of a socket between the kernel and a container (or worker) did not prove
    that it holds the secret the kernel made for the run (or worker): nothing it sent was read.
    """


class ClusterOnlyError(FlyteNbError, NotImplementedError):
    """A Flyte 2 name that only works against a Flyte cluster (``flyte.deploy``, ``flyte.Cron``,
    ...) was called or instantiated: flyte_nb runs Flyte 2 code locally."""


class AcceleratorNotEnforcedWarning(UserWarning):
    """A task asks for an accelerator (``Resources(gpu=...)``) and runs in-process, where none
    is visible: it runs without one (as in the Flyte SDK's local mode), noticed once per
    environment."""


class RemoteSettingsIgnoredWarning(UserWarning):
    """Settings for a Flyte cluster were given (``endpoint``, ``project``, ``mode="remote"``, a
    config file's ``admin`` section, ...): flyte_nb ignores them and runs locally."""


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


# ---------------------------------------------------------------------------- a failed task's error
# What a failed action raises in its parent and from its run (orchestrator/_controller.py).

#: the attributes a RuntimeUserError adds; an exception that has any of them of its own keeps its class
_RUNTIME_ATTRIBUTES = ("code", "kind", "worker")
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement or type()
_FIELD_TYPES = (types.MemberDescriptorType, types.GetSetDescriptorType)
_user_error_classes: dict[type[BaseException], type[RuntimeUserError]] = {}
_fields: dict[type[BaseException], tuple[str, ...]] = {}
_builtin_bases: dict[type[BaseException], type[BaseException]] = {}
_classes_lock = threading.Lock()


def as_runtime_user_error(exc: BaseException) -> BaseException:
    """The error a failed action raises for ``exc``, its exception: a copy of ``exc`` that is
    both a :class:`RuntimeUserError` (``.code`` its class name, ``.kind``/``.worker`` ``"user"``)
    and an instance of ``exc``'s class. ``exc`` itself when it already is a
    ``BaseRuntimeError``, or cannot also be one (then with a note saying why)."""
    if isinstance(exc, BaseRuntimeError) or not isinstance(exc, Exception):
        return exc
    kind = type(exc)
    clash = [name for name in _RUNTIME_ATTRIBUTES if hasattr(exc, name)]
    if clash:
        reason = f"it has its own .{clash[0]}"
    else:
        try:
            dual = _user_error_class(kind)
            copy = _rebuild(dual, exc.args, _state_of(exc), exc)
            if str(copy) != str(exc):
                raise TypeError("its message does not survive the copy")
        except Exception as problem:  # a class that cannot be combined or copied: keep exc
            reason = f"its class cannot be combined with RuntimeUserError: {problem or type(problem).__name__}"
        else:
            copy.__cause__ = exc.__cause__
            copy.__context__ = exc.__context__
            copy.__suppress_context__ = exc.__suppress_context__
            copy.__traceback__ = exc.__traceback__
            return copy
    note = (
        f"flyte_nb: this {kind.__name__} is raised as it is, not also as a "
        f"flyte.errors.RuntimeUserError ({reason}); catch it as {kind.__name__}"
    )
    if hasattr(exc, "add_note") and note not in getattr(exc, "__notes__", ()):  # once, however deep
        exc.add_note(note)
    return exc


def _user_error_class(kind: type[BaseException]) -> type[RuntimeUserError]:
    """One class per original class: a RuntimeUserError and a ``kind``, named like ``kind``."""
    made = _user_error_classes.get(kind)
    if made is not None:
        return made
    with _classes_lock:
        made = _user_error_classes.get(kind)
        if made is None:
            namespace = {
                "__module__": kind.__module__,
                "__qualname__": kind.__qualname__,
                "__doc__": kind.__doc__,
                "__reduce__": _reduce_user_error,
                "__flyte_original__": kind,
            }
            made = type(kind.__name__, (RuntimeUserError, kind), namespace)
            _user_error_classes[kind] = made
    return made


def _reduce_user_error(self: BaseException) -> tuple[Any, ...]:
    # by the original class, which pickles by reference: the combined class is made again there
    original = type(self).__flyte_original__  # type: ignore[attr-defined]  # set on the class by _user_error_class
    return (_rebuild_user_error, (original, self.args, _state_of(self)))


def _rebuild_user_error(original: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    return _rebuild(_user_error_class(original), args, state)


def _state_of(exc: BaseException) -> dict[str, Any]:
    state = dict(getattr(exc, "__dict__", {}))
    for name in _fields_of(type(exc)):
        if name not in state:
            try:
                value = getattr(exc, name)
            except AttributeError:  # a field never set
                continue
            if value is not None:
                state[name] = value
    return state


def _fields_of(kind: type[BaseException]) -> tuple[str, ...]:
    """The fields instances of ``kind`` keep outside ``__dict__``: a builtin's (OSError.errno,
    ...) and ``__slots__``."""
    fields = _fields.get(kind)
    if fields is None:
        names: list[str] = []
        for cls in kind.__mro__:
            if _is_builtin(cls):
                names.extend(name for name, field in vars(cls).items() if isinstance(field, _FIELD_TYPES))
            else:
                slots = getattr(cls, "__slots__", ())
                names.extend([slots] if isinstance(slots, str) else slots)
        fields = _fields[kind] = tuple(n for n in dict.fromkeys(names) if not n.startswith("__") and n != "args")
    return fields


def _rebuild(
    cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any], source: BaseException | None = None
) -> BaseException:
    """An instance of ``cls`` with ``args`` and ``state``, made without calling ``cls.__init__``
    (only its builtin base's, which sets the builtin's own fields)."""
    builtin = _builtin_base(cls)
    obj = builtin.__new__(cls, *args)
    builtin.__init__(obj, *args)  # the builtin's own fields (UnicodeDecodeError's, OSError's)
    obj.args = args
    for name, value in state.items():
        try:
            current = getattr(obj, name)
            if current is value or (type(current) is type(value) and current == value):
                continue  # set by the builtin already (some of its fields are read-only)
        except Exception:
            pass
        setattr(obj, name, value)
    if isinstance(obj, RuntimeUserError) and source is not None:  # a copy of the task's exception
        obj.code = type(source).__name__
        obj.kind = "user"
        obj.worker = "user"
    return obj


def _builtin_base(cls: type[BaseException]) -> type[BaseException]:
    """The builtin exception class whose layout ``cls`` has (the one whose ``__new__`` is safe)."""
    base = _builtin_bases.get(cls)
    if base is None:
        builtins = [c for c in cls.__mro__ if _is_builtin(c) and issubclass(c, BaseException)]
        base = _builtin_bases[cls] = max(builtins, key=lambda c: c.__basicsize__)
    return base


def _is_builtin(cls: type) -> bool:
    """A class written in C (not one made in Python, even one that says it is from builtins)."""
    return not cls.__flags__ & _HEAP_TYPE
