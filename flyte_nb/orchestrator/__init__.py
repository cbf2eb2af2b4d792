"""The kernel-side orchestrator: one Controller per run, its records and event stream."""

from ..model._records import (
    STATES,
    TERMINAL,
    ActionRecord,
    AttemptRecord,
    CallSite,
    ErrorInfo,
    GroupRecord,
    State,
    TraceRecord,
)
from ._controller import DEFAULT_MAX_ACTIONS, Controller, RunLimits
from ._events import EventStream, GroupSnapshot, RunSnapshot

__all__ = [
    "DEFAULT_MAX_ACTIONS",
    "STATES",
    "TERMINAL",
    "ActionRecord",
    "AttemptRecord",
    "CallSite",
    "Controller",
    "ErrorInfo",
    "EventStream",
    "GroupRecord",
    "GroupSnapshot",
    "RunLimits",
    "RunSnapshot",
    "State",
    "TraceRecord",
]
