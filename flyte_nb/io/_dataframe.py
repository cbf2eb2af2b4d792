"""``flyte_nb.io.DataFrame``: a table stored as parquet, passed between actions by reference.

pandas and pyarrow are optional: they are imported when a frame is stored or read, and a
missing one is reported with the command that installs it.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _storage as storage
from ._hashing import HashFunction, custom_hash
from ._storage import sync_with_aio

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

DF = TypeVar("DF")

#: The storage format of DataFrames (the Flyte SDK's constant).
PARQUET = "parquet"


@dataclass(frozen=True, eq=False)
class DataFrame(storage.ContentIdentity):
    """A table in the run's store (one parquet file), passed between tasks by reference.

    Store a pandas DataFrame or a pyarrow Table with :meth:`from_df`; read it back where
    it is needed with :meth:`to_pandas` / :meth:`to_arrow` (or the Flyte SDK's
    ``df.open(pd.DataFrame).all()``)::

        @env.task
        async def clean(raw: DataFrame) -> DataFrame:
            frame = raw.to_pandas()
            return DataFrame.from_df(frame.dropna())

    Only the reference (URL, content hash, row count) travels between actions. The parquet
    file is content-addressed (``blobs/<sha256>/data.parquet``): storing the same table
    twice stores it once. Two DataFrames are equal when their stored bytes are.

    Attributes:
        uri: the URL of the parquet file.
        format: ``"parquet"``.
        hash: the sha256 of the parquet bytes, when known.
        num_rows: the number of rows, when known.
    """

    uri: str
    format: str = PARQUET
    hash: str | None = None
    num_rows: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.uri, str) or not self.uri:
            raise TypeError(f"DataFrame(uri=...) needs a URL string, got {self.uri!r}")

    @property
    def path(self) -> str:
        """The URL of the parquet file (the same as ``uri``)."""
        return self.uri

    def _fields_text(self, separator: str) -> str:
        # the SDK's DataFrame is a pydantic model: these fields, in this order (num_rows is flyte_nb's own)
        return separator.join(
            f"{key}={value!r}" for key, value in (("uri", self.uri), ("format", self.format), ("hash", self.hash))
        )

    def __repr__(self) -> str:
        return f"DataFrame({self._fields_text(', ')})"

    def __str__(self) -> str:
        return self._fields_text(" ")

    # ------------------------------------------------------------------ storing
    @classmethod
    def from_df(cls, val: Any, uri: str | None = None, hash_method: HashFunction | str | None = None) -> DataFrame:
        """Store a pandas DataFrame or a pyarrow Table (or any object pyarrow can read
        through the Arrow PyCapsule interface, e.g. a polars frame) as parquet and return a
        reference to it.

        The bytes go to the run's store inside a run, the configured store outside one;
        ``uri`` (a URL) writes them there instead. ``hash_method`` (a :class:`HashFunction`,
        given ``val``, or a hash already computed) sets the reference's ``hash`` instead of
        the parquet's sha256. Needs pyarrow.
        """
        data, rows = _parquet_bytes(val, "DataFrame.from_df")
        sha = hashlib.sha256(data).hexdigest()
        own_hash = custom_hash(hash_method, lambda: val) or sha
        if uri is not None:
            fs, path = storage.filesystem(uri)
            storage.make_parent(fs, path)
            fs.pipe_file(path, data)
            return cls(uri=uri, hash=own_hash, num_rows=rows)
        store = storage.current_store()
        from ..data import _layout as layout

        key = layout.blob_key(sha, "data.parquet")
        if not store.exists(key):
            store.put(key, data)
        return cls(uri=store.url_of(key), hash=own_hash, num_rows=rows)

    @classmethod
    def wrap_df(cls, val: Any, uri: str | None = None) -> DataFrame:
        """The Flyte SDK's name for :meth:`from_df` (the table is stored at once)."""
        return cls.from_df(val, uri)

    @classmethod
    def from_local_sync(
        cls,
        df: Any,
        columns: Any = None,
        remote_destination: str | None = None,
        hash_method: HashFunction | str | None = None,
    ) -> DataFrame:
        """The Flyte SDK's name for :meth:`from_df` in sync code (``columns``, the SDK's
        column types, is accepted; the parquet file keeps the frame's own)."""
        return cls.from_df(df, remote_destination, hash_method)

    @classmethod
    async def from_local(
        cls,
        df: Any,
        columns: Any = None,
        remote_destination: str | None = None,
        hash_method: HashFunction | str | None = None,
    ) -> DataFrame:
        """``await DataFrame.from_local(frame)``: :meth:`from_df` without blocking the event loop."""
        return await storage.run_io(remote_destination, cls.from_df, df, remote_destination, hash_method)

    @classmethod
    def columns(cls) -> dict[str, type]:
        """The Flyte SDK's declared column types of a DataFrame type: none (``{}``) here."""
        return {}

    @classmethod
    def column_names(cls) -> list[str]:
        """The names of :meth:`columns` (``[]``)."""
        return list(cls.columns())

    @classmethod
    def from_existing_remote(cls, remote_path: str, format: str = PARQUET) -> DataFrame:  # noqa: A002 - SDK name
        """A reference to a parquet file already in storage (nothing is copied)."""
        return cls(uri=remote_path, format=format)

    # ------------------------------------------------------------------ reading
    @sync_with_aio
    def to_arrow(self) -> pa.Table:
        """The table as a pyarrow Table (``await df.to_arrow.aio()`` in async code). Needs pyarrow."""
        _, pq = _pyarrow("DataFrame.to_arrow")
        if self.format not in (PARQUET, ""):
            raise ValueError(f"cannot read a DataFrame stored as {self.format!r}; only {PARQUET!r} is supported")
        fs, path = storage.filesystem(self.uri)
        with fs.open(path, "rb") as handle:
            return pq.read_table(handle)

    @sync_with_aio
    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame, index and dtypes as stored (``await df.to_pandas.aio()``
        in async code). Needs pandas and pyarrow."""
        _pandas("DataFrame.to_pandas")
        return self.to_arrow().to_pandas()

    def open(self, dataframe_type: type[DF]) -> DataFrameReader[DF]:
        """The Flyte SDK's reading form: ``await df.open(pd.DataFrame).all()`` (or
        ``.all_sync()``); ``dataframe_type`` is ``pandas.DataFrame`` or ``pyarrow.Table``."""
        return DataFrameReader(self, dataframe_type)


class DataFrameReader(Generic[DF]):
    """``df.open(type)``: reads the stored table as ``type`` with ``all()`` / ``all_sync()``."""

    def __init__(self, frame: DataFrame, dataframe_type: type[DF]) -> None:
        self.frame = frame
        self.dataframe_type = dataframe_type

    def all_sync(self) -> DF:
        """The whole table, as the requested type."""
        kind = self.dataframe_type
        pandas = sys.modules.get("pandas")
        if pandas is not None and kind is pandas.DataFrame:
            return self.frame.to_pandas()
        pa, _ = _pyarrow("DataFrame.open")
        if kind is pa.Table:
            return self.frame.to_arrow()
        raise TypeError(
            f"DataFrame.open({getattr(kind, '__name__', kind)!r}): can read as pandas.DataFrame or pyarrow.Table"
        )

    async def all(self) -> DF:
        """``await df.open(pd.DataFrame).all()``: the whole table, read off the event loop."""
        return await storage.run_io(self.frame.uri, self.all_sync)

    async def iter(self) -> AsyncIterator[DF]:
        """``async for part in await df.open(pd.DataFrame).iter()``: the table in parts, as
        the Flyte SDK streams it; a parquet file stored here is one part."""
        return _one(await self.all())


async def _one(frame: DF) -> AsyncIterator[DF]:
    yield frame


def _parquet_bytes(val: Any, what: str) -> tuple[bytes, int]:
    """Parquet bytes of a table and its row count."""
    pa, pq = _pyarrow(what)
    if isinstance(val, DataFrame):
        raise TypeError(f"{what}: this is already a stored flyte_nb.io.DataFrame; pass it on as it is")
    pandas = sys.modules.get("pandas")
    if isinstance(val, pa.Table):
        table = val
    elif pandas is not None and isinstance(val, pandas.DataFrame):
        table = pa.Table.from_pandas(val)
    elif hasattr(val, "__arrow_c_stream__"):
        table = pa.table(val)
    else:
        raise TypeError(f"{what} takes a pandas.DataFrame or a pyarrow.Table, got {type(val).__name__}")
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes(), table.num_rows


def _pyarrow(what: str) -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError(
            f"{what} stores tables as parquet with pyarrow, which is not installed: pip install pyarrow"
        ) from exc
    return pa, pq


def _pandas(what: str) -> Any:
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(f"{what} needs pandas, which is not installed: pip install pandas") from exc
    return pandas
