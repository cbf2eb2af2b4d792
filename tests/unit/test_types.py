"""Task inputs and outputs are checked and converted by annotation, as the Flyte 2 SDK does.

Each expectation here was checked against the SDK (flyte 2.12.1, local mode); where flyte_nb
accepts what the SDK refuses (an enum member's value, an int for a float, a dict for a
NamedTuple), the test says so.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Any, NamedTuple, Optional, TypedDict, Union

import pydantic
import pytest

import flyte_nb as flyte

env = flyte.TaskEnvironment("types")


def sole_output(run: flyte.Run) -> Any:
    """The run's one output (``outputs()`` may give it bare or as a one-item tuple)."""
    value = run.outputs()
    return value[0] if type(value).__name__ == "ActionOutputs" else value


@dataclasses.dataclass
class Point:
    a: int
    b: str = "x"


@dataclasses.dataclass
class Outer:
    inner: Point
    points: list[Point]
    weight: float = 1.0


class Model(pydantic.BaseModel):
    a: int
    point: Point | None = None


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Pair(NamedTuple):
    a: int
    b: str


class Record(TypedDict):
    a: int
    b: str


@env.task
async def wants_int(x: int) -> str:
    return repr(x)


@env.task
async def wants_float(x: float) -> str:
    return repr(x)


@env.task
async def wants_bool(x: bool) -> str:
    return repr(x)


@env.task
async def wants_point(p: Point) -> str:
    return repr(p)


@env.task
async def wants_outer(o: Outer) -> str:
    return repr(o)


@env.task
async def wants_model(m: Model) -> str:
    return repr(m)


@env.task
async def wants_colour(c: Colour) -> str:
    return repr(c)


@env.task
async def wants_optional(x: Optional[int] = None) -> str:  # noqa: UP045 - the spelling the SDK's message shows
    return repr(x)


@env.task
async def wants_union(x: Union[int, str]) -> str:  # noqa: UP007 - the spelling the SDK's message shows
    return repr(x)


@env.task
async def wants_list(x: list[int]) -> str:
    return repr(x)


@env.task
async def wants_points(x: list[Point], by_name: dict[str, Point]) -> str:
    return repr((x, by_name))


@env.task
async def wants_map(x: dict[str, int]) -> str:
    return repr(x)


@env.task
async def wants_tuple(x: tuple[int, str]) -> str:
    return repr(x)


@env.task
async def wants_pair(x: Pair) -> str:
    return f"{type(x).__name__} {x!r}"


@env.task
async def wants_record(x: Record) -> str:
    return repr(x)


@env.task
async def unchecked(x, y: Any, z: typing.Literal["a", "b"] = "a") -> str:  # type: ignore[no-untyped-def]  # unannotated on purpose
    return repr((x, y, z))


@env.task
async def returns_dict_for_point() -> Point:
    return {"a": 1}  # type: ignore[return-value]  # converted per the annotation, as the SDK does


@env.task
async def returns_str_for_int() -> int:
    return "3"  # type: ignore[return-value]  # refused, as the SDK does


@env.task
async def calls_wants_int() -> str:
    try:
        await wants_int("3")  # type: ignore[arg-type]  # a wrong type, refused at the call
    except TypeError as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return "no error"


def sdk_message(name: str, expected: str, actual: str, value: str, reason: str) -> str:
    return (
        f"Type conversion failed for variable '{name}'.\nExpected type: {expected}\nActual type: {actual}\n"
        f"Value received: {value}\nReason: {reason}"
    )


def refused(task: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the plain TypeError ``flyte.run`` raises, before the run starts."""
    with pytest.raises(TypeError) as info:
        flyte.run(task, *args, **kwargs)
    assert type(info.value) is TypeError
    return str(info.value)


# ---------------------------------------------------------------------- refused, in the SDK's words
def test_a_wrong_simple_type_is_the_sdks_type_error():
    assert refused(wants_int, "3") == sdk_message(
        "x",
        "<class 'int'>",
        "<class 'str'>",
        "'3'",
        "Expected value of type <class 'int'> but got '3' of type <class 'str'>",
    )
    assert refused(wants_int, 3.5) == sdk_message(
        "x",
        "<class 'int'>",
        "<class 'float'>",
        "3.5",
        "Expected value of type <class 'int'> but got '3.5' of type <class 'float'>",
    )
    assert refused(wants_int, x=True).endswith(
        "Reason: Field flyteidl2.core.Primitive.integer: Expected an int, got a boolean."
    )
    assert "Actual type: <class 'int'>" in refused(wants_bool, 1)
    assert "Actual type: <class 'str'>" in refused(wants_float, "3.5")


def test_no_action_runs_for_a_refused_input():
    calls: list[int] = []

    @env.task
    async def records(x: int) -> int:
        calls.append(x)
        return x

    refused(records, "3")
    assert calls == []
    assert sole_output(flyte.run(records, 3)) == 3
    assert calls == [3]


def test_a_task_called_with_a_wrong_type_inside_a_run_raises_at_the_call():
    assert sole_output(flyte.run(calls_wants_int)) == "TypeError: Type conversion failed for variable 'x'."


def test_an_int_for_a_float_is_taken_where_the_sdk_refuses_it():
    assert sole_output(flyte.run(wants_float, 3)) == "3.0"  # the SDK: TypeError; Python's typing takes it


def test_containers_are_checked_item_by_item():
    assert refused(wants_list, [1, "2"]).endswith(
        "Reason: Expected value of type <class 'int'> but got '2' of type <class 'str'>"
    )
    assert refused(wants_list, (1, 2)).endswith("Reason: Value '(1, 2)' is not of container type <class 'list'>")
    assert refused(wants_map, {"k": "v"}).startswith(
        "Type conversion failed for variable 'x'.\nExpected type: dict[str, int]\nActual type: <class 'dict'>"
    )
    assert refused(wants_map, {1: 2}).endswith("Reason: Flyte MapType expects all keys to be strings")


def test_optional_and_union():
    assert sole_output(flyte.run(wants_optional)) == "None"
    assert sole_output(flyte.run(wants_optional, None)) == "None"
    assert sole_output(flyte.run(wants_optional, 3)) == "3"
    assert refused(wants_optional, "3").endswith("Reason: Value 3 is not of type typing.Optional[int]")
    assert sole_output(flyte.run(wants_union, "a")) == "'a'"
    assert refused(wants_union, 3.5).endswith("Reason: Value 3.5 is not of type typing.Union[int, str]")


# ---------------------------------------------------------------------- converted
def test_a_dict_becomes_the_dataclass():
    assert sole_output(flyte.run(wants_point, {"a": 1})) == "Point(a=1, b='x')"
    assert sole_output(flyte.run(wants_point, Point(2))) == "Point(a=2, b='x')"
    assert sole_output(flyte.run(wants_outer, {"inner": {"a": 1}, "points": [{"a": 2}]})) == (
        "Outer(inner=Point(a=1, b='x'), points=[Point(a=2, b='x')], weight=1.0)"
    )


def test_a_dict_that_does_not_fit_the_dataclass_is_refused():
    assert refused(wants_point, {"a": "1"}).endswith(
        "Reason: Type of Val '<class 'str'>' is not an instance of <class 'int'>"
    )
    assert refused(wants_point, {"z": 1}).endswith(
        "Reason: The original fields are missing the following keys from the dataclass fields: ['a']"
    )
    assert refused(wants_point, {"a": 1, "z": 2}).endswith(
        "Reason: The original fields have the following extra keys that are not in dataclass fields: ['z']"
    )
    assert refused(wants_point, 5).endswith("Reason: must be called with a dataclass type or instance")


def test_a_dict_becomes_the_pydantic_model():
    assert sole_output(flyte.run(wants_model, {"a": 1, "point": {"a": 2}})) == "Model(a=1, point=Point(a=2, b='x'))"
    message = refused(wants_model, {"a": "x"})
    assert f"Reason: Failed to coerce dict into {Model!r}: 1 validation error for Model" in message


def test_dataclasses_in_lists_and_dicts():
    assert sole_output(flyte.run(wants_points, [{"a": 1}], {"k": {"a": 2}})) == (
        "([Point(a=1, b='x')], {'k': Point(a=2, b='x')})"
    )


def test_enums_take_a_member_its_name_and_its_value():
    assert sole_output(flyte.run(wants_colour, Colour.RED)) == "<Colour.RED: 'red'>"
    assert sole_output(flyte.run(wants_colour, "RED")) == "<Colour.RED: 'red'>"  # the SDK's form
    assert sole_output(flyte.run(wants_colour, "red")) == "<Colour.RED: 'red'>"  # the SDK refuses a value
    assert refused(wants_colour, "green").endswith("Reason: Value green is not in Enum <enum 'Colour'>")


def test_tuples_named_tuples_and_typed_dicts():
    assert sole_output(flyte.run(wants_tuple, [1, "a"])) == "(1, 'a')"
    assert "Reason: Expected value of type <class 'str'> but got '2'" in refused(wants_tuple, (1, 2))
    assert sole_output(flyte.run(wants_pair, (1, "a"))) == "Pair Pair(a=1, b='a')"
    assert sole_output(flyte.run(wants_pair, {"a": 1, "b": "x"})) == "Pair Pair(a=1, b='x')"  # the SDK: KeyError
    assert sole_output(flyte.run(wants_record, {"a": 1, "b": "x"})) == "{'a': 1, 'b': 'x'}"
    assert "missing required keys ['b']" in refused(wants_record, {"a": 1})


def test_unannotated_any_and_literal_parameters_are_not_checked():
    assert sole_output(flyte.run(unchecked, {1}, object, "c")) == f"({{1}}, {object!r}, 'c')"


def test_outputs_are_converted_and_checked_per_the_return_annotation():
    assert sole_output(flyte.run(returns_dict_for_point)) == Point(1)
    with pytest.raises(flyte.errors.RuntimeDataValidationError) as info:
        sole_output(flyte.run(returns_str_for_int))
    assert str(info.value).startswith(
        "In task types.returns_str_for_int variable o0, failed to serialize/deserialize because of "
        "Expected value of type <class 'int'> but got '3' of type <class 'str'>"
    )


def test_map_converts_each_item():
    @env.task
    async def fan() -> list[str]:
        return [r async for r in flyte.map.aio(wants_point, [{"a": 1}, Point(2)])]

    assert sole_output(flyte.run(fan)) == ["Point(a=1, b='x')", "Point(a=2, b='x')"]


@pytest.mark.parametrize("concurrency", [0, 1])
def test_an_item_that_does_not_fit_is_that_items_failure_in_a_map(concurrency: int):
    @env.task
    async def fan() -> list[str]:
        results = [r async for r in flyte.map.aio(wants_int, [1, "2", 3], concurrency=concurrency)]
        return [r if isinstance(r, str) else f"{type(r).__name__}: {str(r).splitlines()[0]}" for r in results]

    assert sole_output(flyte.run(fan)) == ["1", "TypeError: Type conversion failed for variable 'x'.", "3"]
