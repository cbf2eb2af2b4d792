"""flyte_nb.errors carries the Flyte SDK's flyte.errors name by name, with its constructors, bases
and attributes, and a failed task raises the SDK's errors while keeping its own class.

The SDK's names come from sdk_reference/flyte_errors.json (written by make_flyte_errors.py with
the SDK installed); these tests never import the SDK.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import json
import pickle
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from support import ended_run

import flyte_nb as flyte
from flyte_nb import errors
from flyte_nb.errors import action_failure_of

REFERENCE = json.loads((Path(__file__).parent / "sdk_reference" / "flyte_errors.json").read_text())
SDK_NAMES: dict[str, dict[str, Any]] = REFERENCE["names"]
SDK_CLASSES = sorted(name for name, spec in SDK_NAMES.items() if spec["kind"] == "class")

env = flyte.TaskEnvironment("sdk_errors")
QUICK = flyte.Backoff(timedelta(seconds=0.01), 1.0, None)


def test_the_reference_is_the_sdk_release_flyte_nb_follows():
    assert REFERENCE["sdk_version"] == "2.12.1" and len(SDK_NAMES) == 56


@pytest.mark.parametrize("name", sorted(SDK_NAMES))
def test_every_sdk_name_exists_in_flyte_errors(name: str):
    assert hasattr(errors, name), f"flyte_nb.errors lacks the SDK's {name}"
    assert name in errors.__all__
    assert getattr(flyte.errors, name) is getattr(errors, name)


def _sdk_class_to_ours(qualified: str) -> type:
    module, _, name = qualified.rpartition(".")
    return getattr(builtins, name) if module == "builtins" else getattr(errors, name)


@pytest.mark.parametrize("name", SDK_CLASSES)
def test_each_class_has_the_sdks_bases_in_the_sdks_order(name: str):
    """The SDK's ancestors, in order, within ours; flyte_nb may add its own between them (a
    TimeoutError for the timeouts, ConfigError for ImageBuildError, ...)."""
    ours = list(getattr(errors, name).__mro__)
    positions = [ours.index(_sdk_class_to_ours(base)) for base in SDK_NAMES[name]["mro"]]
    assert positions == sorted(positions), f"{name}: {[c.__name__ for c in ours]}"


@pytest.mark.parametrize("name", [n for n in SDK_CLASSES if SDK_NAMES[n]["signature"] is not None])
def test_each_class_takes_the_sdks_arguments(name: str):
    """The SDK's parameters, in order, with their kinds and defaults; flyte_nb adds only
    keyword-only parameters with defaults (OOMError's exit_code, a timeout's seconds, ...)."""
    params = list(inspect.signature(getattr(errors, name)).parameters.values())
    sdk = SDK_NAMES[name]["signature"]
    shape = [(p.name, p.kind.name, None if p.default is p.empty else repr(p.default)) for p in params[: len(sdk)]]
    assert shape == [(p["name"], p["kind"], p["default"]) for p in sdk]
    extra = params[len(sdk) :]
    assert all(p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in extra), extra


@pytest.mark.parametrize("name", [n for n in SDK_CLASSES if SDK_NAMES[n]["sample"] is not None])
def test_an_instance_holds_what_the_sdks_does(name: str):
    sample = SDK_NAMES[name]["sample"]
    exc = getattr(errors, name)(*sample["args"])
    assert str(exc) == sample["str"]
    for attribute, value in sample.items():
        if attribute not in ("args", "str"):
            assert getattr(exc, attribute) == value, attribute
    again = pickle.loads(pickle.dumps(exc))  # crosses to containers and Dask workers as itself
    assert type(again) is type(exc) and str(again) == str(exc) and again.__dict__ == exc.__dict__


def test_the_sdks_constants_and_functions():
    for name, spec in SDK_NAMES.items():
        value = getattr(errors, name)
        if spec["kind"] == "literal":
            assert list(typing.get_args(value)) == spec["values"]
        elif spec["kind"] == "constant" and isinstance(spec["value"], dict):
            assert {code: cls.__name__ for code, cls in value.items()} == spec["value"]
        elif spec["kind"] == "constant":
            assert list(value) == spec["value"]
        elif spec["kind"] == "function":
            assert list(inspect.signature(value).parameters) == [p["name"] for p in spec["signature"]]


def test_silence_polling_error_drops_blocking_io_errors_only():
    seen: list[dict] = []
    loop = asyncio.new_event_loop()
    loop.default_exception_handler = seen.append  # type: ignore[method-assign]  # records what reaches it
    try:
        errors.silence_polling_error(loop, {"exception": BlockingIOError()})
        errors.silence_polling_error(loop, {"exception": ValueError()})
    finally:
        loop.close()
    assert len(seen) == 1 and isinstance(seen[0]["exception"], ValueError)


def test_arithmetic_on_an_error_raises_it():
    failed = errors.RuntimeUserError("ValueError", "item 2 failed")
    operations = (
        lambda: 1 + failed,
        lambda: failed - 1,
        lambda: 2 * failed,
        lambda: failed / 2,
        lambda: sum([1, failed]),
    )
    for operation in operations:
        with pytest.raises(errors.RuntimeUserError, match="item 2 failed"):
            operation()


def test_flyte_nb_classes_that_are_also_the_sdks():
    oom = errors.OOMError("OOMKilled", "killed", exit_code=137, logs="the log")
    assert isinstance(oom, errors.RuntimeUserError) and isinstance(oom, errors.ContainerError)
    assert (oom.code, oom.kind, oom.exit_code, oom.oom_killed, oom.logs) == ("OOMKilled", "user", 137, True, "the log")
    image = errors.ImageBuildError("step 3 failed")
    assert isinstance(image, errors.RuntimeUserError) and isinstance(image, errors.ConfigError)
    assert isinstance(image, ValueError) and image.code == "ImageBuildError"
    too_large = errors.DataTooLargeError("12 MB > 10 MB")
    assert isinstance(too_large, errors.InlineIOMaxBytesBreached) and isinstance(too_large, ValueError)
    assert too_large.code == "InlineIOMaxBytesBreached"
    remote = errors.RemoteTaskError("no pickle", error_type="Odd")
    assert isinstance(remote, errors.RuntimeUserError) and remote.code == "Odd" and str(remote) == "no pickle"
    stop = errors.NonRecoverableError("negative input")
    assert stop.code == "NonRecoverableError" and stop.kind == "user"
    assert errors.ActionTimeoutError is errors.TaskTimeoutError
    for timeout in (errors.MaxRuntimeExceededError, errors.DeadlineExceededError, errors.MaxQueuedTimeExceededError):
        exc = timeout("late", action="a", attempt=2, seconds=1.5)
        assert isinstance(exc, TimeoutError) and isinstance(exc, errors.FlyteNbError)
        assert (exc.code, exc.worker, exc.action, exc.attempt, exc.seconds) == (timeout.__name__, "user", "a", 2, 1.5)
    for exc in (oom, image, too_large, remote, stop, errors.MaxRuntimeExceededError("late", seconds=2.0)):
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc) and again.__dict__ == exc.__dict__ and str(again) == str(exc)


def test_custom_error_from_exception():
    cause = KeyError("k")
    custom = errors.CustomError.from_exception(cause)
    assert (custom.code, str(custom), custom.__cause__) == ("KeyError", "'k'", cause)


# ------------------------------------------------------------------ what a failed task raises


class Boom(ValueError):
    def __init__(self, item: int) -> None:  # not called again for the copy the parent gets
        super().__init__(f"item {item} is bad")
        self.item = item


class WithItsOwnCode(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Final(Exception):
    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError("Final takes no subclasses")


@env.task
async def fails_with(kind: str) -> int:
    if kind == "value":
        raise ValueError("bad 3")
    if kind == "boom":
        raise Boom(3)
    if kind == "file":
        open("/no/such/file/here").close()  # raises FileNotFoundError
    if kind == "custom":
        raise flyte.errors.CustomError("MyCode", "custom msg")
    if kind == "own-code":
        raise WithItsOwnCode("has a code", 404)
    if kind == "final":
        raise Final("no subclass of mine")
    return 0


@env.task
async def catches(kind: str) -> str:
    try:
        await fails_with(kind)
    except ValueError as exc:
        return f"ValueError {type(exc).__name__} {exc}"
    except flyte.errors.RuntimeUserError as exc:
        return f"RuntimeUserError {exc.code} {exc}"
    return "nothing raised"


@env.task
async def catches_the_sdk_way() -> str:
    try:
        await fails_with("value")
    except flyte.errors.RuntimeUserError as exc:
        return f"{exc.code} {exc.kind} {exc.worker} {exc}"
    return "nothing raised"


def test_a_child_value_error_is_caught_by_except_value_error_and_by_runtime_user_error():
    assert flyte.run(catches, "value").outputs()[0] == "ValueError ValueError bad 3"
    assert flyte.run(catches_the_sdk_way).outputs()[0] == "ValueError user user bad 3"
    assert flyte.run(catches, "custom").outputs()[0] == "RuntimeUserError MyCode custom msg"


@env.task
def sync_fails() -> int:
    raise KeyError("no such key")


@env.task
def sync_catches() -> str:
    try:
        sync_fails()
    except KeyError as exc:
        return f"KeyError {isinstance(exc, flyte.errors.RuntimeUserError)} {exc.code} {exc}"
    return "nothing raised"


def test_a_sync_child_error_in_a_sync_parent_is_both_classes():
    assert flyte.run(sync_catches).outputs()[0] == "KeyError True KeyError 'no such key'"


def test_the_runs_error_is_the_original_class_and_the_sdks():
    with pytest.raises(errors.RuntimeUserError, match="item 3 is bad"):
        flyte.run(fails_with, "boom")  # a script stops on the failed run
    run = ended_run(fails_with, "boom")
    with pytest.raises(Boom, match="item 3 is bad") as info:
        run.outputs()
    exc = info.value
    assert isinstance(exc, errors.RuntimeUserError) and isinstance(exc, ValueError)
    assert (exc.code, exc.kind, exc.worker, exc.item, str(exc)) == ("Boom", "user", "user", 3, "item 3 is bad")
    assert type(exc).__name__ == "Boom" and repr(exc) == "Boom('item 3 is bad')"
    failure = action_failure_of(exc)
    assert failure is not None and failure.action == "sdk_errors.fails_with" and "raise Boom(3)" in failure.traceback
    assert any("sdk_errors.fails_with" in note for note in exc.__notes__)
    assert run.controller.actions[0].error.type == "Boom"
    assert any(frame.name == "fails_with" for frame in __import__("traceback").extract_tb(exc.__traceback__))
    for again in (pickle.loads(pickle.dumps(exc)), cloudpickle.loads(cloudpickle.dumps(exc))):
        assert type(again) is type(exc) and again.code == "Boom" and again.item == 3 and str(again) == str(exc)


def test_an_os_error_keeps_its_fields():
    with pytest.raises(FileNotFoundError) as info:
        flyte.run(fails_with, "file").outputs()
    exc = info.value
    assert isinstance(exc, errors.RuntimeUserError) and exc.code == "FileNotFoundError"
    assert exc.errno == 2 and exc.filename == "/no/such/file/here" and "No such file" in str(exc)


def test_an_exception_with_its_own_code_is_raised_as_it_is():
    with pytest.raises(WithItsOwnCode) as info:
        flyte.run(fails_with, "own-code").outputs()
    assert info.value.code == 404 and not isinstance(info.value, errors.RuntimeUserError)
    assert any("not also as a flyte.errors.RuntimeUserError" in note for note in info.value.__notes__)


@env.task
async def passes_it_on(kind: str) -> int:
    return await fails_with(kind)


def test_an_exception_that_cannot_be_combined_is_raised_as_it_is_with_one_note():
    with pytest.raises(Final, match="no subclass of mine") as info:
        flyte.run(passes_it_on, "final").outputs()  # through two actions: one note
    notes = [note for note in info.value.__notes__ if "not also as a flyte.errors.RuntimeUserError" in note]
    assert len(notes) == 1 and "Final takes no subclasses" in notes[0]
    assert not isinstance(info.value, errors.RuntimeUserError)


def test_map_return_exceptions_returns_the_same_errors():
    @env.task
    async def main() -> list:
        return list(flyte.map(fails_with, ["value", "none", "custom"], return_exceptions=True))

    value, zero, custom = flyte.run(main).outputs()[0]
    assert zero == 0
    assert isinstance(value, ValueError) and isinstance(value, errors.RuntimeUserError) and value.code == "ValueError"
    assert type(custom) is errors.CustomError and custom.code == "MyCode"
    with pytest.raises(ValueError, match="bad 3"):
        sum([zero, value])


# ------------------------------------------------------------------ timeouts, retries


@env.task(timeout=0.2)
async def too_slow() -> str:
    await asyncio.sleep(5)
    return "finished"


@env.task(timeout=flyte.Timeout(deadline=0.3), retries=flyte.RetryStrategy(5, backoff=QUICK))
async def past_deadline() -> str:
    await asyncio.sleep(0.2)
    raise ValueError("not yet")


def test_a_timed_out_attempt_raises_max_runtime_exceeded():
    with pytest.raises(errors.MaxRuntimeExceededError, match="timed out after 0.2 s") as info:
        flyte.run(too_slow).outputs()
    exc = info.value
    assert isinstance(exc, TimeoutError) and isinstance(exc, errors.TaskTimeoutError)
    assert isinstance(exc, errors.ActionTimeoutError) and isinstance(exc, errors.RuntimeUserError)
    assert (exc.code, exc.attempt, exc.seconds) == ("MaxRuntimeExceededError", 1, 0.2)


def test_an_action_past_its_deadline_raises_deadline_exceeded():
    with pytest.raises(errors.DeadlineExceededError, match="deadline of 0.3 s") as info:
        flyte.run(past_deadline).outputs()
    assert isinstance(info.value, TimeoutError) and info.value.code == "DeadlineExceededError"


@env.task(timeout=flyte.Timeout(max_queued_time=0.1))
async def queued(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


def test_waiting_past_max_queued_time_raises_max_queued_time_exceeded():
    @env.task
    async def main() -> list:
        return list(await asyncio.gather(queued(1.0), queued(0.0), return_exceptions=True))

    run = flyte.with_runcontext(max_action_concurrency=1).run(main)
    first, second = run.outputs()[0]
    late = first if isinstance(first, BaseException) else second
    assert isinstance(late, errors.MaxQueuedTimeExceededError) and isinstance(late, TimeoutError)
    assert late.code == "MaxQueuedTimeExceededError"


class Attempts:
    count = 0


@env.task(retries=flyte.RetryStrategy(3, backoff=QUICK))
async def stops_at_once(x: int) -> int:
    Attempts.count += 1
    raise flyte.errors.NonRecoverableError(f"Input x={x} is negative")


def test_non_recoverable_error_skips_retries_and_keeps_its_code():
    Attempts.count = 0
    with pytest.raises(errors.NonRecoverableError, match="x=-5 is negative") as info:
        flyte.run(stops_at_once, -5).outputs()
    assert Attempts.count == 1 and type(info.value) is errors.NonRecoverableError
    assert info.value.code == "NonRecoverableError"
