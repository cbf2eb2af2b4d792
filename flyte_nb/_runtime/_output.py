"""Each job's printed output kept apart, in processes that run several jobs at once.

A reusable worker container or a Dask worker runs many jobs concurrently; their prints
all go to one ``sys.stdout``. :class:`JobOutput` wraps the process's streams and also
copies what is written into the buffer of the job whose context is current (a context
variable, so threads started with a copied context count too), which travels back to the
kernel as that action's log.
"""

from __future__ import annotations

import contextvars
import sys
import threading
from typing import Any

job_buffer: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("flyte_nb_job_output", default=None)
_lock = threading.Lock()


class JobOutput:
    """A stream that passes writes on and keeps a copy for the current job."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        buffer = job_buffer.get()
        if buffer is not None:
            buffer.append(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def capture_job_output() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once per process)."""
    with _lock:
        if not isinstance(sys.stdout, JobOutput):
            sys.stdout = JobOutput(sys.stdout)
        if not isinstance(sys.stderr, JobOutput):
            sys.stderr = JobOutput(sys.stderr)
