"""The one context variable that tells task calls whether they are inside a run.

asyncio copies the context into every task it creates, so actions started by ``gather``
see the action that started them as their parent, and two runs on one loop never mix.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._port import ControllerPort
    from ._records import ActionRecord, GroupRecord


@dataclass(frozen=True, slots=True)
class ActionContext:
    """Where task calls made right now belong: the run's controller (as a
    :class:`ControllerPort`), the calling action, and the group (``flyte.group`` or a map)
    that new actions join, if any."""

    controller: ControllerPort
    action: ActionRecord
    group: GroupRecord | None = None


current: ContextVar[ActionContext | None] = ContextVar("flyte_nb_action", default=None)


def current_context() -> ActionContext | None:
    """The action context of the calling code, or None outside any run."""
    return current.get()
