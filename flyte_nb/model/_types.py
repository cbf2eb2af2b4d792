"""Task inputs and outputs checked and converted by annotation, as the Flyte 2 SDK does.

A value that does not fit its parameter's annotation is a plain ``TypeError`` in the SDK's
words (``Type conversion failed for variable 'x'. ...``), raised at the call, before any
action starts. Values the SDK converts are converted: a dict to a dataclass or a pydantic
model (nested, in lists and dicts), a member name to its enum, a list to a tuple or
NamedTuple. Unannotated parameters and ``typing.Any`` are not checked.

The work for a task is planned once (``plan_of``), on its first call: a parameter
annotated ``int`` costs one ``type(v) is int`` per call. Converters for types that live
above this floor (``flyte_nb.io`` and the frames it reads) are added with
:func:`register_rule`; a conversion that reads stored data (a stored DataFrame given to a
``pd.DataFrame`` parameter) is *late*: it runs where the task body runs, not in the caller.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import sys
import types
import typing
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from ..errors import RuntimeDataValidationError

__all__ = ["Conversion", "MismatchError", "Plan", "converted_output", "late_inputs", "plan_of", "register_rule"]


class MismatchError(Exception):
    """A value does not fit an annotation; ``reason`` says why, in the SDK's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Conversion(NamedTuple):
    """How to check one annotation: ``convert(value, late)`` gives the value to pass (the
    same object when nothing changes) or raises :class:`MismatchError`. ``late`` says whether
    some part of it only converts where the body runs (``late=True``)."""

    convert: Callable[[Any, bool], Any]
    late: bool = False


#: A rule for types this floor cannot name: a Conversion for the annotation, or None.
Rule = Callable[[Any], "Conversion | None"]

_rules: list[Rule] = []
_conversions: dict[Any, Conversion | None] = {}
_plans: weakref.WeakKeyDictionary[Callable[..., Any], Plan] = weakref.WeakKeyDictionary()

_UNCHECKED: frozenset[Any] = frozenset({Any, object, inspect.Parameter.empty})


def register_rule(rule: Rule) -> None:
    """Add a rule (consulted before the built-in ones); plans made so far are made again."""
    _rules.append(rule)
    _conversions.clear()
    for plan in list(_plans.values()):
        plan.stale = True
    _plans.clear()


def expected(annotation: Any, value: Any) -> str:
    """The SDK's usual reason."""
    return f"Expected value of type {annotation!r} but got '{value}' of type {type(value)!r}"


# ---------------------------------------------------------------------- the plan of a task
class Plan:
    """What to check for one task function: its annotated parameters and its return."""

    __slots__ = ("__weakref__", "exact_output", "fits", "late", "output", "params", "stale")

    def __init__(self, signature: inspect.Signature) -> None:
        params: list[tuple[int, str, Any, type | None, Callable[[Any, bool], Any]]] = []
        late = False
        for position, param in enumerate(signature.parameters.values()):
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            conversion = conversion_for(param.annotation)
            if conversion is None:
                continue
            index = position if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD) else -1
            exact = param.annotation if param.annotation in _EXACT else None
            params.append((index, param.name, param.annotation, exact, conversion.convert))
            late = late or conversion.late
        #: (position or -1, name, annotation, the type whose exact instances pass as they are, convert)
        self.params = tuple(params)
        #: whether some input converts only where the body runs
        self.late = late
        exact_args: tuple[type, ...] | None = None
        if all(index == at and exact is not None for at, (index, _, _, exact, _) in enumerate(self.params)):
            exact_args = tuple(exact for _, _, _, exact, _ in self.params if exact is not None)
        #: ``fits(args)``: True when the positional arguments (and no keywords) need no look at
        #: all: every checked parameter is one of the first positions with an exact type
        #: (int, str, ...) and each argument is exactly of that type
        self.fits = _fits_exactly(exact_args)
        returned = signature.return_annotation
        self.output = None if returned is None or returned is type(None) else conversion_for(returned)
        #: a return value of exactly this type passes as it is
        self.exact_output: type = returned if returned in _EXACT else _Never
        self.stale = False

    def inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any], late: bool = False) -> tuple[Any, Any]:
        """``args`` and ``kwargs`` converted (the same objects when nothing changes); a value
        that does not fit raises the SDK's ``TypeError``."""
        count = len(args)
        new_args: list[Any] | None = None
        new_kwargs: dict[str, Any] | None = None
        for index, name, annotation, exact, convert in self.params:
            if 0 <= index < count:
                value = args[index]
                if type(value) is exact:
                    continue
                converted = _converted(convert, value, late, name, annotation)
                if converted is not value:
                    if new_args is None:
                        new_args = list(args)
                    new_args[index] = converted
            elif name in kwargs:
                value = kwargs[name]
                if type(value) is exact:
                    continue
                converted = _converted(convert, value, late, name, annotation)
                if converted is not value:
                    if new_kwargs is None:
                        new_kwargs = dict(kwargs)
                    new_kwargs[name] = converted
        return (args if new_args is None else tuple(new_args)), (kwargs if new_kwargs is None else new_kwargs)

    def returned(self, task: str, value: Any) -> Any:
        """A body's return value converted per the return annotation (where the body runs)."""
        if self.output is None:
            return value
        try:
            return self.output.convert(value, True)
        except MismatchError as exc:
            raise RuntimeDataValidationError("o0", exc.reason, task) from None


def _fits_exactly(kinds: tuple[type, ...] | None) -> Callable[[tuple[Any, ...]], bool]:
    """A quick test that positional arguments are exactly of ``kinds`` (the common calls spelled
    out: ``tuple(map(type, args))`` costs more than the rest of a call's checks)."""
    if kinds is None:
        return lambda args: False
    if len(kinds) == 1:
        (first,) = kinds
        return lambda args: len(args) == 1 and type(args[0]) is first
    if len(kinds) == 2:
        first, second = kinds
        return lambda args: len(args) == 2 and type(args[0]) is first and type(args[1]) is second
    return lambda args: tuple(map(type, args)) == kinds


class _Never:
    """No value is of this type (a plan's ``exact_output`` when the return needs a look)."""


def _converted(convert: Callable[[Any, bool], Any], value: Any, late: bool, name: str, annotation: Any) -> Any:
    try:
        return convert(value, late)
    except MismatchError as exc:
        raise TypeError(
            f"Type conversion failed for variable '{name}'.\nExpected type: {annotation!r}\n"
            f"Actual type: {type(value)!r}\nValue received: {value!r}\nReason: {exc.reason}"
        ) from None


def plan_of(func: Callable[..., Any], signature: inspect.Signature | None = None) -> Plan:
    """The plan of ``func`` (made once per function)."""
    plan = _plans.get(func)
    if plan is None:
        if signature is None:
            try:
                signature = inspect.signature(func, eval_str=True)
            except (NameError, AttributeError, TypeError, SyntaxError):
                signature = inspect.signature(func)
        plan = _plans[func] = Plan(signature)
    return plan


def late_inputs(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """The inputs as the body of ``func`` takes them: late conversions done (where it runs)."""
    plan = plan_of(func)
    return plan.inputs(args, kwargs, late=True) if plan.late else (args, kwargs)


def converted_output(func: Callable[..., Any], task: str, value: Any) -> Any:
    """The body's return value converted per ``func``'s return annotation."""
    return plan_of(func).returned(task, value)


# ---------------------------------------------------------------------- conversions by annotation
def conversion_for(annotation: Any) -> Conversion | None:
    """How to check ``annotation``; None when it is not checked (Any, a bare class flyte
    does not know, an annotation left as a string)."""
    try:
        return _conversions[annotation]
    except KeyError:
        pass
    except TypeError:  # unhashable annotation
        return _build(annotation)
    if annotation in _building:  # a type that contains itself: look it up when converting
        return Conversion(lambda value, late: _recursive(annotation, value, late))
    _building.add(annotation)
    try:
        conversion = _conversions[annotation] = _build(annotation)
    finally:
        _building.discard(annotation)
    return conversion


_building: set[Any] = set()


def _recursive(annotation: Any, value: Any, late: bool) -> Any:
    conversion = conversion_for(annotation)
    return value if conversion is None else conversion.convert(value, late)


def _build(annotation: Any) -> Conversion | None:
    if isinstance(annotation, (str, typing.ForwardRef, typing.TypeVar)):
        return None
    try:
        if annotation in _UNCHECKED:
            return None
    except TypeError:
        pass
    for rule in _rules:
        found = rule(annotation)
        if found is not None:
            return found
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return conversion_for(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return _union(annotation, args)
    if origin is typing.Literal:
        return None  # the SDK passes a Literal's values unchecked (its enum_vals example relies on it)
    if origin is list:
        return _list(args[0] if args else Any)
    if origin is dict:
        return _dict(*(args or (Any, Any)))
    if origin is tuple:
        return _tuple(annotation, args)
    if annotation is None or annotation is type(None):
        return Conversion(_none)
    if not isinstance(annotation, type):
        return None
    if annotation in _EXACT:
        return Conversion(_SIMPLE.get(annotation) or _instance_of(annotation))
    if annotation in (list, dict, tuple, set, frozenset, datetime.datetime, datetime.date, datetime.timedelta):
        return Conversion(_instance_of(annotation))
    if issubclass(annotation, enum.Enum):
        return Conversion(_enum(annotation))
    if issubclass(annotation, tuple) and hasattr(annotation, "_fields"):
        return _named_tuple(annotation)
    if typing.is_typeddict(annotation):
        return _typed_dict(annotation)
    if dataclasses.is_dataclass(annotation):
        return _dataclass(annotation)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and issubclass(annotation, pydantic.BaseModel):
        return Conversion(_pydantic(annotation, pydantic.ValidationError))
    return None  # a class flyte does not know: passed as it is (the SDK pickles it)


def _instance_of(kind: type) -> Callable[[Any, bool], Any]:
    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, kind):
            return value
        raise MismatchError(expected(kind, value))

    return convert


def _int(value: Any, late: bool) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        raise MismatchError("Field flyteidl2.core.Primitive.integer: Expected an int, got a boolean.")
    raise MismatchError(expected(int, value))


def _float(value: Any, late: bool) -> Any:
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # the SDK refuses an int; Python's typing takes it
        return float(value)
    raise MismatchError(expected(float, value))


#: types whose exact instances pass unconverted (the plan skips them with one ``is``)
_EXACT: frozenset[type] = frozenset({int, float, str, bool, bytes})
_SIMPLE: dict[type, Callable[[Any, bool], Any]] = {int: _int, float: _float}


def _none(value: Any, late: bool) -> Any:
    if value is None:
        return value
    raise MismatchError(expected(type(None), value))


def _union(annotation: Any, members: tuple[Any, ...]) -> Conversion | None:
    conversions = [conversion_for(member) for member in members]
    if any(conversion is None for conversion in conversions):
        return None  # Optional[Any], a union with a class flyte does not know: not checked
    converts = [conversion.convert for conversion in conversions if conversion is not None]

    def convert(value: Any, late: bool) -> Any:
        for one in converts:
            try:
                return one(value, late)
            except MismatchError:
                continue
        raise MismatchError(f"Value {value} is not of type {annotation!r}")

    return Conversion(convert, any(c is not None and c.late for c in conversions))


def _list(item: Any) -> Conversion:
    conversion = conversion_for(item)

    def convert(value: Any, late: bool) -> Any:
        if not isinstance(value, list):
            raise MismatchError(f"Value '{value}' is not of container type {list!r}")
        if conversion is None:
            return value
        items = [conversion.convert(one, late) for one in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items

    return Conversion(convert, conversion is not None and conversion.late)


def _dict(key: Any, item: Any) -> Conversion:
    keys = conversion_for(key)
    conversion = conversion_for(item)

    def convert(value: Any, late: bool) -> Any:
        if not isinstance(value, dict):
            raise MismatchError(f"Value '{value}' is not of container type {dict!r}")
        if key is str and not all(isinstance(k, str) for k in value):
            raise MismatchError("Flyte MapType expects all keys to be strings")
        if keys is not None:
            for k in value:
                keys.convert(k, late)
        if conversion is None:
            return value
        items = {k: conversion.convert(v, late) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items

    return Conversion(convert, conversion is not None and conversion.late)


def _tuple(annotation: Any, members: tuple[Any, ...]) -> Conversion | None:
    if not members:
        return Conversion(_instance_of(tuple))
    if len(members) == 2 and members[1] is Ellipsis:
        rest = conversion_for(members[0])
        conversions = None
    else:
        rest = None
        conversions = [conversion_for(member) for member in members]

    def convert(value: Any, late: bool) -> Any:
        if not isinstance(value, (tuple, list)):
            raise MismatchError(expected(annotation, value))
        if conversions is None:
            items = [rest.convert(one, late) for one in value] if rest is not None else list(value)
        else:
            if len(value) != len(conversions):
                raise MismatchError(f"Expected {len(conversions)} items for {annotation!r}, got {len(value)}")
            items = [c.convert(one, late) if c is not None else one for c, one in zip(conversions, value, strict=True)]
        if isinstance(value, tuple) and all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items)

    late = (rest is not None and rest.late) or any(c is not None and c.late for c in conversions or ())
    return Conversion(convert, late)


#: a class's fields: name -> (annotation, how to check it)
Fields = dict[str, tuple[Any, "Conversion | None"]]


def _field_conversions(cls: type) -> Fields:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # hints naming what cannot be resolved: fields unchecked
        return {}
    return {name: (hint, conversion_for(hint)) for name, hint in hints.items()}


def _any_late(fields: Fields) -> bool:
    return any(conversion is not None and conversion.late for _, conversion in fields.values())


def _convert_fields(fields: Fields, data: dict[str, Any], late: bool) -> dict[str, Any]:
    out = {}
    for name, value in data.items():
        hint, conversion = fields.get(name, (Any, None))
        if conversion is None:
            out[name] = value
            continue
        try:
            out[name] = conversion.convert(value, late)
        except MismatchError as exc:
            if exc.reason.startswith("Expected value of type "):  # a plain field: the SDK's field reason
                raise MismatchError(f"Type of Val '{type(value)!r}' is not an instance of {hint!r}") from None
            raise
    return out


def _dataclass(cls: type) -> Conversion:
    fields = _field_conversions(cls)
    init_fields = [f for f in dataclasses.fields(cls) if f.init]
    names = {f.name for f in init_fields}
    required = [
        f.name for f in init_fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]

    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise MismatchError("must be called with a dataclass type or instance")
        missing = [name for name in required if name not in value]
        if missing:
            raise MismatchError(
                f"The original fields are missing the following keys from the dataclass fields: {missing}"
            )
        extra = [name for name in value if name not in names]
        if extra:
            raise MismatchError(
                f"The original fields have the following extra keys that are not in dataclass fields: {extra}"
            )
        return cls(**_convert_fields(fields, value, late))

    return Conversion(convert, _any_late(fields))


def _named_tuple(cls: type) -> Conversion:
    fields = _field_conversions(cls)
    names: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]  # every NamedTuple has _fields

    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):  # by field name (the SDK fails on a dict with a KeyError)
            return cls(**_convert_fields(fields, value, late))
        if isinstance(value, (tuple, list)) and len(value) == len(names):
            return cls(**_convert_fields(fields, dict(zip(names, value, strict=True)), late))
        raise MismatchError(expected(cls, value))

    return Conversion(convert, _any_late(fields))


def _typed_dict(cls: type) -> Conversion:
    fields = _field_conversions(cls)
    required = _required_keys(cls)

    def convert(value: Any, late: bool) -> Any:
        if not isinstance(value, dict):
            raise MismatchError(expected(cls, value))
        missing = [name for name in required if name not in value]
        if missing:
            raise MismatchError(f"missing required keys {missing} of {cls.__name__}")
        out = _convert_fields(fields, value, late)
        return value if all(out[k] is v for k, v in value.items()) else out

    return Conversion(convert, _any_late(fields))


def _required_keys(cls: type) -> list[str]:
    """The keys a TypedDict must have: its ``__required_keys__``, less those marked
    ``NotRequired`` in annotations Python left as strings (``from __future__ import annotations``
    on Python 3.11 counts them required)."""
    required = set(getattr(cls, "__required_keys__", ()))
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception:  # hints naming what cannot be resolved: keep Python's view
        return sorted(required)
    extensions = sys.modules.get("typing_extensions")
    marks = (
        (typing, extensions) if extensions is not None else (typing,)
    )  # Python 3.10: only typing_extensions has them
    not_required = {getattr(module, "NotRequired", None) for module in marks} - {None}
    marked_required = {getattr(module, "Required", None) for module in marks} - {None}
    for name, hint in hints.items():
        origin = typing.get_origin(hint)
        if origin in not_required:
            required.discard(name)
        elif origin in marked_required:
            required.add(name)
    return sorted(required)


def _enum(cls: type[enum.Enum]) -> Callable[[Any, bool], Any]:
    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and value in cls.__members__:  # a member's name: the SDK's form
            return cls[value]
        try:  # a member's value: the SDK refuses it ("not valid value"); it is what a user means
            return cls(value)
        except (ValueError, TypeError):
            pass
        if isinstance(value, str):
            raise MismatchError(f"Value {value} is not in Enum {cls!r}")
        raise MismatchError("Expected an enum")

    return convert


def _pydantic(cls: type, validation_error: type[Exception]) -> Callable[[Any, bool], Any]:
    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise MismatchError(expected(cls, value))
        try:
            return cls.model_validate(value)  # type: ignore[attr-defined]  # cls is a pydantic model
        except validation_error as exc:
            raise MismatchError(f"Failed to coerce dict into {cls!r}: {exc}") from None

    return convert
