"""The outcome: what a job leaves for the kernel when it ends (its output, or its failure).

A container or a reusable worker writes it (sealed, pickled) to the store beside its job
(``<job-key>.result``); a Dask job returns it as its task's result, with the job's printed
output in ``logs``. The kernel's executors read it (``executors/_jobs.py``). The same
:class:`Failure` travels in the answer to a task call made from a container
(``_calls.py``), both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Failure:
    """An exception that crossed a process boundary: its pickle when it pickles (``error``),
    and always its type's name, message and traceback as text."""

    error_type: str
    message: str
    traceback: str = ""
    error: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": False,
            "error": self.error,
            "error_type": self.error_type,
            "message": self.message,
            "traceback": self.traceback,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Failure:
        return cls(
            error_type=raw.get("error_type", ""),
            message=raw.get("message", ""),
            traceback=raw.get("traceback", ""),
            error=raw.get("error"),
        )


@dataclass(slots=True)
class Outcome:
    """How one job ended: ``payload`` (the output's, ``data._codec.Payload``) when ``ok``,
    else ``failure``; the trace steps it recorded (pickled), the seconds it spent
    downloading its inputs and uploading its output (the d and u of 2u + 2d + e + t) and
    running. ``cancelled``: a Dask job stopped before or while it ran; ``logs``: what a Dask
    job printed (a container's log comes from its engine); ``report``: the store key of the
    report page the job saved ("" when none)."""

    ok: bool
    payload: Any = None
    failure: Failure | None = None
    traces: bytes | None = None
    downloaded_s: float = 0.0
    uploaded_s: float = 0.0
    runtime_s: float | None = None
    cancelled: bool = False
    logs: str = ""
    report: str = ""

    @classmethod
    def failed(cls, failure: Failure, **more: Any) -> Outcome:
        return cls(ok=False, failure=failure, **more)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"d": self.downloaded_s}
        if self.ok:
            out.update(ok=True, payload=self.payload, u=self.uploaded_s)
        else:
            out.update((self.failure or Failure("", "")).to_dict())
        if self.traces is not None:
            out["traces"] = self.traces
        if self.runtime_s is not None:
            out["runtime"] = self.runtime_s
        if self.cancelled:
            out["cancelled"] = True
        if self.logs:
            out["logs"] = self.logs
        if self.report:
            out["report"] = self.report
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Outcome:
        ok = bool(raw["ok"])
        return cls(
            ok=ok,
            payload=raw.get("payload"),
            failure=None if ok else Failure.from_dict(raw),
            traces=raw.get("traces") or None,
            downloaded_s=raw.get("d", 0.0),
            uploaded_s=raw.get("u", 0.0),
            runtime_s=raw.get("runtime"),
            cancelled=bool(raw.get("cancelled", False)),
            logs=raw.get("logs", ""),
            report=raw.get("report", ""),
        )
