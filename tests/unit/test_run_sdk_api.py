"""The run handle with the Flyte 2 SDK's names and shapes: ``outputs()`` as ``ActionOutputs``,
``inputs()`` as ``ActionInputs``, ``abort()``, ``show_logs()``, ``wait(quiet=, wait_for=)``,
the ``.aio`` twins, and a failed run raising its error where the SDK raises it."""

from __future__ import annotations

import asyncio
import json
import pickle
import subprocess
import sys
import textwrap
from typing import NamedTuple

import pytest

import flyte_nb as flyte
from flyte_nb import errors
from flyte_nb.errors import RunCancelledError

env = flyte.TaskEnvironment("run_api")


class Total(NamedTuple):
    total: int
    label: str


@env.task
def four() -> int:
    return 4


@env.task
def pair(x: int, label: str = "z") -> tuple[int, str]:
    return x, label


@env.task
def named() -> Total:
    return Total(7, "lbl")


@env.task
def nothing() -> None:
    pass


@env.task
def unannotated_pair(x=1):  # flyte_nb does not need annotations
    return x, x + 1


@env.task
def unannotated_list():
    return [1, 2]


@env.task
def a_tuple_as_one_value() -> tuple:
    return (1, 2)


@env.task
def any_length() -> tuple[int, ...]:
    return (1, 2, 3)


@env.task
def word() -> str:
    return "hello"


class Boom(ValueError):
    pass


@env.task
async def fails() -> int:
    raise Boom("bad 3")


@env.task
async def sleeps(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


# ---------------------------------------------------------------------------- outputs()


def test_one_output_is_a_one_element_tuple():
    out = flyte.run(four).outputs()
    assert isinstance(out, tuple) and type(out).__name__ == "ActionOutputs"
    assert out[0] == 4 and len(out) == 1 and out == (4,) and out != 4
    assert out.o0 == 4 and out.named_outputs == {"o0": 4}
    assert repr(out) == "ActionOutputs(o0=4)"
    (value,) = out
    assert value == 4


def test_a_string_output_is_not_split_into_characters():
    out = flyte.run(word).outputs()
    assert out[0] == "hello" and repr(out) == 'ActionOutputs(o0="hello")'


def test_a_tuple_return_is_spread_into_outputs():
    out = flyte.run(pair, 5).outputs()
    assert out == (5, "z") and (out.o0, out.o1) == (5, "z")
    assert out.named_outputs == {"o0": 5, "o1": "z"}
    assert repr(out) == 'ActionOutputs(o0=5, o1="z")'
    x, label = out
    assert (x, label) == (5, "z")


def test_a_named_tuple_is_spread_under_the_sdks_names():
    out = flyte.run(named).outputs()
    assert out == (7, "lbl") and out.named_outputs == {"o0": 7, "o1": "lbl"}
    assert repr(out) == 'ActionOutputs(o0=7, o1="lbl")'
    assert not hasattr(out, "total")  # as in the SDK: o0, o1 only


def test_none_is_one_output():
    out = flyte.run(nothing).outputs()
    assert out == (None,) and repr(out) == "ActionOutputs(o0=None)"


def test_unannotated_tasks_spread_a_returned_tuple_and_keep_anything_else_whole():
    assert flyte.run(unannotated_pair, 3).outputs() == (3, 4)
    assert flyte.run(unannotated_list).outputs() == ([1, 2],)


def test_a_bare_or_variable_length_tuple_annotation_is_one_output():
    assert flyte.run(a_tuple_as_one_value).outputs() == ((1, 2),)
    assert flyte.run(any_length).outputs() == ((1, 2, 3),)


def test_to_dict_and_to_json_give_the_outputs_by_name():
    out = flyte.run(pair, 5).outputs()
    assert out.to_dict() == {"o0": 5, "o1": "z"}
    assert json.loads(out.to_json()) == {"o0": 5, "o1": "z"}
    again = pickle.loads(pickle.dumps(out))
    assert again == out and again.o1 == "z" and repr(again) == repr(out)


def test_await_run_gives_the_value_as_returned():
    async def notebook_cell() -> tuple[object, object, object]:
        return await flyte.run(pair, 2), await flyte.run(four), (await flyte.run(pair, 2).outputs.aio()).o1

    assert asyncio.run(notebook_cell()) == ((2, "z"), 4, "z")


# ---------------------------------------------------------------------------- inputs()


def test_inputs_are_the_entry_tasks_arguments_by_name_with_defaults():
    run = flyte.run(pair, 5)
    inputs = run.inputs()
    assert type(inputs).__name__ == "ActionInputs"
    assert inputs["x"] == 5 and inputs["label"] == "z" and dict(inputs) == {"x": 5, "label": "z"}
    assert inputs.to_dict() == {"x": 5, "label": "z"} and json.loads(inputs.to_json()) == {"x": 5, "label": "z"}
    assert repr(inputs) == "{'x': 5, 'label': 'z'}"
    assert dict(flyte.run(pair, label="k", x=1).inputs()) == {"x": 1, "label": "k"}
    assert dict(flyte.run(four).inputs()) == {}


# ---------------------------------------------------------------------------- waiting, state


def test_state_and_wait_take_the_sdks_keywords():
    run = flyte.with_runcontext(name="sdk-wait").run(four)
    assert run.name == "sdk-wait" and run.phase == "succeeded" and run.done()
    assert run.url.endswith("runs/sdk-wait")
    assert run.wait(quiet=True, wait_for="terminal") is run
    assert run.wait(quiet=False, wait_for="running") is run
    assert run.sync() is run
    with pytest.raises(ValueError, match="wait_for must be 'terminal' or 'running'"):
        run.wait(wait_for="logs-ready")


def test_wait_for_running_returns_once_the_run_has_started():
    async def notebook_cell() -> tuple[str, bool]:
        run = flyte.run(sleeps, 0.5)
        await run.wait.aio(wait_for="running")
        seen = run.phase, run.done()
        await run.wait.aio()
        return seen

    assert asyncio.run(notebook_cell()) == ("running", False)


# ---------------------------------------------------------------------------- a failed run raises


def test_a_failed_run_raises_from_flyte_run_in_a_script():
    with pytest.raises(Boom, match="bad 3") as info:
        flyte.run(fails)
    assert isinstance(info.value, errors.RuntimeUserError) and info.value.code == "Boom"


def test_a_failed_run_raises_from_wait_await_and_outputs_in_a_notebook():
    async def notebook_cell() -> list[str]:
        run = flyte.run(fails)  # returns at once
        caught = []
        with pytest.raises(Boom, match="bad 3"):
            await run
        caught.append("await")
        with pytest.raises(Boom, match="bad 3"):
            run.wait()
        caught.append("wait")
        with pytest.raises(Boom, match="bad 3"):
            await run.wait.aio()
        caught.append("wait.aio")
        with pytest.raises(Boom, match="bad 3"):
            run.outputs()
        caught.append("outputs")
        assert run.phase == "failed" and run.done()
        return caught

    assert asyncio.run(notebook_cell()) == ["await", "wait", "wait.aio", "outputs"]


def test_a_failed_script_exits_non_zero_with_the_error_on_stderr(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text(
        textwrap.dedent(
            """
            import flyte_nb as flyte

            env = flyte.TaskEnvironment("script")

            @env.task
            def divide(x: int) -> float:
                return 1 / x

            if __name__ == "__main__":
                print("before", flyte.run(divide, 2).outputs()[0])
                run = flyte.run(divide, 0)
                print("not reached", run.phase)
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout.split() == ["before", "0.5"]
    assert "Traceback" in done.stderr and "return 1 / x" in done.stderr
    assert done.stderr.rstrip().splitlines()[-2] == "ZeroDivisionError: division by zero"
    assert "raised by action script.divide" in done.stderr


# ---------------------------------------------------------------------------- abort


def test_abort_cancels_the_run_and_waiting_raises_the_sdks_aborted_error():
    async def notebook_cell() -> flyte.Run:
        run = flyte.run(sleeps, 30)
        await run.wait.aio(wait_for="running")
        assert run.abort(reason="not needed any more") is None
        with pytest.raises(RunCancelledError, match="not needed any more") as info:
            run.wait(timeout=5)
        assert isinstance(info.value, errors.ActionAbortedError) and info.value.code == "ActionAbortedError"
        with pytest.raises(errors.ActionAbortedError):
            await run
        with pytest.raises(RunCancelledError):
            run.outputs()
        await run.abort.aio()  # an ended run: nothing happens
        return run

    run = asyncio.run(notebook_cell())
    assert run.phase == "cancelled"


# ---------------------------------------------------------------------------- show_logs


@env.task
def talks(lines: int) -> int:
    for i in range(lines):
        print(f"line {i}")
    return lines


def test_show_logs_prints_what_the_entry_action_printed(capsys):
    run = flyte.run(talks, 5)
    capsys.readouterr()
    assert run.show_logs() is None
    assert capsys.readouterr().out.splitlines() == [f"line {i}" for i in range(5)]
    run.show_logs(max_lines=2, attempt=1, show_ts=True, raw=True, filter_system=True)
    assert capsys.readouterr().out.splitlines() == ["line 3", "line 4"]
    with pytest.raises(ValueError, match="attempt must be between 1 and 1"):
        run.show_logs(attempt=2)
    flyte.run(four).show_logs()
    assert capsys.readouterr().out.strip() == "(run_api.four printed nothing)"


@env.task
async def talks_slowly(lines: int) -> int:
    for i in range(lines):
        print(f"slow line {i}")
        await asyncio.sleep(0.05)
    return lines


def test_show_logs_of_a_running_run_follows_it_to_the_end(capsys):
    async def notebook_cell() -> None:
        run = flyte.run(talks_slowly, 4)  # returns at once
        run.show_logs()
        assert run.done()
        assert capsys.readouterr().out.splitlines()[-4:] == [f"slow line {i}" for i in range(4)]
        again = flyte.run(talks_slowly, 2)
        assert await again.show_logs.aio(max_lines=1) is None
        assert capsys.readouterr().out.splitlines()[-1:] == ["slow line 1"]

    asyncio.run(notebook_cell())
