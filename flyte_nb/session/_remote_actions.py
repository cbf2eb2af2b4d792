"""The actions of past runs: ``flyte.remote.Action`` and ``ActionDetails``, the Flyte 2 SDK's
names, answered from the archive an ended run leaves (``runs/<run>/actions.jsonl``).

``Action.listall(for_run_name=...)`` and ``Action.get(run_name=..., name=...)`` read the run's
record and its archive (JSON, no data value). An action gives ``name`` (``a0`` for the entry
action, ``a<id>`` for the others), ``run_name``, ``task_name``, ``parent_name``, ``phase``,
``start_time``, ``done()``, ``details()``, ``get_logs()``, ``show_logs()``, ``get_report()``.
Where the SDK gives protobufs, these give plain values with the same attribute names.

What is kept of values: the entry action's inputs and outputs (``inputs()``/``outputs()`` load
them when called). Other actions' values are not kept for later (in-process they never touch
the store; shipped jobs offload only large ones, for the run's own use), so their
``inputs()``/``outputs()`` raise an error that says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..data import _layout as layout
from ..data._archive import RecordedRun, load_recorded_run
from ..data._store import Store
from ..errors import FlyteNbError
from ..model._phases import ActionPhase
from ..model._records import ActionRecord, State
from ..model._records import ErrorInfo as _RecordedError
from ._action_io import ActionInputs, ActionOutputs
from ._config import configured_store
from ._run_records import load_kept, raise_if_running, record_or_raise
from ._sync_and_aio import ClassSyncAndAio, off_the_loop

__all__ = ["Action", "ActionDetails", "AttemptInfo", "ErrorInfo", "TraceInfo", "actions_of", "phase_of"]

_PHASES = {
    State.QUEUED: ActionPhase.QUEUED,
    State.RUNNING: ActionPhase.RUNNING,
    State.SUCCEEDED: ActionPhase.SUCCEEDED,
    State.CACHED: ActionPhase.SUCCEEDED,
    State.FAILED: ActionPhase.FAILED,
    State.CANCELLED: ActionPhase.ABORTED,
}


def phase_of(state: str) -> ActionPhase:
    """The SDK's phase of a flyte_nb state (``cancelled`` is the SDK's ``aborted``; a cached
    action succeeded)."""
    return _PHASES.get(state, ActionPhase(state) if state in ActionPhase._value2member_map_ else ActionPhase.FAILED)


@dataclass(frozen=True)
class ErrorInfo:
    """Why an action (or an attempt, or a trace) failed: ``message``, ``kind`` (``user``: its
    code raised), ``code`` (the exception's class name) and the ``traceback`` text."""

    message: str
    kind: str
    code: str
    traceback: str


@dataclass(frozen=True)
class AttemptInfo:
    """One attempt of an action: ``attempt`` (1, 2, ...), ``phase``, ``start_time``,
    ``end_time`` and ``error_info``."""

    attempt: int
    phase: ActionPhase
    start_time: datetime | None
    end_time: datetime | None
    error_info: ErrorInfo | None


@dataclass(frozen=True)
class TraceInfo:
    """A ``@flyte.trace`` step of an action: ``name``, ``start_time``, ``end_time``,
    ``error_info`` and ``restored`` (returned from a checkpoint of an earlier attempt). Its
    input and output values are not kept."""

    name: str
    start_time: datetime | None
    end_time: datetime | None
    error_info: ErrorInfo | None
    restored: bool


@dataclass(eq=False)
class _Past:
    """One past run's record, its store and (loaded once) its actions."""

    store: Store
    record: dict[str, Any]
    _recorded: RecordedRun | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.record["run"])

    def recorded(self) -> RecordedRun:
        if self._recorded is None:
            self._recorded = load_recorded_run(self.store, self.record)
        return self._recorded

    def wall(self, at: float) -> datetime | None:
        """A time of the run's records as a UTC datetime (None for 0: not reached)."""
        if not at:
            return None
        offset = at - self.recorded().controller.started_at
        return datetime.fromtimestamp(float(self.record.get("started") or 0.0) + offset, tz=timezone.utc)


def actions_of(store: Store, record: dict[str, Any]) -> list[Action]:
    """Every action of the run whose record is ``record``, the entry action first."""
    past = _Past(store, record)
    recorded = past.recorded()
    if not recorded.controller.actions:
        raise_if_running(record, "actions")
        raise FlyteNbError(
            f"run {past.name} kept no record of its actions ({store.url_of(layout.run_actions_key(past.name))}): "
            "it ended before flyte_nb kept them, or its kernel stopped first. Run it again to have them kept"
        )
    return [Action(past, rec) for rec in recorded.controller.actions]


def _store_of(action: Action) -> Store:
    return action._past.store


class Action:
    """An action of a past run (the Flyte 2 SDK's ``flyte.remote.Action``), read from its archive."""

    def __init__(self, past: _Past, rec: ActionRecord) -> None:
        self._past = past
        self._rec = rec

    # ------------------------------------------------------------------ finding actions
    def _listall(
        cls,  # noqa: N805 - a classmethod through ClassSyncAndAio
        for_run_name: str,
        in_phase: Iterable[ActionPhase | str] | None = None,
        parent_name: str | None = None,
        sort_by: tuple[str, str] | None = None,
    ) -> Iterator[Action]:
        """The actions of the run ``for_run_name`` in the order they started (``sort_by=
        ("created_at", "desc")`` reverses it): ``in_phase`` keeps those in these phases,
        ``parent_name`` the direct children of that action (``"a0"``: the entry action's)."""
        store = configured_store()
        return iter(_select(store, for_run_name, in_phase, parent_name, sort_by))

    async def _listall_aio(
        cls,  # noqa: N805
        for_run_name: str,
        in_phase: Iterable[ActionPhase | str] | None = None,
        parent_name: str | None = None,
        sort_by: tuple[str, str] | None = None,
    ) -> AsyncIterator[Action]:
        store = configured_store()
        for action in await store.io(_select, store, for_run_name, in_phase, parent_name, sort_by):
            yield action

    listall = ClassSyncAndAio(_listall, _listall_aio)

    def _get(cls, uri: str | None = None, /, run_name: str | None = None, name: str | None = None) -> Action:  # noqa: N805
        """The action ``name`` (``"a0"``, ``"a3"``) of the run ``run_name``."""
        store = configured_store()
        return _find(store, run_name, name)

    async def _get_aio(cls, uri: str | None = None, /, run_name: str | None = None, name: str | None = None) -> Action:  # noqa: N805
        store = configured_store()
        return await store.io(_find, store, run_name, name)

    get = ClassSyncAndAio(_get, _get_aio)

    # ------------------------------------------------------------------ what it is
    @property
    def name(self) -> str:
        """``a0`` for the run's entry action, ``a<id>`` for the others (as ``flyte.ctx()`` names them)."""
        return f"a{self._rec.id}"

    @property
    def run_name(self) -> str:
        return self._past.name

    @property
    def task_name(self) -> str | None:
        return self._rec.task.name

    @property
    def parent_name(self) -> str | None:
        """The name of the action that called this one; None for the entry action."""
        return None if self._rec.parent is None else f"a{self._rec.parent}"

    @property
    def phase(self) -> ActionPhase:
        return phase_of(self._rec.state)

    @property
    def start_time(self) -> datetime:
        """When it started (when it was queued, for an action that never started)."""
        rec = self._rec
        return self._past.wall(rec.started or rec.queued) or datetime.fromtimestamp(
            float(self._past.record.get("started") or 0.0), tz=timezone.utc
        )

    def done(self) -> bool:
        return self.phase.is_terminal

    def sync(self) -> Action:
        """The action itself (a past run's record does not change)."""
        return self

    async def details(self) -> ActionDetails:
        """Its attempts, error, traces and times (``await action.details()``, as in the SDK)."""
        return ActionDetails(self)

    # ------------------------------------------------------------------ logs, report, values
    def _get_logs(
        self, attempt: int | None = None, filter_system: bool = False, show_ts: bool = False
    ) -> Iterator[str]:
        """The lines the action printed (its kept tail, across its attempts)."""
        _check_attempt(self, attempt)
        return iter(_log_text(self).splitlines())

    #: ``action.get_logs()`` iterates; ``action.get_logs.aio()`` is an async iterator
    get_logs = off_the_loop(_get_logs, _store_of, iterates=True)

    def _show_logs(
        self,
        attempt: int | None = None,
        max_lines: int = 30,
        show_ts: bool = False,
        raw: bool = False,
        filter_system: bool = False,
    ) -> None:
        """Print the last ``max_lines`` lines the action printed."""
        print(_tail(self, attempt, max_lines, _log_text(self)))

    show_logs = off_the_loop(_show_logs, _store_of)

    def _get_report(self, attempt: int | None = None) -> str:
        """The action's report (``flyte.report``) as HTML; RuntimeError when it has none."""
        _check_attempt(self, attempt)
        key = self._rec.report
        if key:
            try:
                return self._past.store.get(key).decode("utf-8", errors="replace")
            except FileNotFoundError:
                pass
        raise RuntimeError(
            f"No report is available for action '{self.name}' in run '{self.run_name}' "
            f"(attempt {attempt or self._rec.attempts}); its task needs report=True and a flyte.report call"
        )

    get_report = off_the_loop(_get_report, _store_of)

    def _inputs(self) -> ActionInputs:
        """The action's inputs, loaded now (kept for a run's entry action only)."""
        return ActionInputs(load_kept(self._past.store, self._past.record, _value_key(self, "inputs"), "inputs"))

    inputs = off_the_loop(_inputs, _store_of)

    def _outputs(self) -> ActionOutputs:
        """The action's outputs, loaded now (kept for a run's entry action that succeeded)."""
        key = _value_key(self, "outputs")
        if self._rec.state not in (State.SUCCEEDED, State.CACHED):
            raise_if_running(self._past.record, "outputs")
            raise FlyteNbError(f"action {self.name} of run {self.run_name} {self._rec.state}, so it has no outputs")
        values, fields = load_kept(self._past.store, self._past.record, key, "outputs")
        return ActionOutputs(values, fields)

    outputs = off_the_loop(_outputs, _store_of)

    def __repr__(self) -> str:
        return (
            f"Action(name={self.name!r}, run_name={self.run_name!r}, task_name={self.task_name!r}, "
            f"phase={self.phase.value!r})"
        )


class ActionDetails:
    """An action's details (the SDK's ``ActionDetails``): ``name``, ``run_name``,
    ``task_name``, ``parent_name``, ``phase``, ``is_running``, ``attempts`` (how many),
    ``attempt_details`` (each attempt), ``error_info``, ``error_message``, ``abort_info``,
    ``runtime``, ``start_time``, ``end_time``, ``traces``, ``done()``, and ``inputs()`` /
    ``outputs()`` (coroutines, as in the SDK)."""

    def __init__(self, action: Action) -> None:
        self.action = action
        self._rec = action._rec

    name = property(lambda self: self.action.name)
    run_name = property(lambda self: self.action.run_name)
    task_name = property(lambda self: self.action.task_name)
    parent_name = property(lambda self: self.action.parent_name)
    phase = property(lambda self: self.action.phase)

    @property
    def is_running(self) -> bool:
        return self._rec.state == State.RUNNING

    @property
    def attempts(self) -> int:
        return self._rec.attempts

    @property
    def attempt_details(self) -> list[AttemptInfo]:
        """Each attempt, the first first: earlier ones from the action's history, then the last."""
        past, rec = self.action._past, self._rec
        earlier = [
            AttemptInfo(h.number, phase_of(h.state), past.wall(h.started), past.wall(h.ended), _info(h.error))
            for h in rec.history or ()
        ]
        if rec.attempts > len(earlier):
            started = rec.history[-1].ended if rec.history else rec.started
            earlier.append(
                AttemptInfo(rec.attempts, self.phase, past.wall(started), past.wall(rec.ended), _info(rec.error))
            )
        return earlier

    @property
    def error_info(self) -> ErrorInfo | None:
        return _info(self._rec.error)

    @property
    def error_message(self) -> str:
        return self._rec.error.message if self._rec.error is not None else ""

    @property
    def abort_info(self) -> str | None:
        """Why a cancelled action was cancelled (the run's reason), else None."""
        if self._rec.state != State.CANCELLED:
            return None
        return str(self.action._past.record.get("cancel_reason") or "cancelled")

    @property
    def start_time(self) -> datetime:
        return self.action.start_time

    @property
    def end_time(self) -> datetime | None:
        return self.action._past.wall(self._rec.ended)

    @property
    def runtime(self) -> timedelta:
        return timedelta(seconds=self._rec.duration if self._rec.ended else 0.0)

    @property
    def traces(self) -> list[TraceInfo]:
        past = self.action._past
        return [
            TraceInfo(t.name, past.wall(t.started), past.wall(t.ended), _info(t.error), t.restored)
            for t in self._rec.traces or ()
        ]

    def done(self) -> bool:
        return self.action.done()

    def logs_available(self, attempt: int | None = None) -> bool:
        return bool(self._rec.logs) or bool(_log_text(self.action))

    async def inputs(self) -> ActionInputs:
        return await self.action.inputs.aio()

    async def outputs(self) -> ActionOutputs:
        return await self.action.outputs.aio()

    def __repr__(self) -> str:
        return f"ActionDetails(name={self.name!r}, run_name={self.run_name!r}, phase={self.phase.value!r})"


# ---------------------------------------------------------------------- helpers
def _select(
    store: Store,
    run_name: str,
    in_phase: Iterable[ActionPhase | str] | None,
    parent_name: str | None,
    sort_by: tuple[str, str] | None,
) -> list[Action]:
    actions = actions_of(store, record_or_raise(store, run_name))
    if in_phase is not None:
        given = [in_phase] if isinstance(in_phase, str) else list(in_phase)
        wanted = {phase_of(str(getattr(p, "value", p)).lower()) for p in given}
        actions = [a for a in actions if a.phase in wanted]
    if parent_name is not None:
        actions = [a for a in actions if a.parent_name == parent_name]
    if sort_by is not None and sort_by[1] == "desc":
        actions.reverse()
    return actions


def _find(store: Store, run_name: str | None, name: str | None) -> Action:
    if not run_name or not name:
        raise ValueError("Action.get needs run_name= and name= (an action's name: 'a0', 'a3')")
    wanted = name if name.startswith("a") else f"a{name}"
    for action in actions_of(store, record_or_raise(store, run_name)):
        if action.name == wanted:
            return action
    raise FlyteNbError(
        f"run {run_name} has no action named {name!r}; its actions are a0 (the entry action) and up: "
        f"flyte.remote.Action.listall(for_run_name={run_name!r})"
    )


def _value_key(action: Action, what: str) -> str:
    if action._rec.id != 0:
        raise FlyteNbError(
            f"action {action.name} of run {action.run_name}: flyte_nb keeps the {what} of a run's entry action "
            "only (runs/<run>/inputs and outputs). Other actions' values are not kept for later; return what you "
            f"need from the entry task, or read flyte.remote.Action.get(run_name={action.run_name!r}, name='a0')"
        )
    run = action.run_name
    return layout.run_inputs_key(run) if what == "inputs" else layout.run_outputs_key(run)


def _log_text(action: Action) -> str:
    """What the action printed: the run's log file of it, else the tail in its archive."""
    rec = action._rec
    try:
        key = layout.run_log_key(action.run_name, f"{rec.id}-{rec.task.short_name}")
        return action._past.store.get(key).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return "".join(rec.logs or ())


def _tail(action: Action, attempt: int | None, max_lines: int, text: str) -> str:
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines}")
    _check_attempt(action, attempt)
    return "\n".join(text.splitlines()[-max_lines:]) or f"({action.task_name} printed nothing)"


def _check_attempt(action: Action, attempt: int | None) -> None:
    """flyte_nb keeps one log and one report per action (the last attempt's report)."""
    made = max(action._rec.attempts, 1)
    if attempt is not None and not 1 <= attempt <= made:
        raise ValueError(f"attempt must be between 1 and {made} (the attempts {action.name} made), got {attempt}")


def _info(error: _RecordedError | None) -> ErrorInfo | None:
    return None if error is None else ErrorInfo(error.message, "user", error.type, error.traceback)
