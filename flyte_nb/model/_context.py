"""The one context variable that tells task calls whether they are inside a run.

asyncio copies the context into every task it creates, so actions started by ``gather``
see the action that started them as their parent, and two runs on one loop never mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._port import ControllerPort
    from ._records import ActionRecord, GroupRecord


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What every action of a run can read about the run (``flyte.ctx()``'s run-wide fields).

    ``custom_context`` is the run's base (``with_runcontext(custom_context=...)``);
    ``raw_data_path``/``run_base_dir`` are the folders the run was told to use, None for the
    run's own folders in the store.
    """

    name: str
    start_time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    custom_context: Mapping[str, str] = field(default_factory=dict)
    interactive_mode: bool = False
    raw_data_path: str | None = None
    run_base_dir: str | None = None
    disable_run_cache: bool = False
    #: ``with_runcontext(labels=..., annotations=...)``, kept on the run
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActionContext:
    """Where task calls made right now belong: the run's controller (as a
    :class:`ControllerPort`), the calling action, and the group (``flyte.group`` or a map)
    that new actions join, if any. ``custom_context`` is what a ``flyte.custom_context``
    block made of the action's custom context for the calls inside it (None: the action's own)."""

    controller: ControllerPort
    action: ActionRecord
    group: GroupRecord | None = None
    custom_context: Mapping[str, str] | None = None


current: ContextVar[ActionContext | None] = ContextVar("flyte_nb_action", default=None)


def current_context() -> ActionContext | None:
    """The action context of the calling code, or None outside any run."""
    return current.get()


def effective_custom_context(ctx: ActionContext) -> Mapping[str, str]:
    """The custom context calls made in ``ctx`` pass on: the block's, else the action's."""
    if ctx.custom_context is not None:
        return ctx.custom_context
    own = getattr(ctx.action, "custom_context", None)
    return own if own is not None else {}
