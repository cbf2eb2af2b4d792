"""``flyte.ctx()``, ``flyte.custom_context(...)`` and ``flyte.get_custom_context()``.

Shaped like the Flyte 2 SDK's ``flyte.models.TaskContext``, filled in from the action that
is running: its run, its id, its attempt (counted from 0, and really counting on retries),
its custom context, and folders of the run's store for raw data and checkpoints. It works
the same in the kernel, in a container and on a Dask worker: the job carries what it needs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Literal

from ._checkpoint import Checkpoint
from ._context import ActionContext, RunInfo, current, effective_custom_context
from ._report import active_report

__all__ = [
    "ActionID",
    "CheckpointPaths",
    "RawDataPath",
    "TaskContext",
    "ctx",
    "custom_context",
    "get_custom_context",
]


@dataclass(frozen=True, kw_only=True)
class ActionID:
    """The id of an action in its run: ``ActionID('a3', run_name='r-x1y2z3')``. Actions are
    named ``a<n>`` in the order they started (the entry action is ``a0``)."""

    name: str
    run_name: str | None = None
    project: str | None = None
    domain: str | None = None
    org: str | None = None

    def __post_init__(self) -> None:
        if self.run_name is None:
            object.__setattr__(self, "run_name", self.name)

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={getattr(self, name)!r}" for name in ("project", "domain", "org") if getattr(self, name)
        )
        return f"ActionID({self.name!r}, run_name={self.run_name!r}{extra})"


@dataclass(frozen=True, kw_only=True)
class RawDataPath:
    """Where the run keeps raw data (offloaded files): a folder of its store."""

    path: str

    def __repr__(self) -> str:
        return f"RawDataPath({self.path!r})"


@dataclass(frozen=True)
class CheckpointPaths:
    """Where this attempt's checkpoint goes, and where the previous attempt's is (None on
    the first attempt)."""

    prev_checkpoint_path: str | None
    checkpoint_path: str | None

    def __repr__(self) -> str:
        return f"CheckpointPaths({self.prev_checkpoint_path!r}, {self.checkpoint_path!r})"


@dataclass(frozen=True, kw_only=True)
class TaskContext:
    """What a task body can read about the action running it (``flyte.ctx()``).

    The Flyte 2 SDK's fields, with what they mean locally: ``mode`` is ``'local'``,
    ``is_in_cluster()`` False, ``version`` ``''``; ``report`` is the action's
    ``flyte.report`` report in a ``report=True`` task (else None).
    ``attempt_number`` is the attempt running (0 first, 1 on the first retry...).
    """

    action: ActionID
    version: str = ""
    raw_data_path: RawDataPath | None = None
    input_path: str | None = None
    output_path: str | None = None
    run_base_dir: str | None = None
    report: Any = None
    group_data: Any = None
    checkpoint_paths: CheckpointPaths | None = None
    code_bundle: Any = None
    compiled_image_cache: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    mode: Literal["local", "remote", "hybrid"] = "local"
    interactive_mode: bool = False
    custom_context: dict[str, str] = field(default_factory=dict)
    disable_run_cache: bool = False
    in_driver_literal_conversion: bool = False
    run_start_time: datetime | None = None
    task_action: ActionID | None = None
    attempt_number: int = 0

    def __post_init__(self) -> None:
        if self.task_action is None:
            object.__setattr__(self, "task_action", self.action)

    def replace(self, **kwargs: Any) -> TaskContext:
        """A copy with some fields changed (``data`` is merged into the current data)."""
        if "data" in kwargs and kwargs["data"] is not None:
            kwargs["data"] = {**(self.data or {}), **kwargs["data"]}
        elif "data" in kwargs:
            kwargs.pop("data")
        return replace(self, **kwargs)

    def __getitem__(self, key: str) -> Any:
        return self.data.get(key)

    def is_in_cluster(self) -> bool:
        """False: flyte_nb never runs on a Flyte cluster."""
        return self.mode == "remote"

    @property
    def checkpoint(self) -> Checkpoint | None:
        """This attempt's ``flyte.Checkpoint`` (``save``/``load`` and their ``_sync`` twins):
        a retry loads what the attempt before it saved. The same object every time in one
        attempt, so what ``load`` brought stays in its ``path``."""
        paths = self.checkpoint_paths
        if paths is None or not paths.checkpoint_path:
            return None
        return checkpoint_of(paths.checkpoint_path, paths.prev_checkpoint_path)


class _NullTaskContext(TaskContext):
    """What ``flyte.ctx()`` gives outside a task: every field None, and falsy, so
    ``if flyte.ctx():`` asks "am I in a task?"."""

    def __init__(self) -> None:
        for f in fields(TaskContext):
            object.__setattr__(self, f.name, None)

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NullTaskContext()"


NULL_TASK_CONTEXT: TaskContext = _NullTaskContext()


def ctx() -> TaskContext:
    """The context of the task running this code: its action, attempt, custom context and
    folders. Outside a task: a falsy ``NullTaskContext()`` whose fields are all None."""
    actx = current.get()
    if actx is None:
        return NULL_TASK_CONTEXT
    return task_context_of(actx)


def task_context_of(actx: ActionContext) -> TaskContext:
    """The :class:`TaskContext` of the action ``actx`` runs in."""
    controller = actx.controller
    info: RunInfo = getattr(controller, "run_info", None) or RunInfo(controller.name)
    rec = actx.action
    attempt = max(int(getattr(rec, "attempts", 1) or 1), 1)
    action = ActionID(name=f"a{rec.id}", run_name=info.name)
    paths = _store_paths(controller, rec.id, attempt)
    raw = info.raw_data_path or paths.get("raw_data")
    base = info.run_base_dir or paths.get("run_base")
    output = f"{info.run_base_dir.rstrip('/')}/{action.name}" if info.run_base_dir else paths.get("output")
    checkpoint = paths.get("checkpoint")
    active = active_report()
    return TaskContext(
        action=action,
        report=active.report if active is not None else None,
        raw_data_path=RawDataPath(path=raw) if raw else None,
        output_path=output,
        run_base_dir=base,
        checkpoint_paths=CheckpointPaths(paths.get("prev_checkpoint"), checkpoint) if checkpoint else None,
        interactive_mode=info.interactive_mode,
        custom_context=dict(effective_custom_context(actx)),
        disable_run_cache=info.disable_run_cache,
        run_start_time=info.start_time,
        attempt_number=attempt - 1,
    )


def _store_paths(controller: Any, action: int, attempt: int) -> dict[str, str]:
    """The run's folders for this action in its store (none when the run stores nothing)."""
    try:
        data = controller.data
    except Exception:
        return {}
    if data is None or not hasattr(data, "task_paths"):
        return {}
    paths: dict[str, str] = data.task_paths(action, attempt)
    return paths


#: checkpoints of this process's latest attempts, by destination (``flyte.ctx().checkpoint``)
MAX_CHECKPOINTS_KEPT = 64
_checkpoints: OrderedDict[str, Checkpoint] = OrderedDict()
_checkpoints_lock = threading.Lock()


def checkpoint_of(dest: str, src: str | None) -> Checkpoint:
    """The :class:`Checkpoint` of the attempt that saves to ``dest``, made on first use and
    kept while it is among the latest ones (a dropped one removes its workspace itself)."""
    with _checkpoints_lock:
        found = _checkpoints.get(dest)
        if found is None:
            found = _checkpoints[dest] = Checkpoint(dest, src)
            while len(_checkpoints) > MAX_CHECKPOINTS_KEPT:
                _checkpoints.popitem(last=False)
        else:
            _checkpoints.move_to_end(dest)
        return found


@contextmanager
def custom_context(**context: str) -> Iterator[None]:
    """Add keys to the custom context of every task called inside the block (and of the
    tasks they call): ``with flyte.custom_context(project="p"): await child()``. Outside a
    task it does nothing, as in the Flyte 2 SDK."""
    actx = current.get()
    if actx is None:
        yield
        return
    merged: Mapping[str, str] = {**effective_custom_context(actx), **context}
    token = current.set(replace(actx, custom_context=merged))
    try:
        yield
    finally:
        current.reset(token)


def get_custom_context() -> dict[str, str]:
    """The custom context of the running task (``{}`` outside a task)."""
    actx = current.get()
    if actx is None:
        return {}
    return dict(effective_custom_context(actx))
