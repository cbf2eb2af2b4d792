"""A task that fails away from the kernel (in a container, on a Dask worker) raises what it
raises in the kernel: the SDK's RuntimeUserError with the class name as its code, and still
the original class."""

from __future__ import annotations

import threading

import pytest

import flyte_nb as flyte
from flyte_nb import errors

env = flyte.TaskEnvironment("away_sdk_errors")


class Unpicklable(Exception):
    """Holds a lock: it cannot travel back from its container or worker as itself."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


@env.task
async def fails(kind: str) -> int:
    if kind == "value":
        raise ValueError("bad 3 away from the kernel")
    if kind == "custom":
        raise flyte.errors.CustomError("MyCode", "custom msg")
    raise Unpicklable("holds a lock")


@env.task
async def catches(kind: str) -> str:
    """Runs away from the kernel too: the child's error reaches it over the callback socket."""
    try:
        await fails(kind)
    except ValueError as exc:
        sdk = isinstance(exc, flyte.errors.RuntimeUserError)
        return f"ValueError {sdk} {getattr(exc, 'code', None)} {exc}"
    except flyte.errors.RuntimeUserError as exc:
        return f"RuntimeUserError {exc.code} {exc}"
    return "nothing raised"


def test_a_child_error_in_a_parent_away_is_both_classes(away_store):
    assert flyte.run(catches, "value").outputs()[0] == "ValueError True ValueError bad 3 away from the kernel"
    assert flyte.run(catches, "custom").outputs()[0] == "RuntimeUserError MyCode custom msg"
    assert flyte.run(catches, "lock").outputs()[0] == "RuntimeUserError Unpicklable holds a lock"


def test_the_runs_error_from_away(away_store):
    with pytest.raises(ValueError, match="bad 3 away from the kernel") as info:
        flyte.run(fails, "value").outputs()
    assert isinstance(info.value, errors.RuntimeUserError) and info.value.code == "ValueError"
    with pytest.raises(errors.RemoteTaskError) as lost:
        flyte.run(fails, "lock").outputs()
    exc = lost.value
    assert isinstance(exc, errors.RuntimeUserError) and (exc.code, exc.error_type) == ("Unpicklable", "Unpicklable")
    assert str(exc) == "holds a lock" and any("Unpicklable" in note for note in exc.__notes__)
