"""Writes flyte_errors.json: every public name of the Flyte SDK's ``flyte.errors``, with its
signature, bases and what an instance made with sample arguments holds.

Run it with a Python that has the SDK installed (never flyte_nb's own environment)::

    python -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install flyte==2.12.1
    /tmp/sdkvenv/bin/python tests/unit/sdk_reference/make_flyte_errors.py

tests/unit/test_sdk_errors.py compares flyte_nb.errors with the file; it never imports the SDK.
"""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path
from typing import Any

import flyte
import flyte.errors as sdk

HERE = Path(__file__).parent
#: sample values for the constructors' parameters, by name (anything else: its name as a string)
SAMPLES: dict[str, Any] = {"kind": "user", "worker": "w", "e": "cause", "fault_code": 31, "fault_kind": "xid"}


def signature_of(obj: Any) -> list[dict[str, Any]] | None:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [
        {
            "name": p.name,
            "kind": p.kind.name,
            "default": None if p.default is p.empty else repr(p.default),
            "required": p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD),
        }
        for p in signature.parameters.values()
    ]


def sample(cls: type[BaseException], params: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    args = [
        SAMPLES.get(p["name"], p["name"])
        for p in params
        if p["required"] and p["kind"] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
    ]
    exc = cls(*args)
    made: dict[str, Any] = {"args": args, "str": str(exc)}
    for attribute in ("code", "kind", "worker", "recoverable", "code_name", "CODE"):
        if hasattr(exc, attribute):
            made[attribute] = getattr(exc, attribute)
    return made


def describe(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, type):
        params = signature_of(value)
        return {
            "kind": "class",
            "mro": [f"{c.__module__}.{c.__qualname__}" for c in value.__mro__],
            "signature": params,
            "sample": sample(value, params) if issubclass(value, BaseException) else None,
        }
    if inspect.isfunction(value):
        return {"kind": "function", "signature": signature_of(value)}
    if typing.get_origin(value) is typing.Literal:
        return {"kind": "literal", "values": list(typing.get_args(value))}
    if isinstance(value, dict):
        return {"kind": "constant", "value": {k: v.__name__ for k, v in value.items()}}
    return {"kind": "constant", "value": list(value) if isinstance(value, tuple) else value}


def main() -> None:
    names = sorted(n for n in dir(sdk) if not n.startswith("_") and n != "Literal")
    reference = {
        "sdk_version": flyte.__version__,
        "names": {name: describe(name, getattr(sdk, name)) for name in names},
    }
    (HERE / "flyte_errors.json").write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n")
    print(f"{len(names)} names of flyte.errors {flyte.__version__} written")


if __name__ == "__main__":
    main()
