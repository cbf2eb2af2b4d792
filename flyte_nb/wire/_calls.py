"""Task calls from a container (or a Dask worker) to the kernel, and what the kernel answers.

A job's ``RemoteController`` (``_runtime/_remote.py``) sends them over one authenticated
connection to the kernel's callback server (``executors/_callbacks.py``), framed by
``_framing.py``:

- :class:`SubmitCall` → :class:`CallAnswer` with the same ``id`` (many may be in flight);
- :class:`SemaphoresUpdate` (no answer): the gauges of semaphores the job's code made;
- :class:`TracesUpdate` (no answer): the trace steps the running action recorded so far.

Every message names the run (``run``, the token the peer proved the secret of) and the
calling action (``parent``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._outcome import Failure

SUBMIT, SEMAPHORES, TRACES = "submit", "semaphores", "traces"


class MalformedCallError(ValueError):
    """A message that is none of the calls (a peer of another version, or a bug); ``run``
    and ``reply_to`` are what it said of them, if anything."""

    def __init__(self, problem: str, run: Any = None, reply_to: Any = None) -> None:
        super().__init__(problem)
        self.run = run
        self.reply_to = reply_to


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A group (``flyte.map`` or ``flyte.group``) opened in a container: the kernel makes one
    of its own on the first call made in it, and keeps it by ``key``."""

    key: str
    kind: str  # "map" or "group"
    name: str
    concurrency: int = 0
    expected: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "concurrency": self.concurrency,
            "expected": self.expected,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> GroupSpec:
        return cls(raw["key"], raw["kind"], raw["name"], raw.get("concurrency", 0), raw.get("expected", 0))


@dataclass(frozen=True, slots=True)
class SubmitCall:
    """Run ``task`` (its pickle) as a child action of ``parent`` with these input payloads."""

    id: int
    run: str
    parent: int
    task: bytes
    args: list[Any]
    kwargs: dict[str, Any]
    group: GroupSpec | None = None
    #: the custom context a ``flyte.custom_context`` block gave the call (None: the caller's own)
    custom_context: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "op": SUBMIT,
            "custom_context": self.custom_context,
            "run": self.run,
            "parent": self.parent,
            "group": self.group.to_dict() if self.group is not None else None,
            "task": self.task,
            "args": self.args,
            "kwargs": self.kwargs,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SubmitCall:
        group = raw.get("group")
        return cls(
            id=raw["id"],
            run=raw["run"],
            parent=raw["parent"],
            task=raw["task"],
            args=raw["args"],
            kwargs=raw["kwargs"],
            group=GroupSpec.from_dict(group) if group is not None else None,
            custom_context=raw.get("custom_context"),
        )


@dataclass(frozen=True, slots=True)
class Gauge:
    """One semaphore's state in a container: the ``index``-th the job made, at ``site``
    (file, line, function)."""

    index: int
    site: tuple[str, int, str]
    limit: int
    held: int
    waiting: int

    def to_tuple(self) -> tuple[Any, ...]:
        return (self.index, self.site, self.limit, self.held, self.waiting)

    @classmethod
    def from_tuple(cls, raw: Any) -> Gauge:
        index, (filename, line, function), limit, held, waiting = raw
        return cls(index, (filename, line, function), limit, held, waiting)


@dataclass(frozen=True, slots=True)
class SemaphoresUpdate:
    """The gauges of the semaphores a running job made (only sent when they change)."""

    run: str
    parent: int
    gauges: list[Gauge]

    def to_dict(self) -> dict[str, Any]:
        return {"op": SEMAPHORES, "run": self.run, "parent": self.parent, "gauges": [g.to_tuple() for g in self.gauges]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SemaphoresUpdate:
        return cls(raw["run"], raw["parent"], [Gauge.from_tuple(g) for g in raw["gauges"]])


@dataclass(frozen=True, slots=True)
class TracesUpdate:
    """The trace steps a running action recorded so far (pickled)."""

    run: str
    parent: int
    traces: bytes

    def to_dict(self) -> dict[str, Any]:
        return {"op": TRACES, "run": self.run, "parent": self.parent, "traces": self.traces}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TracesUpdate:
        return cls(raw["run"], raw["parent"], raw["traces"])


Call = SubmitCall | SemaphoresUpdate | TracesUpdate
_CALLS: dict[Any, Any] = {SUBMIT: SubmitCall, SEMAPHORES: SemaphoresUpdate, TRACES: TracesUpdate}


def parse_call(message: dict[str, Any]) -> Call:
    """The call a message from a container is; :class:`MalformedCallError` if it is none."""
    kind = _CALLS.get(message.get("op", SUBMIT)) if isinstance(message, dict) else None
    if kind is None:
        raise MalformedCallError("a message to the kernel that is no call", *_said(message))
    try:
        call: Call = kind.from_dict(message)
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedCallError(f"a malformed {kind.__name__} (its {exc})", *_said(message)) from None
    return call


def _said(message: Any) -> tuple[Any, Any]:
    return (message.get("run"), message.get("id")) if isinstance(message, dict) else (None, None)


@dataclass(frozen=True, slots=True)
class CallAnswer:
    """The kernel's answer to the :class:`SubmitCall` ``id``: the child's output payload, or
    the exception it raised."""

    id: int
    ok: bool
    payload: Any = None
    failure: Failure | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.ok:
            return {"id": self.id, "ok": True, "payload": self.payload}
        return {"id": self.id, **(self.failure or Failure("", "")).to_dict()}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CallAnswer:
        ok = bool(raw.get("ok"))
        return cls(raw["id"], ok, raw.get("payload"), None if ok else Failure.from_dict(raw))
