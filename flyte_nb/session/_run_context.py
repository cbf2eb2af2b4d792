"""What ``with_runcontext`` options make of a run: what its actions read through
``flyte.ctx()`` (:class:`~flyte_nb.model._context.RunInfo`), and the log levels it sets."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone

from ..model._context import RunInfo
from ._run_options import RunOptions


def run_info(name: str, options: RunOptions) -> RunInfo:
    """The run ``name`` as its actions see it through ``flyte.ctx()``."""
    start = options.run_start_time or datetime.now(timezone.utc)
    if start.tzinfo is None:  # a naive time is taken as UTC, as the Flyte 2 SDK documents it
        start = start.replace(tzinfo=timezone.utc)
    return RunInfo(
        name=name,
        start_time=start,
        custom_context=dict(options.custom_context or {}),
        interactive_mode=in_notebook() if options.interactive_mode is None else options.interactive_mode,
        raw_data_path=options.raw_data_path,
        run_base_dir=options.run_base_dir,
        disable_run_cache=options.disable_run_cache,
        labels=dict(options.labels or {}),
        annotations=dict(options.annotations or {}),
    )


def in_notebook() -> bool:
    """True when this process is a Jupyter kernel (IPython with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def apply_log_levels(options: RunOptions) -> None:
    """``log_level`` sets flyte_nb's own logger, ``user_log_level`` ``flyte.logger`` (as the
    Flyte 2 SDK sets its ``flyte`` and ``flyte.user`` loggers); they stay set after the run.
    From the first run on, log records name their run and action (``%(run_name)s``)."""
    from ..model._logger import stamp_log_records

    stamp_log_records()
    if options.log_level is not None:
        logging.getLogger("flyte_nb").setLevel(options.log_level)
    if options.user_log_level is not None:
        from ..model._logger import logger

        logger.setLevel(options.user_log_level)
