"""Run one example program and write what it did as JSON: the same harness for both libraries.

    python harness.py flyte_nb EXAMPLE.py OUT.json   # the port, with flyte_nb (tests/upstream)
    python harness.py flyte EXAMPLE.py OUT.json      # the same file with the Flyte 2 SDK (record_sdk.py)

With ``flyte`` the ported file's ``import flyte_nb as flyte`` gets the SDK itself (an import hook
maps ``flyte_nb`` and ``flyte_nb.<sub>`` to ``flyte`` and ``flyte.<sub>``), so both libraries run
the very same code. The example runs as ``__main__``, as ``python EXAMPLE.py`` would run it.
``flyte.run`` (and ``.aio``, and ``with_runcontext(...).run``) are wrapped to record each run's
``outputs()``; what the program prints outside its runs is kept too, with each run's name, URL and
``str()`` replaced by placeholders (they legitimately differ between the libraries).

Values are written as plain JSON (see :func:`plain`): tuples and lists as lists, dataclasses and
pydantic models as their class name and fields, enums as ``Class.MEMBER``, flyte.io objects as
their class name alone (their paths are temporary), strings over 4 KiB as their length and hash,
anything else as ``repr``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import enum
import hashlib
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import runpy
import sys
import tempfile
import traceback
import types
from pathlib import Path
from typing import Any

#: the recorded runs, in the order the program started them
RUNS: list[dict[str, Any]] = []
#: depth of flyte.run calls under way: what is printed meanwhile is the tasks', not the program's
IN_RUN = [0]
REPLACEMENTS: dict[str, str] = {}
#: longer strings are written as their length and hash
LONG_TEXT = 4096
#: the library's flyte.io classes: their values are written as the class name alone
IO_CLASSES: dict[str, type] = {}


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import flyte_nb[.sub]`` gets ``flyte[.sub]``: runs a port with the SDK, unchanged."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname == "flyte_nb" or fullname.startswith("flyte_nb."):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module("flyte" + spec.name[len("flyte_nb") :])

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def record_temporary_names() -> None:
    """Every random name ``tempfile`` makes becomes ``<tmpname>`` in what is recorded."""
    sequence = tempfile._RandomNameSequence  # type: ignore[attr-defined]
    make_name = sequence.__next__

    def recorded_name(self: Any) -> str:
        name = make_name(self)
        REPLACEMENTS[name] = "<tmpname>"
        return name

    sequence.__next__ = recorded_name


def replaced(text: str) -> str:
    for old in sorted(REPLACEMENTS, key=len, reverse=True):
        text = text.replace(old, REPLACEMENTS[old])
    return text


def plain(value: Any, depth: int = 0) -> Any:
    """A JSON value for one output, the same for both libraries when the values are the same."""
    if depth > 20:
        return repr(value)
    if isinstance(value, str):
        if len(value) > LONG_TEXT:
            digest = hashlib.sha256(value.encode()).hexdigest()
            return {"__type__": "str", "length": len(value), "sha256": digest}
        return replaced(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, (datetime.datetime, datetime.date, datetime.timedelta)):
        return {"__type__": type(value).__name__, "value": str(value)}
    if isinstance(value, bytes):
        return {"__type__": "bytes", "value": repr(value)}
    for name, cls in IO_CLASSES.items():
        if isinstance(value, cls):
            return {"__type__": f"flyte.io.{name}"}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if hasattr(value, "model_dump") and hasattr(type(value), "model_fields"):  # a pydantic model
        fields = {name: plain(getattr(value, name), depth + 1) for name in type(value).model_fields}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple: its fields
        return {"__type__": "namedtuple", "values": [plain(v, depth + 1) for v in value]}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(plain(k, depth + 1)): plain(v, depth + 1) for k, v in value.items()}
    if type(value).__name__ == "DataFrame" and hasattr(value, "to_dict"):  # pandas
        return {"__type__": "pandas.DataFrame", "value": plain(value.to_dict(orient="list"), depth + 1)}
    return {"__type__": type(value).__name__, "repr": repr(value)}


def error_record(exc: BaseException) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "code": getattr(exc, "code", None) if isinstance(getattr(exc, "code", None), str) else None,
        "message": str(exc)[:500],
    }


def record_run(run: Any) -> None:
    entry: dict[str, Any] = {}
    for attr in ("name", "url"):
        try:
            text = getattr(run, attr)
        except Exception:  # the SDK's local runs raise for some attributes
            continue
        if isinstance(text, str) and text:
            REPLACEMENTS[text] = f"<run-{attr}>"
    REPLACEMENTS[str(run)] = "<run>"
    try:
        outputs = run.outputs()
    except BaseException as exc:
        entry["outputs_error"] = error_record(exc)
    else:
        entry["outputs_type"] = type(outputs).__name__
        entry["outputs_is_tuple"] = isinstance(outputs, tuple)
        entry["outputs"] = plain(list(outputs)) if isinstance(outputs, tuple) else plain(outputs)
    RUNS.append(entry)


def recorded_error(exc: BaseException) -> None:
    RUNS.append({"run_error": error_record(exc)})


class RecordingRun:
    """``flyte.run`` / ``Runner.run`` wrapped: runs, records, returns the run unchanged."""

    def __init__(self, run: Any) -> None:
        self._run = run

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        IN_RUN[0] += 1
        try:
            run = self._run(*args, **kwargs)
        except BaseException as exc:
            recorded_error(exc)
            raise
        finally:
            IN_RUN[0] -= 1
        record_run(run)
        return run

    async def aio(self, *args: Any, **kwargs: Any) -> Any:
        IN_RUN[0] += 1
        try:
            run = await self._run.aio(*args, **kwargs)
        except BaseException as exc:
            recorded_error(exc)
            raise
        finally:
            IN_RUN[0] -= 1
        record_run(run)
        return run

    def __getattr__(self, name: str) -> Any:
        return getattr(self._run, name)


class RecordingRunner:
    """What ``with_runcontext(...)`` returns, with its ``run`` recording."""

    def __init__(self, runner: Any) -> None:
        self._runner = runner
        self.run = RecordingRun(runner.run)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._runner, name)


class SplitStdout(io.TextIOBase):
    """Echoes to the real stdout; keeps what is printed outside runs, line by line."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.program = io.StringIO()

    def write(self, text: str) -> int:
        self.real.write(text)
        if IN_RUN[0] == 0:
            self.program.write(text)
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def fileno(self) -> int:
        return self.real.fileno()


def patch(lib: Any) -> None:
    original_run = lib.run
    lib.run = RecordingRun(original_run)
    original_with_runcontext = lib.with_runcontext

    def with_runcontext(*args: Any, **kwargs: Any) -> Any:
        return RecordingRunner(original_with_runcontext(*args, **kwargs))

    lib.with_runcontext = with_runcontext


def normalised(text: str) -> list[str]:
    return [line.rstrip() for line in replaced(text).splitlines()]


def main(argv: list[str]) -> int:
    lib_name, example, out = argv
    if lib_name == "flyte":
        sys.meta_path.insert(0, AliasFinder())
    record_temporary_names()
    lib = importlib.import_module(lib_name)
    io_module = importlib.import_module(f"{lib_name}.io")
    IO_CLASSES.update({name: getattr(io_module, name) for name in ("File", "Dir", "DataFrame")})
    patch(lib)
    example_path = Path(example).resolve()
    sys.path.insert(0, str(example_path.parent))
    sys.argv = [str(example_path)]
    stdout = SplitStdout(sys.stdout)
    sys.stdout = stdout
    result: dict[str, Any] = {"library": lib_name}
    try:
        runpy.run_path(str(example_path), run_name="__main__")
    except SystemExit as exc:
        result["exit"] = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:
        result["error"] = error_record(exc)
        result["traceback"] = traceback.format_exc()[-3000:]
    finally:
        sys.stdout = stdout.real
    result["runs"] = RUNS
    result["stdout"] = normalised(stdout.program.getvalue())
    Path(out).write_text(json.dumps(result, indent=1) + "\n")
    # leave no event loop or worker thread of the library to hang the exit
    sys.stdout.flush()
    asyncio.set_event_loop(None)
    return 0


if __name__ == "__main__":
    import os

    code = main(sys.argv[1:])
    sys.stderr.flush()
    os._exit(code)
