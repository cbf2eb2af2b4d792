"""Where shipped code came from: file names that survive pickling by value.

cloudpickle (3.1.3 and later) rewrites ``co_filename`` of every function it pickles by value
to ``"<dynamic-code>"`` so its payloads are deterministic. A container or a Dask worker then
cannot say which notebook cell or file a semaphore or a traceback line belongs to, and the
kernel's widget loses its call sites. So the kernel sends a small table beside the pickle,
code object → file name, and the runtime puts the names back before the function runs:
call sites, tracebacks and gauges read the same in a container as in the kernel, whatever
cloudpickle does with file names.
"""

from __future__ import annotations

import hashlib
from types import CodeType, FunctionType
from typing import Any

#: what cloudpickle writes in place of a by-value function's file name
DYNAMIC = "<dynamic-code>"
#: code objects visited at most, per function shipped (a bound on odd object graphs)
MAX_CODES = 20_000


def code_key(code: CodeType) -> str:
    """A code object's identity that pickling keeps: name, first line and bytecode."""
    digest = hashlib.blake2b(code.co_code, digest_size=8).hexdigest()
    return f"{code.co_name}:{code.co_firstlineno}:{digest}"


def file_table(func: Any) -> dict[str, str]:
    """``code_key`` → file name of the code ``func`` carries with it (its own code, nested
    functions, and the functions and classes of its module that its code names)."""
    table: dict[str, str] = {}
    for code in _codes(func):
        if code.co_filename != DYNAMIC:
            table.setdefault(code_key(code), code.co_filename)
    return table


def restore_files(func: Any, table: dict[str, str]) -> None:
    """Give every function that ``func`` reaches its code's real file name back, from the
    table the kernel sent (functions whose names are intact are left alone)."""
    if not table:
        return
    for function in _functions(func):
        code = function.__code__
        fixed = _with_files(code, table)
        if fixed is not code:
            function.__code__ = fixed


def _with_files(code: CodeType, table: dict[str, str]) -> CodeType:
    consts = tuple(_with_files(c, table) if isinstance(c, CodeType) else c for c in code.co_consts)
    changed = any(new is not old for new, old in zip(consts, code.co_consts, strict=True))
    filename = table.get(code_key(code)) if code.co_filename == DYNAMIC else None
    if filename is None and not changed:
        return code
    return code.replace(co_filename=filename or code.co_filename, co_consts=consts)


def _codes(func: Any) -> list[CodeType]:
    return [code for function in _functions(func) for code in _nested(function.__code__)]


def _functions(func: Any) -> list[FunctionType]:
    """``func`` and the functions of its module it can reach through the names its code uses
    (methods of its module's classes included): what cloudpickle ships with it by value."""
    root = getattr(func, "__wrapped__", func)
    if not isinstance(root, FunctionType):
        return []
    module, namespace = root.__module__, root.__globals__
    found: dict[int, FunctionType] = {}
    pending: list[Any] = [root]
    while pending and len(found) < MAX_CODES:
        value = pending.pop()
        value = getattr(value, "__func__", value)  # classmethod, staticmethod, bound method
        if isinstance(value, type) and value.__module__ == module:
            pending.extend(v for v in vars(value).values() if callable(v) or hasattr(v, "__func__"))
            continue
        if not isinstance(value, FunctionType) or value.__module__ != module or id(value) in found:
            continue
        found[id(value)] = value
        for code in _nested(value.__code__):
            pending.extend(namespace[name] for name in code.co_names if name in namespace)
    return list(found.values())


def _nested(code: CodeType) -> list[CodeType]:
    codes, pending = [], [code]
    while pending:
        current = pending.pop()
        codes.append(current)
        pending.extend(c for c in current.co_consts if isinstance(c, CodeType))
    return codes
