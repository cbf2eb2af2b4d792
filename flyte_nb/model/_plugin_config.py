"""``flyte.load_plugin_config(path)``: build a plugin's config object from a YAML file.

The file is a mapping with ``plugin`` (the config class's full name, e.g.
``flyteplugins.ray.RayJobConfig``) and an optional ``config`` mapping of its constructor
arguments; nested dataclasses are written as nested mappings and lists, as in the Flyte 2 SDK.
"""

from __future__ import annotations

import dataclasses
import importlib
import pathlib
import types
import typing
from typing import Any


def load_plugin_config(path: str | pathlib.Path) -> Any:
    """The plugin config instance described by the YAML file at ``path``."""
    import yaml

    path = pathlib.Path(path)
    with path.open("r") as f:
        raw = yaml.safe_load(f) or {}
    if not isinstance(raw, dict) or "plugin" not in raw:
        raise ValueError(
            f"Plugin config file {path} must be a YAML mapping with a top-level 'plugin' key "
            "(the fully qualified plugin config class name), e.g.:\n\n"
            "plugin: flyteplugins.ray.RayJobConfig\nconfig:\n  worker_node_config: [...]"
        )
    config = raw.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f"Plugin config file {path}: 'config' must be a mapping, got {type(config)}")
    return _build(_resolve_class(raw["plugin"]), config)


def _resolve_class(qualified_name: str) -> Any:
    module_name, _, attr = str(qualified_name).rpartition(".")
    try:
        if not module_name:
            raise ValueError("it has no module part")
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as e:
        raise ValueError(
            f"Could not load plugin config class {qualified_name!r}: {e}. Make sure the plugin "
            "package is installed and the name is fully qualified, e.g. 'flyteplugins.ray.RayJobConfig'."
        ) from e


def _coerce(field_type: Any, value: Any) -> Any:
    """``value`` (parsed YAML) in the shape a dataclass field of ``field_type`` expects."""
    if value is None or field_type is None:
        return value
    origin = typing.get_origin(field_type)
    if origin is typing.Union or origin is types.UnionType:
        for candidate in typing.get_args(field_type):
            if candidate is type(None):
                continue
            try:
                return _coerce(candidate, value)
            except (TypeError, ValueError):
                continue
        return value
    if origin is list and isinstance(value, list):
        args = typing.get_args(field_type)
        return [_coerce(args[0] if args else None, item) for item in value]
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(field_type)
        return {k: _coerce(args[1] if len(args) > 1 else None, v) for k, v in value.items()}
    if isinstance(field_type, type) and dataclasses.is_dataclass(field_type) and isinstance(value, dict):
        return _build(field_type, value)
    return value


def _build(cls: Any, data: dict[str, Any]) -> Any:
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"{cls!r} is not a dataclass; cannot build it from a plugin config file.")
    hints = typing.get_type_hints(cls)
    valid = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - valid)
    if unknown:
        raise ValueError(
            f"Unknown field(s) {unknown} for plugin config class {cls.__module__}.{cls.__qualname__}. "
            f"Valid fields: {sorted(valid)}"
        )
    return cls(**{key: _coerce(hints.get(key), value) for key, value in data.items()})
