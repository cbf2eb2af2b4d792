"""Past runs read back from the store: ``flyte.remote.Run``, the Flyte 2 SDK's remote run API
(``Run.get(name)``, ``Run.listall(...)``) answered from the records runs leave behind.

Every run writes ``runs/<run>/run.json`` (phase, entry task, start, counts): when it starts,
every few seconds while it runs (phase ``running``), and when it ends, with its entry action's
inputs and (when it succeeded) outputs beside it, pickled and sealed. Any process on the same
store reads them: a restarted kernel, a script. Getting or listing runs reads the small JSON
records only; ``outputs()`` and ``inputs()`` load their values when called. A run still going
shows its last recorded state; one whose kernel on this machine is gone reads as ``failed``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from ..data import _layout as layout
from ..data._store import Store
from ..errors import RuntimeUserError
from ..model._phases import ActionPhase
from ._action_io import ActionInputs, ActionOutputs
from ._config import configured_store
from ._display import run_display
from ._remote_actions import Action, ActionDetails, actions_of
from ._run_records import ENDED, load_kept, raise_if_running, read_record, record_or_raise
from ._sync_and_aio import ClassSyncAndAio, off_the_loop

__all__ = ["Run", "run_record", "run_records"]


def _store_of(run: Run) -> Store:
    return run._store


class Run:
    """A past run (or one still going elsewhere), read from its record in the store: ``name``,
    ``phase``, ``task_name``, ``url``, ``done()``, ``outputs()`` and ``inputs()`` (each also
    ``.aio()``)."""

    def __init__(self, store: Store, record: dict[str, Any]) -> None:
        self._store = store
        self._record = record
        self._loaded: list[Action] | None = None

    # ------------------------------------------------------------------ finding runs
    def _get(cls, name: str) -> Run:  # noqa: N805 - a classmethod through ClassSyncAndAio
        """The run called ``name`` in the configured store; :class:`RunNotFoundError`
        when the store holds no record of it."""
        store = configured_store()
        return Run(store, record_or_raise(store, name))

    async def _get_aio(cls, name: str) -> Run:  # noqa: N805
        store = configured_store()
        return Run(store, await store.io(record_or_raise, store, name))

    get = ClassSyncAndAio(_get, _get_aio)

    def _listall(
        cls,  # noqa: N805
        in_phase: Iterable[str] | str | None = None,
        task_name: str | None = None,
        limit: int = 100,
    ) -> Iterator[Run]:
        """Runs in the configured store, newest first (ended ones, and runs still going with
        their last recorded state): ``in_phase`` keeps runs in those phases (``("failed",)``,
        ``ActionPhase.FAILED``), ``task_name`` those whose entry task has that name
        (``env.task`` or just ``task``), at most ``limit`` of them. Reads each run's small
        record only, never a data value."""
        store = configured_store()
        return iter(_list(store, in_phase, task_name, limit))

    async def _listall_aio(
        cls,  # noqa: N805
        in_phase: Iterable[str] | str | None = None,
        task_name: str | None = None,
        limit: int = 100,
    ) -> AsyncIterator[Run]:
        store = configured_store()
        for run in await store.io(_list, store, in_phase, task_name, limit):
            yield run

    listall = ClassSyncAndAio(_listall, _listall_aio)

    # ------------------------------------------------------------------ one run
    @property
    def name(self) -> str:
        return str(self._record["run"])

    @property
    def phase(self) -> str:
        """``running``, ``succeeded``, ``failed`` or ``cancelled`` (as a live run's ``phase``)."""
        return str(self._record["phase"])

    @property
    def task_name(self) -> str | None:
        """The entry task's name (``env.task``); None in records older than this field."""
        task = self._record.get("task")
        return None if task is None else str(task)

    @property
    def url(self) -> str:
        """Where the run keeps its data: ``runs/<name>`` in the store."""
        return self._store.url_of(layout.run_root(self.name))

    def done(self) -> bool:
        """True once the run has ended (False for a run still going elsewhere)."""
        return self.phase in ENDED

    def sync(self) -> Run:
        """The run read again from its record: a run still going shows its latest state."""
        record = read_record(self._store, self.name)
        if record is not None:
            self._record, self._loaded = record, None
        return self

    def _outputs(self) -> ActionOutputs:
        """The entry task's outputs, loaded now from the store (as a live run's ``outputs()``);
        a run that did not succeed raises :class:`~flyte_nb.errors.RuntimeUserError`."""
        self._raise_if_running("outputs")
        if self.phase != "succeeded":
            why = f" ({self.lost})" if self.lost else ""
            raise RuntimeUserError(
                "RunNotSucceeded",
                f"run {self.name} {self.phase}{why}, so it has no outputs; its errors are under "
                f"{self._store.url_of(layout.run_root(self.name))}",
            )
        values, fields = self._load(layout.run_outputs_key(self.name), "outputs")
        return ActionOutputs(values, fields)

    outputs = off_the_loop(_outputs, _store_of)

    def _inputs(self) -> ActionInputs:
        """The entry task's inputs by parameter name, loaded now from the store (kept when
        the run ends)."""
        self._raise_if_running("inputs")
        return ActionInputs(self._load(layout.run_inputs_key(self.name), "inputs"))

    inputs = off_the_loop(_inputs, _store_of)

    @property
    def lost(self) -> str | None:
        """Why a run that never recorded its end reads as ended: its kernel on this machine is
        gone; None for a run that recorded its end or may still be going."""
        reason = self._record.get("lost")
        return None if reason is None else str(reason)

    def _raise_if_running(self, what: str) -> None:
        raise_if_running(self._record, what)

    def _load(self, key: str, what: str) -> Any:
        return load_kept(self._store, self._record, key, what)

    # ------------------------------------------------------------------ its actions
    @property
    def action(self) -> Action:
        """The run's entry action (``a0``): its details, logs, report, inputs and outputs."""
        return self._actions()[0]

    def _actions(self) -> list[Action]:
        if self._loaded is None:
            self._loaded = actions_of(self._store, self._record)
        return self._loaded

    def _first_failure(self) -> ActionDetails | None:
        """The details of the first action that failed (a child before the entry action,
        whose error usually repeats the child's); None when none failed."""
        failed = [a for a in self._actions() if a.phase == ActionPhase.FAILED]
        if not failed:
            return None
        chosen = next((a for a in failed if a.parent_name), failed[0])
        return ActionDetails(chosen)

    first_failure = off_the_loop(_first_failure, _store_of)

    def _get_logs(self, attempt: int | None = None, filter_system: bool = False, show_ts: bool = False) -> Any:
        """The lines the entry action printed (``action.get_logs``)."""
        return self.action.get_logs(attempt, filter_system, show_ts)

    get_logs = off_the_loop(_get_logs, _store_of, iterates=True)

    def _show_logs(
        self,
        attempt: int | None = None,
        max_lines: int = 100,
        show_ts: bool = False,
        raw: bool = False,
        filter_system: bool = False,
    ) -> None:
        """Print the last ``max_lines`` lines the entry action printed."""
        self.action.show_logs(attempt, max_lines, show_ts, raw, filter_system)

    show_logs = off_the_loop(_show_logs, _store_of)

    def _get_report(self, attempt: int | None = None) -> str:
        """The entry action's report as HTML (another action's: ``Action.get_report``)."""
        return self.action.get_report(attempt)

    get_report = off_the_loop(_get_report, _store_of)

    def to_dict(self) -> dict[str, Any]:
        """The run's record as read from the store (``run.json``: ``run``, ``phase``, ``task``,
        ``started`` (wall clock), ``elapsed_s``, ``actions``, ``counts``, ...), a copy."""
        return dict(self._record)

    def _ipython_display_(self) -> None:
        # in a notebook: the run widget as the store keeps the run (the notebook layer draws it)
        run_display().show_past(self._store, self._record)

    def __repr__(self) -> str:
        return f"Run(name={self.name!r}, phase={self.phase!r}, task_name={self.task_name!r})"


def _list(store: Store, in_phase: Iterable[str] | str | None, task_name: str | None, limit: int) -> list[Run]:
    return [Run(store, record) for record in run_records(store, in_phase, task_name, limit)]


def run_record(store: Store, name: str) -> dict[str, Any] | None:
    """The record (``run.json``, as a dict) of the run called ``name`` in ``store`` (a run
    still going: its last recorded state, or ``failed`` with ``lost`` once its kernel here is
    gone); None when the store holds none."""
    return read_record(store, name)


def run_records(
    store: Store, in_phase: Iterable[str] | str | None = None, task_name: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The records of the runs in ``store``, newest first, filtered as ``Run.listall``:
    the small JSON records only, never a data value."""
    phases = _phases(in_phase)
    matches: list[dict[str, Any]] = []
    for name in store.children(layout.RUNS):
        record = read_record(store, name)
        if record is None:
            continue  # not a run
        if phases is not None and str(record["phase"]) not in phases:
            continue
        if task_name is not None and not _same_task(record.get("task"), task_name):
            continue
        matches.append(record)
    matches.sort(key=_newest_first)
    return matches[: max(limit, 0)]


def _phases(in_phase: Iterable[str] | str | None) -> set[str] | None:
    if in_phase is None:
        return None
    given = [in_phase] if isinstance(in_phase, str) else list(in_phase)
    return {str(getattr(p, "value", p)).lower() for p in given}


def _same_task(recorded: object, wanted: str) -> bool:
    return isinstance(recorded, str) and wanted in (recorded, recorded.rsplit(".", 1)[-1])


def _newest_first(record: dict[str, Any]) -> tuple[float, str]:
    return (-float(record.get("started") or 0.0), str(record.get("run", "")))
