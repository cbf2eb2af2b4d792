"""Write sdk_names.json: the Flyte 2 SDK's public names, their kinds and parameter names.

Run once with the Python of a separate venv that has the ``flyte`` package (not flyte_nb)
installed; the tests read the JSON and never import the SDK::

    /path/to/sdkvenv/bin/python tests/upstream/make_sdk_names.py

Names are a module's ``__all__``, or (``flyte.errors`` has none) its ``dir()`` without
underscores, leaving out re-exported typing helpers and modules.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
from pathlib import Path
from typing import Any

import flyte
import flyte.errors
import flyte.io

MODULES = (flyte, flyte.errors, flyte.io)
#: typing names a module imports for its own annotations, not part of its API
TYPING_REEXPORTS = {"Literal"}
OUT = Path(__file__).with_name("sdk_names.json")


def public_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in dir(module) if not name.startswith("_")]
    return sorted(
        name
        for name in names
        if name not in TYPING_REEXPORTS and not isinstance(getattr(module, name), types.ModuleType)
    )


def kind_of(obj: Any) -> str:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "exception"
        return "dataclass" if dataclasses.is_dataclass(obj) else "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "function"
    if type(obj).__name__ in {"_SyncWrapper", "_Mapper"}:  # the SDK's sync/async callables
        return "function"
    return "value"


def parameters(obj: Any) -> list[dict[str, str]] | None:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [{"name": p.name, "kind": p.kind.name} for p in signature.parameters.values()]


def describe(obj: Any) -> dict[str, Any]:
    kind = kind_of(obj)
    entry: dict[str, Any] = {"kind": kind}
    if kind != "value":
        entry["parameters"] = parameters(obj)
    if kind == "exception":
        entry["bases"] = [base.__name__ for base in obj.__mro__[1:] if base is not object]
    return entry


def main() -> None:
    data: dict[str, Any] = {"sdk_version": flyte.__version__, "modules": {}}
    for module in MODULES:
        data["modules"][module.__name__] = {name: describe(getattr(module, name)) for name in public_names(module)}
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    counts = ", ".join(f"{name} {len(names)}" for name, names in data["modules"].items())
    print(f"wrote {OUT} (flyte {flyte.__version__}: {counts})")


if __name__ == "__main__":
    main()
