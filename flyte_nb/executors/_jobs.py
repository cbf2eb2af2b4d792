"""What travels to a container or a Dask worker: the job (the task's function by value and
its inputs, ``wire/_job.py``), and what comes back: its outcome (``wire/_outcome.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import sysconfig
import threading
from collections.abc import Iterator
from typing import Any

import cloudpickle

from .._runtime._failures import error_of
from .._runtime._sites import file_table
from ..data._codec import SMALL_BYTES, decode, dumps, loads, pickled
from ..model._context import RunInfo
from ..wire._job import CallbackAddress, Job, JobContext
from ..wire._outcome import Outcome
from . import _transfer as transfer
from ._base import ActionSpec
from ._reports import report_key

INSTALLED = tuple(os.path.abspath(p) for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]} if p)


def write_job(spec: ActionSpec, ledger: transfer.Ledger, job_key: str, callback: CallbackAddress) -> None:
    """Ship the inputs and write the job (function + input payloads) to the store."""
    assert spec.data is not None
    spec.data.store.put_sealed(job_key, make_job(spec, ledger, callback))


def pickled_function(task: Any) -> tuple[bytes, dict[str, str]]:
    """The task's function by value (with the globals and closure it uses), and the file
    names of its code (cloudpickle drops them: they travel beside)."""
    with _by_value(task.func):
        return pickled(task.func, "the function (with the globals and closure it uses)", task.name), file_table(
            task.func
        )


def make_job(
    spec: ActionSpec,
    ledger: transfer.Ledger,
    callback: CallbackAddress | None,
    *,
    with_secrets: bool = False,
    function: tuple[bytes, dict[str, str]] | None = None,
) -> bytes:
    """The job (function + input payloads), pickled; large inputs go to the store.
    ``with_secrets``: the job carries the action's secret values (only for a job that never
    lands in the store: a Dask task's argument). ``function``: the task's
    :func:`pickled_function`, when the caller made it already."""
    data, task = spec.data, spec.task
    assert data is not None
    with _by_value(task.func):
        shipment = transfer.ship_inputs(spec, data, ledger)
        func, files = function if function is not None else pickled_function(task)
        job = Job(
            func=func,
            task=task.name,
            files=files,
            args=shipment.args,
            kwargs=shipment.kwargs,
            inline_limit=task.max_inline_io_bytes,
            callback=callback,
            secrets=spec.secrets() if with_secrets else [],
            report=report_key(spec),
            context=job_context(spec),
        )
        return dumps(job.to_dict())


def job_context(spec: ActionSpec) -> JobContext:
    """What the job's body reads through ``flyte.ctx()``, and the environment variables the
    run gives every action (its environment's, the task's, then the run's)."""
    data = spec.data
    info = spec.info or RunInfo(data.run if data is not None else "")
    custom = spec.action.custom_context
    return JobContext(
        run=info.name,
        action=spec.action.id,
        attempt=spec.attempt,
        run_start=info.start_time.isoformat(),
        custom_context=dict(custom if custom is not None else info.custom_context),
        interactive_mode=info.interactive_mode,
        raw_data_path=info.raw_data_path,
        run_base_dir=info.run_base_dir,
        disable_run_cache=info.disable_run_cache,
        env_vars={**spec.task.env_vars, **(data.env_vars if data is not None else {})},
    )


def read_outcome(blob: bytes | memoryview) -> Outcome:
    """The outcome a job left in the store (its sealed bytes, read)."""
    return Outcome.from_dict(loads(blob))


async def collect_outcome(spec: ActionSpec, outcome: Outcome, ledger: transfer.Ledger, t: float, where: str) -> Any:
    """The action's output (or its error, raised again), with its u, d and t recorded and
    the traces its job made recorded on it."""
    data = spec.data
    assert data is not None
    ledger.up.seconds += outcome.uploaded_s
    ledger.down.seconds += outcome.downloaded_s
    spec.timings = {**ledger.timings(), "t": t}
    if outcome.report and outcome.report == report_key(spec):  # only the key the job was given
        spec.action.report = outcome.report
    if outcome.traces:
        from ..model._context import current

        spec.action.traces = None  # the live reports' copy gives way to the final list
        ctx = current.get()
        for trace in loads(outcome.traces):
            if ctx is not None:
                ctx.controller.record_trace(spec.action, trace)
    if not outcome.ok:
        assert outcome.failure is not None
        raise error_of(outcome.failure, where)
    payload = outcome.payload
    if payload.inline is not None and payload.size <= SMALL_BYTES:  # a few bytes: no thread hop
        value, received = decode(payload, data.store)
    else:
        value, received = await asyncio.to_thread(decode, payload, data.store)
    ledger.add_down(received)
    spec.timings = {**ledger.timings(), "t": t}
    return value


@contextlib.contextmanager
def _by_value(func: Any) -> Iterator[None]:
    """While pickling, send the function's own module by value when the container cannot
    import it (a module only the kernel has: a test file, a local script), so its
    functions and classes (and values of those classes) arrive whole."""
    module = sys.modules.get(getattr(func, "__module__", "") or "")
    path = os.path.abspath(getattr(module, "__file__", "") or "")
    local = (
        module is not None
        and module.__name__ != "__main__"  # cloudpickle sends __main__ by value already
        and not module.__name__.startswith("flyte_nb")
        and not path.startswith(INSTALLED)
    )
    if not local or module is None:
        yield
        return
    # reentrant: make_job holds it while it ships inputs, and pickled_function takes it again;
    # only the outermost holder registers and unregisters the module
    with _BY_VALUE_LOCK:
        registered_here = module.__name__ not in cloudpickle.list_registry_pickle_by_value()
        if registered_here:
            cloudpickle.register_pickle_by_value(module)
        try:
            yield
        finally:
            if registered_here:
                cloudpickle.unregister_pickle_by_value(module)


_BY_VALUE_LOCK = threading.RLock()


def pooled_callees(func: Any) -> list[Any]:
    """Tasks with a ``ReusePolicy`` that ``func``'s code (nested functions included) names."""
    from ..model._task import TaskTemplate

    code, namespace = getattr(func, "__code__", None), getattr(func, "__globals__", {})
    names: set[str] = set()
    pending = [code] if code is not None else []
    while pending:
        current = pending.pop()
        names.update(current.co_names)
        pending.extend(c for c in current.co_consts if hasattr(c, "co_names"))
    found = (namespace.get(name) for name in sorted(names))
    return [t for t in found if isinstance(t, TaskTemplate) and t.env.reuse_policy is not None]
