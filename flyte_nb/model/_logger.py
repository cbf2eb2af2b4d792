"""``flyte.logger``: the logger for user code, as in the Flyte 2 SDK (its ``flyte.user``).

Records go to ``sys.stderr`` as it is when each record is written, so a record logged by a
task body lands in that action's log tail, exactly like its ``print`` output.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO


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


logger = _user_logger()
