"""Item 10 of issue 12: a bad run name (or run option) fails the call that gives it, before
any action starts, naming the value, the rule and an example."""

from __future__ import annotations

import asyncio

import pytest

import flyte_nb as flyte
from flyte_nb.errors import TaskCallError

env = flyte.TaskEnvironment("run_names")
started: list[int] = []


@env.task
async def probe(x: int) -> int:
    started.append(x)
    return x


BAD_NAMES = ["..", ".", "", "a\0b", "a/b", " x", "x y", ".hidden", "-dash", "x" * 129, "café", "a\nb", 5, b"r1"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_a_bad_run_name_fails_at_with_runcontext_before_any_action(name):
    started.clear()
    with pytest.raises(TaskCallError) as caught:
        flyte.with_runcontext(name=name).run(probe, 1)
    message = str(caught.value)
    assert repr(name) in message and "ASCII letters, digits" in message and "nightly-2026.12.02" in message
    assert started == [] and flyte.active_runs() == {}


@pytest.mark.parametrize("name", ["..", "a\0b", "x" * 129])
def test_a_bad_run_name_fails_in_run_aio_too(name):
    started.clear()

    async def start() -> None:
        await flyte.with_runcontext(name=name).aio(probe, 1)

    with pytest.raises(TaskCallError, match="bad run name"):
        asyncio.run(start())
    assert started == []


def test_names_inside_the_rule_run_and_keep_their_own_folder_and_dot_names_never_start(tmp_path, monkeypatch):
    monkeypatch.setenv("FLYTE_NB_STORAGE", str(tmp_path))
    for name in ["nightly-2026.12.02", "_x", "a..b", "R1", "9" * 128]:
        run = flyte.with_runcontext(name=name).run(probe, 3)
        assert run.outputs()[0] == 3 and run.name == name
        assert (tmp_path / "runs" / name / "run.json").is_file()
    started.clear()
    for name in (".", ".."):
        with pytest.raises(TaskCallError, match="bad run name"):
            flyte.with_runcontext(name=name).run(probe, 4)
    assert started == [] and not (tmp_path / "run.json").exists() and not (tmp_path / "runs" / "run.json").exists()


def test_the_magic_rejects_a_bad_name_before_the_cell_runs():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "flyte_nb")
        result = shell.run_cell("%%flyte --name ..\nran = True")
        assert isinstance(result.error_in_exec, TaskCallError)
        assert "'..'" in str(result.error_in_exec)
        assert "ran" not in shell.user_ns
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_actions": 0}, "max_actions must be an int >= 1"),
        ({"max_actions": True}, "max_actions must be an int >= 1"),
        ({"backend": 3}, "backend must be one of"),
        ({"overwrite_cache": "no"}, "overwrite_cache must be True or False"),
        ({"disable_run_cache": 1}, "disable_run_cache must be True or False"),
        ({"env_vars": ["A=1"]}, "env_vars must be a dict of str to str"),
        ({"env_vars": {"A": 1}}, r"env_vars\['A'\]=1: values must be strings"),
        ({"env_vars": {"A=B": "1"}}, "'A=B' is not an environment variable name"),
    ],
)
def test_other_run_options_are_type_checked_at_the_call(options, message):
    with pytest.raises(TaskCallError, match=message):
        flyte.with_runcontext(**options)
