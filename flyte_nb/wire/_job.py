"""The job: what an executor sends for one attempt to run in a container or on a worker.

The kernel writes it (sealed, pickled) to the store for a container or a reusable worker,
or passes it as a Dask task's argument; ``_runtime/_job.py`` reads it. The function's
pickle is its own entry, so a reusable worker keeps one copy of each function (and of the
module-level state its code builds) for every job that sends the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._secrets import SecretDelivery


@dataclass(frozen=True, slots=True)
class CallbackAddress:
    """Where a job's task calls go, and as whom: the kernel's callback server.

    ``socket`` is a unix socket's path as the job sees it, or ``tcp://host:port``; ``token``
    names the run there; ``parent`` is the calling action's id and ``path`` its stable
    address in the run (trace checkpoints use it). ``secret`` (hex) is the run's secret,
    only for a job that never lands in a file (a Dask task's argument); other jobs get it
    another way (a container's environment, a pool worker's authenticated socket).
    """

    socket: str
    token: str
    run: str
    parent: int
    path: str = ""
    secret: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "socket": self.socket,
            "token": self.token,
            "run": self.run,
            "parent": self.parent,
            "path": self.path,
        }
        if self.secret:
            out["secret"] = self.secret
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CallbackAddress:
        return cls(
            socket=raw["socket"],
            token=raw["token"],
            run=raw["run"],
            parent=raw["parent"],
            path=raw.get("path", ""),
            secret=raw.get("secret", ""),
        )


@dataclass(frozen=True, slots=True)
class JobContext:
    """What the job's body reads of its action and run (``flyte.ctx()``), and the run's
    environment variables (a Dask worker sets them around the body; a container has them).

    ``run_start`` is the run's start as an ISO 8601 UTC time; ``attempt`` counts from 1.
    """

    run: str
    action: int
    attempt: int
    run_start: str
    custom_context: dict[str, str] = field(default_factory=dict)
    interactive_mode: bool = False
    raw_data_path: str | None = None
    run_base_dir: str | None = None
    disable_run_cache: bool = False
    env_vars: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "action": self.action,
            "attempt": self.attempt,
            "run_start": self.run_start,
            "custom_context": dict(self.custom_context),
            "interactive_mode": self.interactive_mode,
            "raw_data_path": self.raw_data_path,
            "run_base_dir": self.run_base_dir,
            "disable_run_cache": self.disable_run_cache,
            "env_vars": dict(self.env_vars),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> JobContext:
        return cls(
            run=raw["run"],
            action=raw["action"],
            attempt=raw["attempt"],
            run_start=raw["run_start"],
            custom_context=dict(raw.get("custom_context") or {}),
            interactive_mode=bool(raw.get("interactive_mode", False)),
            raw_data_path=raw.get("raw_data_path"),
            run_base_dir=raw.get("run_base_dir"),
            disable_run_cache=bool(raw.get("disable_run_cache", False)),
            env_vars=dict(raw.get("env_vars") or {}),
        )


@dataclass(slots=True)
class Job:
    """One attempt's work: the task's function by value and its inputs' payloads.

    ``func`` is the function's pickle; ``files`` maps its code objects to their file names
    (cloudpickle drops them; ``_runtime/_sites.py``); ``args``/``kwargs`` are the inputs'
    payloads (``data._codec.Payload``: inline bytes or a store key); ``inline_limit`` bounds
    what the job's own output and task calls send inline. ``secrets`` are the action's
    secrets with their values, only in a job that never lands in a file (a Dask task's
    argument); a container gets them at its creation, a pool worker over its socket.
    ``report`` is the store key where the task's report page is saved ("" for a task
    without ``report=True``); ``context`` is what ``flyte.ctx()`` shows the body.
    """

    func: bytes
    task: str
    args: list[Any]
    kwargs: dict[str, Any]
    inline_limit: int
    files: dict[str, str] = field(default_factory=dict)
    callback: CallbackAddress | None = None
    secrets: list[SecretDelivery] = field(default_factory=list)
    report: str = ""
    context: JobContext | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "context": self.context.to_dict() if self.context is not None else None,
            "func": self.func,
            "task": self.task,
            "files": self.files,
            "args": self.args,
            "kwargs": self.kwargs,
            "inline_limit": self.inline_limit,
            "callback": self.callback.to_dict() if self.callback is not None else None,
            "report": self.report,
        }
        if self.secrets:
            out["secrets"] = [s.to_dict() for s in self.secrets]
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Job:
        callback = raw.get("callback")
        context = raw.get("context")
        return cls(
            func=raw["func"],
            task=str(raw.get("task") or ""),
            args=raw["args"],
            kwargs=raw["kwargs"],
            inline_limit=raw["inline_limit"],
            files=raw.get("files") or {},
            callback=CallbackAddress.from_dict(callback) if callback is not None else None,
            secrets=[SecretDelivery.from_dict(s) for s in raw.get("secrets") or ()],
            report=str(raw.get("report") or ""),
            context=JobContext.from_dict(context) if context is not None else None,
        )
