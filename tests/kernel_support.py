"""A real IPython kernel (ipykernel over jupyter_client), as a notebook would use it
(importable as ``kernel_support``; the ``kernel`` fixture is in tests/conftest.py)."""

from __future__ import annotations

import queue
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class CellResult:
    stdout: str = ""
    stderr: str = ""
    error: str | None = None  # the exception name, when the cell raised
    traceback: str = ""
    outputs: list[dict] = field(default_factory=list)


class Kernel:
    """Runs cells in one kernel and collects what they print or raise."""

    def __init__(self, manager: Any, client: Any):
        self.manager = manager
        self.client = client

    def execute(self, code: str, timeout: float = 60.0) -> CellResult:
        msg_id = self.client.execute(code)
        return self.collect(msg_id, timeout)

    def start(self, code: str) -> str:
        """Send a cell without waiting for it (to interrupt it, say)."""
        return self.client.execute(code)

    def collect(self, msg_id: str, timeout: float = 60.0) -> CellResult:
        result = CellResult()
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"kernel did not finish the cell within {timeout} s") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                if content["name"] == "stdout":
                    result.stdout += content["text"]
                else:
                    result.stderr += content["text"]
            elif kind == "error":
                result.error = content["ename"]
                result.traceback = "\n".join(content["traceback"])
            elif kind in ("execute_result", "display_data"):
                result.outputs.append(content["data"])
            elif kind == "status" and content["execution_state"] == "idle":
                return result


def start_kernel() -> Iterator[Kernel]:
    """A fresh kernel of this interpreter for one test (a skip without jupyter_client/ipykernel)."""
    jupyter_client = pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.kernel_spec.argv[0] = sys.executable  # this interpreter, where flyte_nb is installed
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield Kernel(manager, client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
