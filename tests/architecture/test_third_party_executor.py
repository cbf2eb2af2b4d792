"""A backend written outside flyte_nb, with only the public executor API, registered by
name and run through the shipped conformance suite."""

from __future__ import annotations

import ast
import asyncio
import contextvars
import inspect
from typing import Any

import pytest

import flyte_nb as flyte
import flyte_nb.testing
from flyte_nb.errors import ConfigError
from flyte_nb.executors import ActionSpec, Executor, ExecutorCapabilities, on_loop_end, register_backend, registry
from flyte_nb.testing import ConformanceBackend, ExecutorConformance

NAME = "tiny-threads"
#: what the executors of this file closed, in order
CLOSED: list[str] = []


class TinyThreadExecutor(Executor):
    """Async bodies on the run's loop, sync bodies each in a fresh thread; says when a body
    starts (after a pretend queue) like a backend with a scheduler."""

    name = NAME
    capabilities = ExecutorCapabilities(reports_start=True)

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self.submitted = 0
        self.closed = False

    async def submit(self, spec: ActionSpec) -> Any:
        if self.closed:
            raise RuntimeError("closed")
        self.submitted += 1
        # something shared by the loop's runs (like a worker pool): closed when a script's loop ends
        on_loop_end(NAME, _loop_ended)
        await asyncio.sleep(0)  # the pretend queue
        if spec.started is not None:
            spec.started()
        if spec.task.is_async:
            return await spec.task.func(*spec.args, **spec.kwargs)
        ctx = contextvars.copy_context()  # the body finds its action, as task code expects
        return await asyncio.to_thread(ctx.run, spec.task.func, *spec.args, **spec.kwargs)

    async def close(self) -> None:
        self.closed = True
        CLOSED.append(f"executor after {self.submitted} actions")


async def _loop_ended() -> None:
    CLOSED.append("loop")


if NAME not in registry:  # pytest may import this file twice (e.g. --lf); names never overwrite
    register_backend(NAME, TinyThreadExecutor)


class TestTinyThreads(ExecutorConformance):
    @pytest.fixture
    def conformance_backend(self, tmp_path):
        store = tmp_path / "store"
        flyte.init(NAME, storage=f"file://{store}")
        yield ConformanceBackend(store=store, process_boundary=False, label=NAME)


def test_a_registered_name_is_a_valid_backend_and_names_never_overwrite(tmp_path):
    assert flyte.init(NAME, storage=f"file://{tmp_path}").backend == NAME
    with pytest.raises(ConfigError, match="already registered"):
        register_backend(NAME, TinyThreadExecutor)
    with pytest.raises(ConfigError, match="already registered"):
        register_backend("local", TinyThreadExecutor)
    with pytest.raises(ConfigError, match="unknown backend 'not-registered'"):
        flyte.init("not-registered")


def test_the_suite_uses_only_public_api_and_no_backend_names():
    from flyte_nb.testing import _suite

    tree = ast.parse(inspect.getsource(_suite))
    private = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
    ]
    assert private == []
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }
    imported.discard("__future__")
    assert all(not part.startswith("_") for module in imported for part in module.split(".")), imported
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not strings & {"local", "docker", "docker-reuse", "dask"}
    assert set(flyte_nb.testing.__all__) == {"ConformanceBackend", "ExecutorConformance"}


tiny = flyte.TaskEnvironment("tiny")


@tiny.task
async def add(x: int, y: int) -> int:
    return x + y


@tiny.task
async def add_three(x: int) -> int:
    return await add(await add(x, 1), 2)


def test_a_script_run_closes_its_executor_then_what_it_left_on_the_loop_once(tmp_path):
    flyte.init(NAME, storage=f"file://{tmp_path}")
    CLOSED.clear()
    assert flyte.run(add_three, 1).outputs() == 4
    assert CLOSED == ["executor after 3 actions", "loop"]  # registered three times, closed once
