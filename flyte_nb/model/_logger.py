"""``flyte.logger``: the logger for user code, as in the Flyte 2 SDK (its ``flyte.user``);
``flyte.system_logger``: flyte_nb's own.

Records go to ``sys.stderr`` as it is when each record is written, so a record logged by a
task body lands in that action's log tail, exactly like its ``print`` output.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

from ._context import current


class _CurrentStderrHandler(logging.StreamHandler):
    """A stream handler that looks ``sys.stderr`` up at every record (not once when made)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr


def _user_logger() -> logging.Logger:
    made = logging.getLogger("flyte_nb.user")
    if not any(isinstance(h, _CurrentStderrHandler) for h in made.handlers):
        handler = _CurrentStderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        made.addHandler(handler)
    made.setLevel(logging.INFO)
    made.propagate = False  # as the SDK's: shown once, even when the root logger has handlers
    return made


_plain_record_factory = logging.getLogRecordFactory()


def _stamped_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """A log record that says which run and action wrote it (``%(run_name)s``,
    ``%(action_name)s`` in a format; both None outside a task), as the Flyte 2 SDK's do."""
    record = _plain_record_factory(*args, **kwargs)
    ctx = current.get()
    if ctx is None:
        record.run_name = record.action_name = None
    else:
        info = getattr(ctx.controller, "run_info", None)
        record.run_name = info.name if info is not None else ctx.controller.name
        record.action_name = f"a{ctx.action.id}"
    return record


def stamp_log_records() -> None:
    """Make every log record name its run and action (once per process)."""
    if logging.getLogRecordFactory() is not _stamped_record:
        logging.setLogRecordFactory(_stamped_record)


stamp_log_records()
logger = _user_logger()
#: flyte_nb's own logger (the Flyte 2 SDK's ``flyte.system_logger`` is its ``flyte`` logger)
system_logger = logging.getLogger("flyte_nb")
