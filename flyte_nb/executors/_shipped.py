"""The template of executors that ship each attempt to another process as a job.

Docker (a container per action, or a reusable worker) and Dask (a task on a cluster) run
an attempt the same way: find where it runs, register the run with the loop's callback
server (so the job's own task calls come back as child actions), write the job
(``wire/_job.py``: the task's function by value and its inputs), run it there, and turn
its outcome (``wire/_outcome.py``) into the action's output or exception. A backend says
only what differs: where a job runs (:meth:`ShippedJobExecutor._place`), the address its
task calls reach the kernel by (:meth:`~ShippedJobExecutor._callback_socket`), how the job
travels (:meth:`~ShippedJobExecutor._write`) and how it runs and what it left
(:meth:`~ShippedJobExecutor._run`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..data import _layout as layout
from ..data._codec import fits_inline
from ..errors import FlyteNbError
from ..wire._job import CallbackAddress
from ..wire._outcome import Outcome
from . import _transfer as transfer
from ._base import ActionSpec, Executor
from ._jobs import collect_outcome, make_job, pickled_function

if TYPE_CHECKING:
    from ._callbacks import CallbackServer


class ShippedJobExecutor(Executor):
    """An :class:`Executor` whose attempts run as jobs in other processes."""

    #: where a job runs, as error messages and tracebacks say it ("its container")
    where = "its worker"
    #: whether the job itself carries the run's secret (a job that never lands in a file)
    job_carries_secret = False

    def __init__(self) -> None:
        self._callbacks: CallbackServer | None = None  # the loop's server, once this run used it
        self._token = ""  # this run's controller's token there
        self._callback_address = ""
        self._registering = asyncio.Lock()
        self._closed = False
        #: id(task) -> (task, its function being pickled): once per run
        self._functions: dict[int, tuple[Any, asyncio.Future[tuple[bytes, dict[str, str]]]]] = {}

    # ------------------------------------------------------------------ what a backend says
    async def _place(self, spec: ActionSpec) -> Any:
        """Get ready to run ``spec`` (an image, a cluster); returns what the other steps need."""
        raise NotImplementedError

    async def _callback_socket(self, server: CallbackServer, place: Any) -> str:
        """The address jobs reach ``server`` by: a unix socket's path as they see it, or
        ``tcp://host:port``."""
        raise NotImplementedError

    def _write(
        self, spec: ActionSpec, ledger: transfer.Ledger, job_key: str, callback: CallbackAddress, place: Any
    ) -> bytes | None:
        """Ship the inputs and make the job (in a thread); returns its bytes when they travel
        with the job's start (the default), None when the job went to the store. Such a job
        carries the action's secrets only when ``job_carries_secret`` (it never lands in a file)."""
        known = self._functions.get(id(spec.task))
        function = known[1].result() if known is not None and known[0] is spec.task and known[1].done() else None
        return make_job(spec, ledger, callback, with_secrets=self.job_carries_secret, function=function)

    async def _function(self, spec: ActionSpec) -> tuple[bytes, dict[str, str]] | None:
        """The task's function pickled once per run, in a thread (a fanout's thousand actions
        of one task ship the same bytes; the others wait for the first), or None when this
        backend's jobs pickle it themselves (they go to the store)."""
        if type(self)._write is not ShippedJobExecutor._write:
            return None
        known = self._functions.get(id(spec.task))
        if known is None or known[0] is not spec.task:
            pickling = asyncio.ensure_future(asyncio.to_thread(pickled_function, spec.task))
            known = self._functions[id(spec.task)] = (spec.task, pickling)
        return await known[1]

    @staticmethod
    def _job_is_quick(spec: ActionSpec, function: tuple[bytes, dict[str, str]] | None) -> bool:
        """Whether making the job is a few microseconds of work on the loop, not a thread's:
        the function is pickled already, the inputs are plainly small (no store write), and
        no secret is looked up."""
        return (
            function is not None
            and not spec.task.secrets
            and all(fits_inline(v, spec.task.max_inline_io_bytes) for v in (*spec.args, *spec.kwargs.values()))
        )

    async def _run(self, spec: ActionSpec, place: Any, job_key: str, job: bytes | None) -> tuple[Outcome, float]:
        """Run the job; returns its outcome and the seconds its start took (t)."""
        raise NotImplementedError

    async def _stop_all(self) -> None:
        """Stop every attempt still running (the run has ended)."""

    # ------------------------------------------------------------------ the template
    async def submit(self, spec: ActionSpec) -> Any:
        __tracebackhide__ = True  # IPython: keep flyte_nb's frames out of user tracebacks
        if self._closed:
            raise FlyteNbError(f"this {type(self).__name__} is closed; start a new run to get a fresh one")
        place = await self._place(spec)
        data = spec.data
        assert data is not None
        callback = await self._callback_for(spec, place)
        ledger = transfer.Ledger()
        job_key = layout.job_key(data.run, spec.action.id, spec.attempt)
        function = await self._function(spec)
        if self._job_is_quick(spec, function):
            job = self._write(spec, ledger, job_key, callback, place)
        else:
            job = await asyncio.to_thread(self._write, spec, ledger, job_key, callback, place)
        outcome, t = await self._run(spec, place, job_key, job)
        if outcome.logs:
            spec.action.append_log(spec.masked(outcome.logs))
        if outcome.cancelled:
            raise FlyteNbError(f"action {spec.task.name} #{spec.action.id} was cancelled on {self.where}")
        return await collect_outcome(spec, outcome, ledger, t, self.where)

    async def _callback_for(self, spec: ActionSpec, place: Any) -> CallbackAddress:
        """Where the action's task calls go: the loop's callback server, for this run
        (registered by the run's first attempt)."""
        from ._callbacks import register_current_run

        async with self._registering:
            if self._callbacks is None:
                server, token = await register_current_run()
                self._callbacks, self._token = server, token
                self._callback_address = await self._callback_socket(server, place)
        assert spec.data is not None
        return self._callbacks.job_callback(
            self._token, spec.data.run, spec.action, self._callback_address, with_secret=self.job_carries_secret
        )

    @property
    def callbacks(self) -> CallbackServer:
        """The callback server this run registered with (after its first attempt started)."""
        assert self._callbacks is not None, "registered by the run's first attempt"
        return self._callbacks

    async def close(self) -> None:
        self._closed = True
        if self._callbacks is not None:
            self._callbacks.unregister(self._token)
        await self._stop_all()
