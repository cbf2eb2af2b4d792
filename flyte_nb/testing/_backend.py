"""What a backend under test tells the conformance suite about itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model._policies import ReusePolicy


@dataclass(frozen=True, slots=True)
class ConformanceBackend:
    """A configured backend, as the suite needs to know it.

    ``store``: the local folder of the ``file://`` store the backend was configured with
    (the suite writes marker files there that task bodies read, wherever they run).
    ``process_boundary``: task bodies run in another process than the test's.
    ``fresh_process_per_action``: every action starts from a fresh copy of its module's
    state (a new container per action); otherwise a process runs several actions (the
    kernel, reusable workers, Dask workers). ``reuse_policy``: set on the suite's task
    environment while the cases run (e.g. to send them to reusable workers).
    ``label``: a short name used in marker file names.
    """

    store: Path
    process_boundary: bool
    fresh_process_per_action: bool = False
    reuse_policy: ReusePolicy | None = None
    label: str = "backend"
