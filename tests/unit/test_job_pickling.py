"""Pickling a task's function for a container: a module only the kernel has travels by value,
and making a job (which takes the by-value guard, then pickles the function under it again)
never waits on itself. The docker backend hung on every such task once the guard was taken twice."""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading

import cloudpickle

import flyte_nb as flyte
from flyte_nb.executors import _jobs


def test_pickling_a_local_modules_task_inside_the_guard_finishes_and_unregisters(tmp_path, monkeypatch):
    (tmp_path / "kernel_only_tasks.py").write_text(
        "import flyte_nb as flyte\n"
        "env = flyte.TaskEnvironment('kernel_only')\n"
        "@env.task\n"
        "async def double(x: int) -> int:\n"
        "    return 2 * x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("kernel_only_tasks")
    task = module.double
    assert isinstance(task, flyte.TaskTemplate)
    result: dict[str, object] = {}

    def job() -> None:
        with _jobs._by_value(task.func):  # as make_job holds it while it ships the inputs
            result["pickled"] = _jobs.pickled_function(task)
            result["still_by_value"] = "kernel_only_tasks" in cloudpickle.list_registry_pickle_by_value()

    worker = threading.Thread(target=job, daemon=True)
    worker.start()
    worker.join(timeout=20)
    try:
        assert not worker.is_alive(), "pickling a kernel-only task waited on its own by-value guard"
        func_bytes, _files = result["pickled"]
        assert result["still_by_value"]  # the inner use left the outer one's registration alone
        assert "kernel_only_tasks" not in cloudpickle.list_registry_pickle_by_value()
        del sys.modules["kernel_only_tasks"]  # the function arrives whole without its module
        function = cloudpickle.loads(func_bytes)  # loads without importing kernel_only_tasks
        assert asyncio.run(function(21)) == 42
    finally:
        sys.modules.pop("kernel_only_tasks", None)
