"""The contract between the orchestrator and the places actions run.

The controller decides *when* an action runs (limits, retries, timeouts, cancellation);
an executor only decides *where*. The orchestrator never imports a backend: it is given
one :class:`Executor` and reads what it can do from its :class:`ExecutorCapabilities`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from ..data._run_data import RunData
    from ..model._cluster_info import ClusterInfo
    from ..model._context import RunInfo
    from ..model._records import ActionRecord
    from ..model._task import TaskTemplate
    from ..wire._secrets import SecretDelivery
    from ._settings import SettingsSchema


_E = TypeVar("_E", bound="Executor")


@dataclass(slots=True)
class ActionSpec:
    """One attempt of one action, as handed to an executor."""

    action: ActionRecord
    task: TaskTemplate
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    attempt: int
    #: seconds the executor spent on overhead, in the overhead model 2u + 2d + e + t: "u" (uploads), "d"
    #: (downloads), "t" (creating the instance). Executors that have any fill it in.
    timings: dict[str, float] | None = None
    #: the run's store and data settings (None when the run stores nothing)
    data: RunData | None = None
    #: for executors whose capabilities say ``reports_start``: call it (on the run's loop) when the body
    #: really starts, e.g. after a cluster scheduler's queue; the action is queued until then
    started: Callable[[], None] | None = None
    #: what the action reads of its run through ``flyte.ctx()`` (None: only the run's name)
    info: RunInfo | None = None

    def secrets(self) -> list[SecretDelivery]:
        """The secrets this attempt gets (``secrets=`` of its task or environment), values
        found by the run (raising ``SecretNotFoundError`` for one set nowhere); deliver them
        to the body only, never to the store."""
        wanted = self.task.secrets
        if not wanted or self.data is None or self.data.secrets is None:
            return []
        from ..wire._secrets import SecretDelivery

        vault = self.data.secrets
        return [SecretDelivery(s.as_env_var, s.file_name, vault.value(s)) for s in wanted]

    def masked(self, text: str) -> str:
        """``text`` (output of this attempt) with the run's secret values masked."""
        if self.data is None or self.data.secrets is None:
            return text
        return self.data.secrets.mask(text)


@dataclass(frozen=True, slots=True)
class ExecutorCapabilities:
    """What an executor declares about itself; the orchestrator and the conformance suite
    read these instead of probing attributes or backend names.

    ``reports_start``: attempts wait in a queue of the executor's own (a scheduler, a
    pool, an image build); the executor calls ``spec.started()`` when the body begins and
    the action shows as queued until then. ``entry_in_process``: the run's entry action is
    not submitted but runs on the caller's loop, and only the actions it starts reach the
    executor (for a backend that cannot call back into the caller). ``process_boundary``:
    task bodies run in another process than the caller's (their module state is not the
    caller's). ``reports_cluster``: actions run on a cluster of workers the executor can
    describe (``refresh_cluster_info``); the run shows its workers and dashboard.
    """

    reports_start: bool = False
    entry_in_process: bool = False
    process_boundary: bool = False
    reports_cluster: bool = False


class Executor:
    """Runs attempts of actions somewhere; backends subclass it.

    ``submit`` runs one attempt and returns the task's output, or raises the exception the
    task raised (its original type). It must be cancellable: when the awaiting coroutine is
    cancelled, the attempt is stopped (or, where it cannot be stopped, abandoned) and
    ``CancelledError`` propagates. Callers may call ``cancel(action_id)`` to stop one
    attempt from outside, and must call ``aclose()`` (or use ``async with``) when done.
    An executor declares what it does in :attr:`capabilities`; one with
    ``reports_start=True`` calls ``spec.started()`` when an attempt's body begins.
    Whatever an executor opens (threads, containers, servers) it closes in ``close()``;
    what outlives one run and belongs to an event loop is registered with
    :func:`flyte_nb.executors.on_loop_end`. A backend whose constructor takes settings
    declares them in :attr:`settings_schema` (key -> :class:`flyte_nb.executors.Setting`),
    so its config section (``name: {...}``) is checked when the config loads.
    """

    name: str = "executor"
    capabilities: ExecutorCapabilities = ExecutorCapabilities()
    #: what this backend's config section accepts; None: it takes no section
    settings_schema: ClassVar[SettingsSchema | None] = None

    async def submit(self, spec: ActionSpec) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement submit(spec)")

    async def cancel(self, action_id: int) -> None:
        """Stop the attempt of ``action_id`` if it is running here (default: nothing to do;
        the orchestrator also cancels the awaiting coroutine)."""

    async def refresh_cluster_info(self) -> ClusterInfo | None:
        """The cluster this executor's actions run on, asked now (workers, busy threads,
        dashboard link) without blocking the loop; None before it is connected or when
        actions run on no cluster (the default). Executors that answer declare
        ``reports_cluster``; the controller asks at most once a second while someone
        watches the run, and once when it ends."""
        return None

    async def close(self) -> None:
        """Release what this executor opened. Called once per run, when it ends."""

    async def aclose(self) -> None:
        """Same as :meth:`close` (the name ``contextlib.aclosing`` expects)."""
        await self.close()

    async def __aenter__(self: _E) -> _E:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
