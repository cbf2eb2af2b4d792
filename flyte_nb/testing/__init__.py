"""Tools for testing backends: the executor conformance suite.

A backend (built in or third party) subclasses :class:`ExecutorConformance`, overrides its
``conformance_backend`` fixture to configure flyte_nb for the backend (``flyte.init``)
and yields a :class:`ConformanceBackend` with the store folder and what the backend
does, and pytest runs every case against it::

    from flyte_nb.testing import ConformanceBackend, ExecutorConformance

    class TestMine(ExecutorConformance):
        @pytest.fixture
        def conformance_backend(self, tmp_path):
            flyte.init("mine", storage=f"file://{tmp_path}")
            yield ConformanceBackend(store=tmp_path, process_boundary=False)

The suite needs pytest (imported on first use of the suite, so importing this package for
the record alone does not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._backend import ConformanceBackend

if TYPE_CHECKING:
    from ._suite import ExecutorConformance

__all__ = ["ConformanceBackend", "ExecutorConformance"]


def __getattr__(name: str) -> Any:
    # the suite imports pytest; the tasks it runs are imported inside containers, which
    # import this package but have no pytest
    if name == "ExecutorConformance":
        from ._suite import ExecutorConformance

        return ExecutorConformance
    raise AttributeError(f"module 'flyte_nb.testing' has no attribute {name!r}")
