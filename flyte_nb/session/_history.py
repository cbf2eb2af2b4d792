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

import json
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, cast

from ..data import _layout as layout
from ..data._codec import loads
from ..data._store import Store
from ..errors import FlyteNbError, RunNotFoundError, RuntimeUserError
from ._action_io import ActionInputs, ActionOutputs
from ._config import configured_store
from ._sync_and_aio import SyncAndAio, _Bound

__all__ = ["Run", "run_record", "run_records"]

_ENDED = ("succeeded", "failed", "cancelled", "aborted", "timed_out")
_HOST = socket.gethostname()


class _ClassSyncAndAio(SyncAndAio):
    """A classmethod callable two ways: ``Run.get(name)`` and ``await Run.get.aio(name)``
    (``Run.listall.aio(...)`` is an async iterator)."""

    def __init__(self, sync: Callable[..., Any], aio: Callable[..., Any]) -> None:
        super().__init__(sync, cast("Callable[..., Awaitable[Any]]", aio))

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        return _Bound(self.__name__, self._sync, self._aio, objtype if obj is None else type(obj))


class Run:
    """A past run (or one still going elsewhere), read from its record in the store: ``name``,
    ``phase``, ``task_name``, ``url``, ``done()``, ``outputs()`` and ``inputs()`` (each also
    ``.aio()``)."""

    def __init__(self, store: Store, record: dict[str, Any]) -> None:
        self._store = store
        self._record = record

    # ------------------------------------------------------------------ finding runs
    def _get(cls, name: str) -> Run:  # noqa: N805 - a classmethod through _ClassSyncAndAio
        """The run called ``name`` in the configured store; :class:`RunNotFoundError`
        when the store holds no record of it."""
        store = configured_store()
        return Run(store, _record_or_raise(store, name))

    async def _get_aio(cls, name: str) -> Run:  # noqa: N805
        store = configured_store()
        return Run(store, await store.io(_record_or_raise, store, name))

    get = _ClassSyncAndAio(_get, _get_aio)

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

    listall = _ClassSyncAndAio(_listall, _listall_aio)

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
        return self.phase in _ENDED

    def sync(self) -> Run:
        """The run read again from its record: a run still going shows its latest state."""
        record = _read_record(self._store, self.name)
        if record is not None:
            self._record = record
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

    async def _outputs_aio(self) -> ActionOutputs:
        return await self._store.io(self._outputs)

    outputs = SyncAndAio(_outputs, _outputs_aio)

    def _inputs(self) -> ActionInputs:
        """The entry task's inputs by parameter name, loaded now from the store (kept when
        the run ends)."""
        self._raise_if_running("inputs")
        return ActionInputs(self._load(layout.run_inputs_key(self.name), "inputs"))

    async def _inputs_aio(self) -> ActionInputs:
        return await self._store.io(self._inputs)

    inputs = SyncAndAio(_inputs, _inputs_aio)

    @property
    def lost(self) -> str | None:
        """Why a run that never recorded its end reads as ended: its kernel on this machine is
        gone; None for a run that recorded its end or may still be going."""
        reason = self._record.get("lost")
        return None if reason is None else str(reason)

    def _raise_if_running(self, what: str) -> None:
        if self.phase == "running":
            raise RuntimeUserError(
                "RunStillRunning",
                f"run {self.name} is still running (pid {self._record.get('pid')} on "
                f"{self._record.get('host')}), so its {what} are not kept yet; they are once it ends: "
                f"flyte.remote.Run.get({self.name!r}) again then",
            )

    def _load(self, key: str, what: str) -> Any:
        try:
            return loads(self._store.get_sealed(key))
        except FileNotFoundError:
            raise FlyteNbError(
                f"run {self.name} kept no {what} in {self._store.url_of(key)}: they did not pickle, or the run "
                f"ended before flyte_nb kept them. Run it again to have them kept"
            ) from None

    def __repr__(self) -> str:
        return f"Run(name={self.name!r}, phase={self.phase!r}, task_name={self.task_name!r})"


def _record_or_raise(store: Store, name: str) -> dict[str, Any]:
    record = _read_record(store, name)
    if record is None:
        raise RunNotFoundError(
            f"no run named {name!r} in the store {store.url}. Check the name (run.name when it ran), "
            "or point flyte.init(storage=...) at the store that run used"
        )
    return record


def _read_record(store: Store, name: str) -> dict[str, Any] | None:
    if not name or "/" in name or name.startswith("."):
        return None
    try:
        record = json.loads(store.get(layout.run_record(name)))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(record, dict) or "phase" not in record:
        return None
    return _settled(record)


def _settled(record: dict[str, Any]) -> dict[str, Any]:
    """A ``running`` record whose kernel ran on this machine and is gone reads as ``failed``,
    saying so (``lost``); any other record as it is."""
    if record.get("phase") != "running" or record.get("host") != _HOST or _alive(record.get("pid")):
        return record
    lost = (
        f"its kernel (pid {record.get('pid')} on {_HOST}) ended while the run was going; "
        "this is the run's last recorded state"
    )
    return {**record, "phase": "failed", "done": True, "lost": lost}


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return True  # nothing to check: shown as recorded
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _list(store: Store, in_phase: Iterable[str] | str | None, task_name: str | None, limit: int) -> list[Run]:
    return [Run(store, record) for record in run_records(store, in_phase, task_name, limit)]


def run_record(store: Store, name: str) -> dict[str, Any] | None:
    """The record (``run.json``, as a dict) of the run called ``name`` in ``store``; None
    when the store holds none (no such run, or one still running elsewhere)."""
    return _read_record(store, name)


def run_records(
    store: Store, in_phase: Iterable[str] | str | None = None, task_name: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The records of the runs in ``store``, newest first, filtered as ``Run.listall``:
    the small JSON records only, never a data value."""
    phases = _phases(in_phase)
    matches: list[dict[str, Any]] = []
    for name in store.children(layout.RUNS):
        record = _read_record(store, name)
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
