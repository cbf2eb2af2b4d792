"""Inside a Dask worker: run one action's job, and stop it when the kernel cancels it.

The kernel submits :func:`run_job` as a Dask task. It says on a Dask event topic that the
job started (the kernel shows it running from then on), runs the job (the task's function
and inputs, as a container would get them) on a fresh event loop in the worker thread
Dask gave it, and returns the outcome with the job's own printed output. When the
action's code calls another task, the call goes back to the kernel (a child action) and
this task *secedes* from the worker's thread pool, so a parent waiting for its children
never holds a slot they need. :func:`cancel_jobs` (sent by ``Client.run``) cancels
running jobs by key: async bodies stop at their next ``await``; a sync body in a thread
cannot be interrupted and finishes on its own, its result discarded.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

from ._output import capture_job_output, job_buffer

T = TypeVar("T")

#: job key -> (its loop, its asyncio task), while it runs in this worker process
_running: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = {}
_lock = threading.Lock()
#: job keys cancelled before their task reached this worker (or while it started)
_cancelled: set[str] = set()
#: the Dask event topic on which workers say a job started (the kernel moves it to running)
STARTED_TOPIC = "flyte_nb.started"


def run_job(
    store_url: str, storage_options: dict[str, Any], job_key: str, job: bytes, seal: str | None = None
) -> dict[str, Any]:
    """Run one job; its outcome (``wire/_outcome.py``, as a dict) with ``logs``, what it
    printed. ``seal`` is the run's key (``Sealer.to_env``): what it writes to the store is
    sealed with it."""
    from ..data._seal import Sealer
    from ..wire._outcome import Failure, Outcome
    from ._failures import failure
    from ._job import execute

    capture_job_output()
    logs: list[str] = []

    async def main() -> Outcome:
        job_buffer.set(logs)
        task = asyncio.current_task()
        assert task is not None
        with _lock:
            if job_key in _cancelled:
                _cancelled.discard(job_key)
                raise asyncio.CancelledError
            _running[job_key] = (asyncio.get_running_loop(), task)
        _announce_start(job_key)
        try:
            return await execute(
                _store(store_url, storage_options),
                job_key,
                job=job,
                keep_result=False,
                on_first_call=_secede,
                sealer=Sealer.from_env(seal) if seal else None,
            )
        finally:
            with _lock:
                _running.pop(job_key, None)

    try:
        outcome = _run_on_a_loop(main())
    except asyncio.CancelledError:
        outcome = Outcome.failed(Failure("CancelledError", ""), cancelled=True)
    except Exception as exc:  # the job could not even start (its store, its pickles)
        outcome = Outcome.failed(failure(exc))
    outcome.logs = "".join(logs)
    return outcome.to_dict()


#: event loops of jobs that ended, ready for the next job of any thread (one per job running
#: at once): a new loop per job (``asyncio.run``) costs a selector, a socket pair and a walk
#: over every task of the process, more than a small job itself
_idle_loops: list[asyncio.AbstractEventLoop] = []
MAX_IDLE_LOOPS = 64


def _run_on_a_loop(job: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(job)`` on a loop used before: the job's loop is this thread's current
    one while it runs; tasks it leaves behind are cancelled and its async generators closed
    when it ends, as ``asyncio.run`` does, then the loop waits for the next job."""
    with _lock:
        loop = _idle_loops.pop() if _idle_loops else None
    if loop is None:
        loop = asyncio.new_event_loop()
        loop.set_task_factory(_tracked_task)
        setattr(loop, _TASKS, weakref.WeakSet())
    reusable = False
    asyncio.set_event_loop(loop)
    try:
        result = loop.run_until_complete(job)
        reusable = True
        return result
    finally:
        try:
            _end_job_tasks(loop)
        except BaseException:
            reusable = False
        asyncio.set_event_loop(None)
        with _lock:
            if reusable and not loop.is_closed() and len(_idle_loops) < MAX_IDLE_LOOPS:
                _idle_loops.append(loop)
                loop = None
        if loop is not None and not loop.is_closed():
            loop.close()


_TASKS = "_flyte_nb_tasks"


def _tracked_task(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
    """Every task made on a job loop, noted on it (``asyncio.all_tasks`` walks the tasks of
    every loop of the process: a worker's own and its other jobs')."""
    task = asyncio.Task(coro, loop=loop, **kwargs)
    getattr(loop, _TASKS).add(task)
    return task


def _end_job_tasks(loop: asyncio.AbstractEventLoop) -> None:
    left = [task for task in getattr(loop, _TASKS) if not task.done()]
    for task in left:
        task.cancel()
    if left:
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())


def cancel_jobs(job_keys: list[str]) -> int:
    """Cancel these jobs if they run in this worker process (run by ``Client.run`` on the
    worker's own loop); returns how many were running here."""
    found = 0
    with _lock:
        for key in job_keys:
            entry = _running.get(key)
            if entry is None:
                _cancelled.add(key)  # it may still arrive: it will not start
                continue
            found += 1
            loop, task = entry
            loop.call_soon_threadsafe(task.cancel)
        while len(_cancelled) > 10_000:  # keys of jobs that never came here
            _cancelled.pop()
    return found


#: keys of jobs that started in this process, waiting to be announced together
_started: list[str] = []


def _announce_start(job_key: str) -> None:
    """Say on the started topic that this job started. The starts of a moment go as one
    event, sent from the worker's loop: a wake-up of that loop (and a scheduler message) per
    job cost more than a small job's own work."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except Exception:  # not inside a Dask worker (run_job called directly): nobody to tell
        return
    with _lock:
        _started.append(job_key)
        if len(_started) > 1:
            return  # the announcement of the first of them is on its way, with this one
    worker.loop.add_callback(_announce_started, worker)


def _announce_started(worker: Any) -> None:  # on the worker's loop
    with _lock:
        keys = _started.copy()
        _started.clear()
    try:
        worker.log_event(STARTED_TOPIC, keys)
    except Exception:  # the worker is closing: its jobs end with it
        pass


def _secede() -> None:
    """Give this task's thread slot back to the worker: it now waits on child actions."""
    try:
        from distributed import secede

        secede()
    except Exception:  # not inside a Dask task (run_job called directly): no slot to give back
        pass


_stores: dict[tuple[str, str], Any] = {}


def _store(url: str, options: dict[str, Any]) -> Any:
    """One Store per URL and options in this worker process (fsspec clients are reused)."""
    from ..data._store import Store

    key = (url, repr(sorted(options.items())))
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = Store(url, **options)
    return store
