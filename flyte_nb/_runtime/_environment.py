"""What a job's body sees of its run besides its inputs: ``flyte.ctx()`` and the run's
environment variables."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from ..model._context import RunInfo
from ..model._logger import stamp_log_records
from ..wire._job import JobContext

_lock = threading.Lock()


def run_info_of(context: JobContext) -> RunInfo:
    """The run as the kernel described it in the job (``flyte.ctx()`` reads it)."""
    return RunInfo(
        name=context.run,
        start_time=datetime.fromisoformat(context.run_start),
        custom_context=dict(context.custom_context),
        interactive_mode=context.interactive_mode,
        raw_data_path=context.raw_data_path,
        run_base_dir=context.run_base_dir,
        disable_run_cache=context.disable_run_cache,
    )


@contextmanager
def run_environment(env_vars: dict[str, str]) -> Iterator[None]:
    """Set the job's environment variables for the body, and put back what was there after
    (a Dask worker or a reusable container runs other jobs later). A container of its own
    already has them: then nothing changes."""
    stamp_log_records()  # log records of the body name its run and action, as in the kernel
    missing = {k: v for k, v in env_vars.items() if os.environ.get(k) != v}
    if not missing:
        yield
        return
    with _lock:
        before = {k: os.environ.get(k) for k in missing}
        os.environ.update(missing)
    try:
        yield
    finally:
        with _lock:
            for key, value in before.items():
                if os.environ.get(key) != missing[key]:
                    continue  # changed since by someone else: theirs now
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
