"""What ``run.outputs()`` and ``run.inputs()`` return: the Flyte 2 SDK's ``ActionOutputs``
and ``ActionInputs`` shapes, built from a run's values instead of protobuf literals.

``ActionOutputs`` is a tuple of the entry task's outputs, named ``o0, o1, ...``. Whether a
return value is one output or several follows the task's return annotation, as the SDK
reads it: a fixed-length ``tuple[A, B]`` or a ``NamedTuple`` is one output per element,
anything else (``int``, ``list[int]``, ``None``, a bare ``tuple``, ``tuple[int, ...]``) is
one output. The SDK requires annotations; flyte_nb does not, so an unannotated task that
returns a tuple (``return a, b``) has one output per element, and any other value is one
output.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections import UserDict
from typing import Any

__all__ = ["ActionInputs", "ActionOutputs", "action_inputs", "action_outputs"]


class ActionOutputs(tuple):  # a tuple of any values, as in the SDK
    """The outputs of a run's entry action, as a tuple: ``o[0]``, ``a, b = o``, ``o == (4,)``;
    also ``o.o0, o.o1, ...`` and :attr:`named_outputs` (``{"o0": 4}``)."""

    _fields: tuple[str, ...]

    def __new__(cls, data: tuple[Any, ...] | list[Any], fields: list[str] | None = None) -> ActionOutputs:
        obj = super().__new__(cls, data)
        obj._fields = tuple(fields or [f"o{i}" for i in range(len(obj))])
        for name, value in zip(obj._fields, obj, strict=True):
            setattr(obj, name, value)
        return obj

    @property
    def named_outputs(self) -> dict[str, Any]:
        """``{"o0": first, "o1": second, ...}``."""
        return dict(zip(self._fields, self, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """The outputs by name, as :attr:`named_outputs` (the SDK gives the outputs' protobuf
        message as a dict; a local run has none)."""
        return self.named_outputs

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON; values JSON cannot hold are written as their ``repr``."""
        return json.dumps(self.to_dict(), default=repr)

    def __repr__(self) -> str:
        shown = (f'{name}="{value}"' if isinstance(value, str) else f"{name}={value}" for name, value in self._items())
        return f"ActionOutputs({', '.join(shown)})"

    def _items(self) -> zip[tuple[str, Any]]:
        return zip(self._fields, self, strict=True)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ActionOutputs, (tuple(self), list(self._fields)))


class ActionInputs(UserDict):
    """The inputs of a run's entry action by parameter name, defaults applied; a dict-like
    (``i["x"]``, ``dict(i)``, ``i.to_dict()``)."""

    def to_dict(self) -> dict[str, Any]:
        """The inputs as a plain dict (the SDK gives the inputs' protobuf message as a dict)."""
        return dict(self.data)

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON; values JSON cannot hold are written as their ``repr``."""
        return json.dumps(self.to_dict(), default=repr)

    def __repr__(self) -> str:
        return repr(self.data)


def action_outputs(return_annotation: Any, value: Any) -> ActionOutputs:
    """``value``, returned by a function annotated ``return_annotation``, as outputs."""
    if _has_several_outputs(return_annotation, value):
        return ActionOutputs(tuple(value))
    return ActionOutputs((value,))


def action_inputs(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> ActionInputs:
    """The arguments of a call bound to ``signature`` by parameter name, defaults applied."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:  # a call flyte.run already accepted; keep what was passed, by name where known
        return ActionInputs({**{f"arg{i}": a for i, a in enumerate(args)}, **kwargs})
    bound.apply_defaults()
    return ActionInputs(dict(bound.arguments))


def _has_several_outputs(annotation: Any, value: Any) -> bool:
    if annotation is inspect.Signature.empty:
        return isinstance(value, tuple)
    if isinstance(annotation, type) and issubclass(annotation, tuple) and hasattr(annotation, "_fields"):
        return isinstance(value, tuple)  # a NamedTuple: one output per field
    if typing.get_origin(annotation) is tuple:
        parts = typing.get_args(annotation)
        fixed = bool(parts) and Ellipsis not in parts and parts != ((),)
        return fixed and isinstance(value, tuple) and len(value) == len(parts)
    return False
