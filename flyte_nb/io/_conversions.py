"""How task inputs and outputs annotated with io types, pandas or pyarrow are converted.

As the Flyte 2 SDK does, a stored :class:`DataFrame` given to a ``pd.DataFrame`` (or
``pyarrow.Table``) parameter arrives as that frame, read where the task body runs (a *late*
conversion: the caller passes the small reference on). A pandas frame given to a
``DataFrame`` parameter is stored and passed as a reference; the SDK refuses it ("Did you
forget to wrap your dataframe ...?"), flyte_nb wraps it, since that is what the caller means.
A ``File`` or ``Dir`` parameter takes a ``File`` or ``Dir`` (a path string is refused, as
the SDK does).
"""

from __future__ import annotations

import typing
from typing import Any

from ..model._types import Conversion, MismatchError, expected, register_rule
from ._dataframe import DataFrame
from ._directory import Directory
from ._file import File


def _is_pandas_frame(annotation: Any) -> bool:
    return _named(annotation, "pandas", "DataFrame")


def _is_arrow_table(annotation: Any) -> bool:
    return _named(annotation, "pyarrow", "Table")


def _named(annotation: Any, package: str, name: str) -> bool:
    module = getattr(annotation, "__module__", "") or ""
    return isinstance(annotation, type) and annotation.__name__ == name and module.split(".")[0] == package


def rule(annotation: Any) -> Conversion | None:
    """The conversion for an io type, a pandas DataFrame or a pyarrow Table; None otherwise."""
    kind = typing.get_origin(annotation) or annotation
    if not isinstance(kind, type):
        return None
    if issubclass(kind, DataFrame):
        return Conversion(_to_reference)
    if issubclass(kind, (File, Directory)):
        return Conversion(_instance(kind))
    if _is_pandas_frame(kind):
        return Conversion(_frame(kind, "to_pandas", _arrow_to_pandas), late=True)
    if _is_arrow_table(kind):
        return Conversion(_frame(kind, "to_arrow", _pandas_to_arrow), late=True)
    return None


def _instance(kind: type) -> Any:
    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, kind):
            return value
        raise MismatchError(expected(kind, value))

    return convert


def _to_reference(value: Any, late: bool) -> Any:
    if isinstance(value, DataFrame):
        return value
    if _is_pandas_frame(type(value)) or _is_arrow_table(type(value)):
        return DataFrame.from_df(value)
    raise MismatchError(
        f"Expected a DataFrame instance, but got {type(value)!r} instead. "
        "Pass a pandas DataFrame, a pyarrow Table or flyte.io.DataFrame.from_df(frame)"
    )


def _frame(kind: type, read: str, other: Any) -> Any:
    def convert(value: Any, late: bool) -> Any:
        if isinstance(value, kind):
            return value
        if isinstance(value, DataFrame):
            return getattr(value, read)() if late else value
        converted = other(value)
        if converted is not None:
            return converted
        raise MismatchError(expected(kind, value))

    return convert


def _arrow_to_pandas(value: Any) -> Any:
    return value.to_pandas() if _is_arrow_table(type(value)) else None


def _pandas_to_arrow(value: Any) -> Any:
    if not _is_pandas_frame(type(value)):
        return None
    import pyarrow as pa

    return pa.Table.from_pandas(value)


register_rule(rule)
