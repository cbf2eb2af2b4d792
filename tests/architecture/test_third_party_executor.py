"""A backend written outside flyte_nb, with only the public executor API, registered by
name and run through the shipped conformance suite."""

from __future__ import annotations

import ast
import asyncio
import contextvars
import inspect
from typing import Any, ClassVar

import pytest

import flyte_nb as flyte
import flyte_nb.testing
from flyte_nb.errors import ConfigError
from flyte_nb.executors import (
    ActionSpec,
    Executor,
    ExecutorCapabilities,
    Setting,
    on_loop_end,
    register_backend,
    registry,
)
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
    assert flyte.run(add_three, 1).outputs()[0] == 4
    assert CLOSED == ["executor after 3 actions", "loop"]  # registered three times, closed once


# ---------------------------------------------------------------------- a backend's own settings

#: the settings each SizedThreadExecutor was made with, in order
MADE_WITH: list[dict[str, Any]] = []


class SizedThreadExecutor(TinyThreadExecutor):
    """The tiny backend with settings of its own, declared on the class."""

    name = "tiny_sized"
    settings_schema: ClassVar[dict[str, Setting]] = {
        "workers": Setting("an int >= 1", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "4"),
        "label": Setting("a str", lambda v: isinstance(v, str), "'fast'"),
    }

    def __init__(self, workers: int = 1, label: str = "plain") -> None:
        super().__init__(workers=workers, label=label)
        MADE_WITH.append(dict(self.settings))


def make_queued_executor(**settings: Any) -> TinyThreadExecutor:
    """A factory, not a class: its settings are declared with register_backend(settings=...)."""
    return TinyThreadExecutor(**settings)


for _name, _target, _settings in (
    ("tiny_sized", SizedThreadExecutor, None),
    # by dotted path, like an entry point: imported when the config names its section
    ("tiny_dotted", f"{__name__}:SizedThreadExecutor", None),
    (
        "tiny_queued",
        make_queued_executor,
        {"queue": Setting("one of 'fifo', 'lifo'", lambda v: v in ("fifo", "lifo"), "'fifo'")},
    ),
):
    if _name not in registry:
        register_backend(_name, _target, settings=_settings)


def write_config(tmp_path, text: str):
    path = tmp_path / "config.yaml"
    path.write_text(f"storage: file://{tmp_path / 'store'}\n{text}")
    return path


def test_a_backend_declaring_settings_on_its_class_gets_its_section_checked_and_passed(tmp_path):
    config = flyte.init_from_config(
        write_config(tmp_path, "backend: tiny_sized\ntiny_sized: {workers: 3, label: null}\n")
    )
    assert config.settings() == {"workers": 3}  # null: the backend's default
    MADE_WITH.clear()
    assert flyte.run(add_three, 1).outputs()[0] == 4
    assert MADE_WITH == [{"workers": 3, "label": "plain"}]
    config = flyte.init("tiny_sized", storage=f"file://{tmp_path}", tiny_sized={"label": "fast"})
    assert config.settings("tiny_sized") == {"label": "fast"}


def test_a_backend_registered_by_dotted_path_declares_its_settings_on_its_class(tmp_path):
    config = flyte.init_from_config(write_config(tmp_path, "backend: tiny_dotted\ntiny_dotted: {workers: 2}\n"))
    assert config.settings() == {"workers": 2}
    with pytest.raises(ConfigError, match=r"tiny_dotted\.workers in flyte\.init\(\) must be an int >= 1, got '2'"):
        flyte.init("tiny_dotted", tiny_dotted={"workers": "2"})


def test_a_backend_declaring_settings_at_registration_gets_its_section_checked(tmp_path):
    config = flyte.init("tiny_queued", storage=f"file://{tmp_path}", tiny_queued={"queue": "lifo"})
    assert config.settings() == {"queue": "lifo"}
    # a section for another backend than the current one is checked and kept too
    config = flyte.init_from_config(write_config(tmp_path, "backend: local\ntiny_queued: {queue: fifo}\n"))
    assert config.backend == "local" and config.settings("tiny_queued") == {"queue": "fifo"}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "tiny_sized: {workers: 0}",
            r"tiny_sized\.workers in .*config\.yaml must be an int >= 1, got 0 \(int\); "
            r"write e\.g\. tiny_sized: \{workers: 4\}",
        ),
        ("tiny_sized: {workers: true}", r"tiny_sized\.workers .* must be an int >= 1, got True \(bool\)"),
        (
            "tiny_sized: {wokers: 2}",
            r"unknown key\(s\) wokers under tiny_sized in .*config\.yaml; allowed keys are label, workers",
        ),
        ("tiny_sized: [1, 2]", r"tiny_sized in .*config\.yaml must be a mapping"),
        ("tiny_queued: {queue: random}", r"tiny_queued\.queue .* must be one of 'fifo', 'lifo', got 'random'"),
        (
            "tiny-threads: {workers: 2}",
            r"tiny-threads in .*config\.yaml is a section of settings, but the 'tiny-threads' backend declares none; "
            r"remove the section, or declare what it accepts with register_backend\('tiny-threads', \.\.\., settings=",
        ),
        ("not_a_backend: {workers: 2}", r"unknown key\(s\) not_a_backend in .*config\.yaml"),
    ],
)
def test_a_bad_backend_section_fails_when_the_config_loads_naming_the_key_and_the_fix(tmp_path, section, message):
    with pytest.raises(ConfigError, match=message):
        flyte.init_from_config(write_config(tmp_path, f"backend: local\n{section}\n"))


def test_flyte_init_checks_a_registered_backends_section_and_still_refuses_unknown_keywords(tmp_path):
    with pytest.raises(ConfigError, match=r"tiny_sized\.label in flyte\.init\(\) must be a str, got 3"):
        flyte.init("tiny_sized", tiny_sized={"label": 3})
    with pytest.raises(ConfigError, match="declares none"):
        flyte.init(NAME, **{NAME: {"workers": 2}})
    with pytest.raises(TypeError, match="unexpected keyword argument.*tiny_unknown"):
        flyte.init("local", tiny_unknown={"workers": 2})


def test_a_settings_declaration_that_is_not_key_to_setting_is_refused_at_registration():
    with pytest.raises(ConfigError, match=r"settings of backend 'tiny_bad' must be a mapping of key to .*Setting"):
        register_backend("tiny_bad", make_queued_executor, settings=["workers"])  # type: ignore[arg-type]
    wrong = r"declares setting 'workers' as <class 'int'>; write e\.g\. 'workers': Setting\("
    with pytest.raises(ConfigError, match=wrong):
        register_backend("tiny_bad", make_queued_executor, settings={"workers": int})  # type: ignore[dict-item]
    assert "tiny_bad" not in registry
