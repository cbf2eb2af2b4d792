"""``flyte_nb.io.File``: one file in the store, passed between actions by reference."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

from . import _storage as storage
from ._hashing import HashFunction, custom_hash
from ._storage import LocalPath, sync_with_aio

T = TypeVar("T")

_WRITE_MODES = frozenset("wax+")


@dataclass(frozen=True, eq=False)
class File(storage.ContentIdentity, Generic[T]):
    """A file in the run's store, passed between tasks by reference.

    A ``File`` is a few hundred bytes (its URL, name, size and content hash) whatever the
    size of the file: sending one to another action moves the reference, never the bytes,
    which are read only where ``download()`` or ``open()`` asks for them::

        @env.task
        async def process_large_file(input_file: File) -> File:
            local_path = input_file.download()          # the bytes, here and now
            return File.new_remote(process(local_path))  # uploaded, a reference returned

    Uploads are content-addressed (``blobs/<sha256>/<name>`` in the store): uploading the
    same bytes again costs a hash, not a transfer. Two Files are equal when their content
    is (same sha256) or, for files whose hash is not known, when they name the same path.

    Attributes:
        path: the URL of the file (``file:///...``, ``memory://...``, ``s3://...``).
        name: its file name (default: the last part of ``path``).
        format: an optional format tag (``"csv"``, ...), free text.
        hash: the sha256 of the content, when known (uploads always know it).
        hash_method: how the hash of content written through ``open("wb")`` is computed
            (the SDK's constructor parameter; kept as given, not part of equality).
        size: the size in bytes, when known (flyte_nb's own; not in the repr).
    """

    path: str
    name: str | None = None
    format: str = ""
    hash: str | None = None
    size: int | None = None
    hash_method: object = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", storage.reference_name("File", self.path, self.name))

    # ------------------------------------------------------------------ identity
    @property
    def uri(self) -> str:
        """The URL of the file (the same as ``path``)."""
        return self.path

    # ------------------------------------------------------------------ creating
    @classmethod
    def from_local_sync(
        cls,
        local_path: str | os.PathLike[str],
        remote_destination: str | None = None,
        hash_method: HashFunction | str | None = None,
    ) -> File[T]:
        """Upload a local file and return a reference to it.

        Inside a run the bytes go to the run's store, outside one to the configured store
        (``flyte.init(storage=...)`` / ``$FLYTE_NB_STORAGE``), under ``blobs/<sha256>/<name>``:
        identical content is stored once. ``remote_destination`` (a URL) uploads there
        instead. A missing ``local_path`` raises FileNotFoundError naming it.
        ``hash_method`` (a :class:`HashFunction`, given the file's bytes, or a hash already
        computed) sets the File's ``hash`` instead of the sha256.
        """
        source = storage.local_source(local_path, "File.from_local")
        name = os.path.basename(source)
        if remote_destination is not None:
            sha, size = storage.sha256_of(source)
            storage.put_at(remote_destination, source)
            key_url = remote_destination
        else:
            store = storage.current_store()
            key, sha, size = storage.put_blob(store, source, name)
            key_url = store.url_of(key)
        own_hash = custom_hash(hash_method, lambda: _read_bytes(source))
        return cls(path=key_url, name=name, hash=own_hash or sha, size=size)

    @classmethod
    async def from_local(
        cls,
        local_path: str | os.PathLike[str],
        remote_destination: str | None = None,
        hash_method: HashFunction | str | None = None,
    ) -> File[T]:
        """``await File.from_local(path)``: :meth:`from_local_sync` without blocking the event loop."""
        return await storage.run_io(
            remote_destination, cls.from_local_sync, local_path, remote_destination, hash_method
        )

    @classmethod
    def new_remote(
        cls, file_name: str | os.PathLike[str] | None = None, hash_method: HashFunction | str | None = None
    ) -> File[T]:
        """A File in the store, from a local file or to be written.

        ``File.new_remote(local_path)`` with the path of a local file uploads it (as
        :meth:`from_local_sync`; a spelling Flyte 2 examples use). With a bare name, or none, it returns
        a new empty File in the store to write with ``open("wb")`` (the Flyte SDK's use)::

            out = File.new_remote("report.csv")
            with out.open("wb") as fh:
                fh.write(data)

        With no name the file gets a generated one (a random hex string, as the SDK's).
        ``hash_method`` as the SDK's: a string is the File's ``hash`` (a precomputed cache
        key); a :class:`HashFunction` is kept as the File's ``hash_method``.
        """
        if file_name is not None:
            given = os.fspath(file_name)
            if os.path.exists(given) or os.sep in given or "/" in given:
                return cls.from_local_sync(given, hash_method=hash_method)
        name = os.fspath(file_name) if file_name is not None else uuid.uuid4().hex
        store = storage.current_store()
        known_hash = hash_method if isinstance(hash_method, str) else None
        method = None if isinstance(hash_method, str) else hash_method
        return cls(path=store.url_of(storage.scratch_key(name)), name=name, hash=known_hash, hash_method=method)

    @classmethod
    def from_existing_remote(cls, remote_path: str, file_cache_key: str | None = None) -> File[T]:
        """A reference to a file already in storage (nothing is copied). ``file_cache_key``,
        if given, stands for its content (equality, caching)."""
        return cls(path=remote_path, hash=file_cache_key)

    # ------------------------------------------------------------------ reading
    @sync_with_aio
    def download(self, local_path: str | os.PathLike[str] | None = None) -> LocalPath:
        """Copy the file to a local path and return that path.

        With no ``local_path`` it goes to a fresh temporary folder, keeping its name; an
        existing folder (or a path ending in a separator) receives it under its name. Works
        in sync and async tasks alike (Flyte 2 examples call it without ``await``); the path it
        returns can be awaited too, and ``await file.download.aio()`` keeps the event loop
        turning while a large file downloads.
        """
        fs, remote = storage.filesystem(self.path)
        target = storage.download_target(local_path, self.name or "file")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            fs.get_file(remote, target)
        except FileNotFoundError as exc:
            raise FileNotFoundError(errno.ENOENT, f"File {self.name!r} is not in storage", self.path) from exc
        return LocalPath(target)

    def download_sync(self, local_path: str | os.PathLike[str] | None = None) -> LocalPath:
        """The Flyte SDK's name for :meth:`download` (which is synchronous here)."""
        return self.download(local_path)

    def open(self, mode: str = "rb", block_size: int | None = None, **kwargs: Any) -> OpenFile:
        """Stream the file: a context manager for ``with`` (a file object) and ``async with``
        (an object whose ``read``/``write`` are awaited)::

            with f.open() as fh:                 # sync
                header = fh.read(100)
            async with f.open() as fh:           # async (the Flyte SDK's form)
                header = await fh.read(100)

        Text modes (``"r"``, ``"w"``) work too. Files uploaded by content cannot be
        rewritten (their name is their hash); write into ``File.new_remote()``.
        """
        if _WRITE_MODES & set(mode) and self.hash is not None:
            raise PermissionError(
                f"File {self.name!r} is stored by its content (sha256 {self.hash[:12]}...) and cannot be rewritten; "
                "write into a new one: File.new_remote(name).open('wb')"
            )
        if block_size is not None:
            kwargs["block_size"] = block_size
        return OpenFile(self.path, mode, kwargs)

    def open_sync(self, mode: str = "rb", block_size: int | None = None, **kwargs: Any) -> OpenFile:
        """The Flyte SDK's name for ``with file.open(...)`` (the same object)."""
        return self.open(mode, block_size, **kwargs)

    async def exists(self) -> bool:
        """``await f.exists()``: whether the file is in storage (the Flyte SDK's async form)."""
        return await storage.run_io(self.path, self.exists_sync)

    def exists_sync(self) -> bool:
        """Whether the file is in storage."""
        fs, remote = storage.filesystem(self.path)
        return bool(fs.exists(remote)) and not fs.isdir(remote)

    def _fields_text(self, separator: str) -> str:
        # the SDK's File is a pydantic model: its fields in this order, spelt this way
        values = (self.path, self.name, self.format, self.hash, self.hash_method)
        names = ("path", "name", "format", "hash", "hash_method")
        return separator.join(f"{key}={value!r}" for key, value in zip(names, values, strict=True))

    def __repr__(self) -> str:
        return f"File({self._fields_text(', ')})"

    def __str__(self) -> str:
        return self._fields_text(" ")


class OpenFile:
    """``file.open(mode)``: use it with ``with`` or ``async with``; opens on entry, closes on exit."""

    def __init__(self, url: str, mode: str, kwargs: dict[str, Any]) -> None:
        self.url = url
        self.mode = mode
        self._kwargs = kwargs
        self._handle: IO[Any] | None = None

    def _open(self) -> IO[Any]:
        fs, path = storage.filesystem(self.url)
        if not _WRITE_MODES & set(self.mode):
            return fs.open(path, self.mode, **self._kwargs)
        storage.make_parent(fs, path)
        handle = fs.open(path, self.mode, **self._kwargs)
        storage.own(fs, path)  # a store's files are private whatever the umask
        return handle

    def __enter__(self) -> IO[Any]:
        self._handle = self._open()
        return self._handle

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    async def __aenter__(self) -> AsyncHandle:
        self._handle = await storage.run_io(self.url, self._open)
        return AsyncHandle(self._handle, storage.is_in_process(self.url))

    async def __aexit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            await _call(handle.close, inline=storage.is_in_process(self.url))


class AsyncHandle:
    """An open file whose I/O is awaited (it runs in a worker thread, inline for ``memory://``)."""

    def __init__(self, handle: IO[Any], inline: bool) -> None:
        #: the underlying synchronous file object
        self.raw = handle
        self._inline = inline

    async def read(self, size: int = -1) -> Any:
        return await _call(self.raw.read, size, inline=self._inline)

    async def readline(self, size: int = -1) -> Any:
        return await _call(self.raw.readline, size, inline=self._inline)

    async def readlines(self, hint: int = -1) -> list[Any]:
        """The remaining lines (``await fh.readlines()``, the Flyte SDK's form)."""
        return await _call(self.raw.readlines, hint, inline=self._inline)

    async def writelines(self, lines: Any) -> None:
        await _call(self.raw.writelines, lines, inline=self._inline)

    async def flush(self) -> None:
        await _call(self.raw.flush, inline=self._inline)

    async def write(self, data: Any) -> int:
        return await _call(self.raw.write, data, inline=self._inline)

    async def seek(self, offset: int, whence: int = 0) -> int:
        return await _call(self.raw.seek, offset, whence, inline=self._inline)

    def tell(self) -> int:
        return self.raw.tell()

    async def close(self) -> None:
        await _call(self.raw.close, inline=self._inline)

    async def __aiter__(self) -> AsyncIterator[Any]:
        while line := await self.readline():
            yield line


async def _call(func: Any, *args: Any, inline: bool) -> Any:
    if inline:
        return func(*args)
    import asyncio

    return await asyncio.to_thread(func, *args)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
