"""``flyte.models.ActionPhase``: the phases of an action as the Flyte 2 SDK names them."""

from __future__ import annotations

import enum


class ActionPhase(str, enum.Enum):
    """The execution phase of an action (a run), as in the Flyte 2 SDK's ``flyte.models``.

    flyte_nb's own runs report their phase as a plain string (``run.phase == "succeeded"``);
    these members compare equal to those strings.
    """

    QUEUED = "queued"
    WAITING_FOR_RESOURCES = "waiting_for_resources"
    INITIALIZING = "initializing"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABORTED = "aborted"
    TIMED_OUT = "timed_out"
    RECOVERED = "recovered"

    @property
    def is_terminal(self) -> bool:
        """Whether the phase is final: succeeded, failed, aborted, timed out or recovered."""
        return self in _TERMINAL

    def to_protobuf_name(self) -> str:
        """The Flyte wire name of the phase, e.g. ``"ACTION_PHASE_QUEUED"``."""
        return f"ACTION_PHASE_{self.value.upper()}"


_TERMINAL = frozenset(
    {ActionPhase.SUCCEEDED, ActionPhase.FAILED, ActionPhase.ABORTED, ActionPhase.TIMED_OUT, ActionPhase.RECOVERED}
)
