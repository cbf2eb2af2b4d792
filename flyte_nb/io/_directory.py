"""``flyte_nb.io.Directory`` (the Flyte SDK's ``Dir``): a folder in the store, passed by reference."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _storage as storage
from ._file import File
from ._storage import AwaitableList, LocalPath, sync_with_aio

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Directory(storage.ContentIdentity, Generic[T]):
    """A folder of files in the run's store, passed between tasks by reference.

    Like :class:`File`, a ``Directory`` holds only a URL (a prefix in the store) and a
    hash, so sending one to another action costs bytes, not the folder::

        @env.task
        async def train(data: Directory) -> Directory:
            for f in data.walk():                 # Files, read without downloading
                ...
            local = data.download()               # or the whole folder, locally
            ...
            return Directory.from_local_sync("model/")

    ``from_local`` uploads every file under the folder to ``blobs/<tree sha256>/<name>/``;
    a file already there (same folder content uploaded before) is not uploaded again.
    The Flyte SDK calls this class ``Dir``; both names work.

    Attributes:
        path: the URL of the folder (a prefix in the store).
        name: its name (default: the last part of ``path``).
        format: an optional format tag, free text.
        hash: the sha256 of its listing (relative paths and their content hashes), when known.
    """

    path: str
    name: str | None = None
    format: str = ""
    hash: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", storage.reference_name("Directory", self.path, self.name))
        object.__setattr__(self, "path", self.path.rstrip("/") or self.path)

    # ------------------------------------------------------------------ identity
    @property
    def uri(self) -> str:
        """The URL of the folder (the same as ``path``)."""
        return self.path

    def _fields_text(self, separator: str) -> str:
        # the SDK's Dir is a pydantic model: its fields in this order, spelt this way
        values = (self.path, self.name, self.format, self.hash)
        names = ("path", "name", "format", "hash")
        return separator.join(f"{key}={value!r}" for key, value in zip(names, values, strict=True))

    def __repr__(self) -> str:
        return f"Dir({self._fields_text(', ')})"

    def __str__(self) -> str:
        return self._fields_text(" ")

    # ------------------------------------------------------------------ creating
    @classmethod
    def from_local_sync(
        cls,
        local_path: str | os.PathLike[str],
        remote_destination: str | None = None,
        dir_cache_key: str | None = None,
    ) -> Directory[T]:
        """Upload every file under a local folder and return a reference to the copy.

        Inside a run the files go to the run's store, outside one to the configured store,
        under ``blobs/<sha256 of the listing>/<folder name>/<relative path>``; files already
        there are skipped. ``remote_destination`` (a URL) uploads there instead. A missing
        folder raises FileNotFoundError naming it. ``dir_cache_key``, if given, stands for
        the folder's content (its ``hash``: equality, caching) instead of the listing's sha256.
        """
        uploaded = cls._upload(local_path, remote_destination)
        if dir_cache_key is None:
            return uploaded
        return cls(path=uploaded.path, name=uploaded.name, hash=str(dir_cache_key))

    @classmethod
    def _upload(cls, local_path: str | os.PathLike[str], remote_destination: str | None) -> Directory[T]:
        root = storage.local_source(local_path, "Directory.from_local", folder=True)
        name = os.path.basename(root.rstrip(os.sep)) or "root"
        files = sorted(_local_files(root))
        listing = hashlib.sha256()
        for relative, full in files:
            sha, _ = storage.sha256_of(full)
            listing.update(f"{relative}\0{sha}\n".encode())
        tree = listing.hexdigest()
        if remote_destination is not None:
            base = remote_destination.rstrip("/")
            for relative, full in files:
                storage.put_at(f"{base}/{relative}", full)
            return cls(path=base, name=name, hash=tree)
        store = storage.current_store()
        from ..data import _layout as layout

        prefix = layout.blob_prefix(tree, name)
        for relative, full in files:
            key = f"{prefix}/{relative}"
            if not store.exists(key):
                store.put_file(key, full)
        if not files:  # an empty folder still exists where folders are real
            if store.is_local:
                store.make_folders(store.path(prefix))
            else:
                store.fs.makedirs(store.path(prefix), exist_ok=True)
        return cls(path=store.url_of(prefix), name=name, hash=tree)

    @classmethod
    async def from_local(
        cls,
        local_path: str | os.PathLike[str],
        remote_destination: str | None = None,
        dir_cache_key: str | None = None,
        batch_size: int | None = None,
    ) -> Directory[T]:
        """``await Directory.from_local(path)``: :meth:`from_local_sync` without blocking the event
        loop. ``batch_size`` (the Flyte SDK's upload batching) is accepted and has no effect here."""
        return await storage.run_io(
            remote_destination, cls.from_local_sync, local_path, remote_destination, dir_cache_key
        )

    @classmethod
    def empty(cls) -> Directory[T]:
        """The Flyte SDK's "no folder was produced" value (an :class:`EmptyDir`); check
        :attr:`is_empty` on what a task returned."""
        return EmptyDir()

    @property
    def is_empty(self) -> bool:
        """True for :meth:`empty` / :class:`EmptyDir`: the task produced no folder."""
        return self.path == EMPTY_DIR_PATH

    @classmethod
    def new_remote(cls, dir_name: str | None = None) -> Directory[T]:
        """A new, empty folder in the store (inside the run's area when in a run), to write
        files into with fsspec; ``dir_name`` names it."""
        name = dir_name or "dir"
        store = storage.current_store()
        return cls(path=store.url_of(storage.scratch_key(name)), name=name)

    @classmethod
    def from_existing_remote(cls, remote_path: str, dir_cache_key: str | None = None) -> Directory[T]:
        """A reference to a folder already in storage (nothing is copied)."""
        return cls(path=remote_path, hash=dir_cache_key)

    # ------------------------------------------------------------------ listing
    def walk(self, recursive: bool = True, max_depth: int | None = None, file_pattern: str = "*") -> FileWalk:
        """The files in the folder as :class:`File` references, sorted by path; nothing is
        downloaded. Use ``for f in d.walk()`` or ``async for f in d.walk()``.

        ``recursive=False`` lists the top level only; ``max_depth`` limits the depth;
        ``file_pattern`` filters file names (``"*.csv"``).
        """
        return FileWalk(self, 1 if not recursive else max_depth, file_pattern)

    def walk_sync(
        self, recursive: bool = True, file_pattern: str = "*", max_depth: int | None = None
    ) -> Iterator[File[T]]:
        """The Flyte SDK's synchronous form of :meth:`walk`."""
        return iter(self.walk(recursive, max_depth, file_pattern))

    def list_files(self) -> AwaitableList:
        """The files at the top level of the folder (a list; ``await d.list_files()`` works too)."""
        return AwaitableList(self.walk(recursive=False))

    def list_files_sync(self) -> list[File[T]]:
        """The Flyte SDK's synchronous form of :meth:`list_files`."""
        return list(self.walk(recursive=False))

    async def get_file(self, file_name: str) -> File[T] | None:
        """``await d.get_file("a.csv")``: the File of that name in the folder, or None."""
        return await storage.run_io(self.path, self.get_file_sync, file_name)

    def get_file_sync(self, file_name: str) -> File[T] | None:
        """The File at ``file_name`` (a relative path) in the folder, or None when absent."""
        candidate: File[T] = File(path=f"{self.path}/{file_name.lstrip('/')}")
        return candidate if candidate.exists_sync() else None

    async def exists(self) -> bool:
        """``await d.exists()``: whether the folder is in storage."""
        return await storage.run_io(self.path, self.exists_sync)

    def exists_sync(self) -> bool:
        """Whether the folder is in storage."""
        fs, remote = storage.filesystem(self.path)
        return bool(fs.exists(remote))

    # ------------------------------------------------------------------ downloading
    @sync_with_aio
    def download(self, local_path: str | os.PathLike[str] | None = None) -> LocalPath:
        """Copy the whole folder to a local folder and return its path.

        With no ``local_path`` it goes to a fresh temporary folder, keeping its name;
        otherwise the files land directly in ``local_path`` (created if needed). Works in
        sync and async tasks; the path can be awaited too, and ``await d.download.aio()``
        keeps the event loop turning meanwhile.
        """
        if local_path is None:
            target = storage.download_target(None, self.name or "dir")
        else:
            target = os.path.abspath(os.path.expanduser(os.fspath(local_path)))
        os.makedirs(target, exist_ok=True)
        fs, remote = storage.filesystem(self.path)
        for relative, full in _remote_files(fs, remote, None):
            local = os.path.join(target, *relative.split("/"))
            os.makedirs(os.path.dirname(local), exist_ok=True)
            fs.get_file(full, local)
        return LocalPath(target)

    def download_sync(self, local_path: str | os.PathLike[str] | None = None) -> LocalPath:
        """The Flyte SDK's name for :meth:`download` (which is synchronous here)."""
        return self.download(local_path)


#: The Flyte SDK's name for :class:`Directory`.
Dir = Directory

#: The path of :class:`EmptyDir` (the Flyte SDK's sentinel).
EMPTY_DIR_PATH = "::flyte-empty-dir::"


class EmptyDir(Directory[T]):
    """A :class:`Directory` that stands for "no folder was produced" (the Flyte SDK's
    ``flyte.io.EmptyDir``): return it where a task may have no folder to give, and check
    ``d.is_empty`` where it arrives::

        return Output(images=await Dir.from_local(out) if made else EmptyDir())
    """

    def __init__(self, **fields: Any) -> None:
        fields["path"] = EMPTY_DIR_PATH  # whatever was given, as the SDK does
        fields.setdefault("name", "")
        super().__init__(**fields)

    def __repr__(self) -> str:
        return "EmptyDir()"


class FileWalk:
    """The files of a :class:`Directory`; iterate with ``for`` or ``async for``."""

    def __init__(self, directory: Directory[T], max_depth: int | None, pattern: str) -> None:
        self.directory = directory
        self.max_depth = max_depth
        self.pattern = pattern

    def _files(self) -> list[File[T]]:
        fs, remote = storage.filesystem(self.directory.path)
        base = self.directory.path
        return [
            File(path=f"{base}/{relative}")
            for relative, _ in _remote_files(fs, remote, self.max_depth)
            if fnmatch.fnmatch(posixpath.basename(relative), self.pattern)
        ]

    def __iter__(self) -> Iterator[File[T]]:
        return iter(self._files())

    async def __aiter__(self) -> AsyncIterator[File[T]]:
        files: list[File[T]] = await storage.run_io(self.directory.path, self._files)
        for file in files:
            yield file


def _local_files(root: str) -> Iterator[tuple[str, str]]:
    """(relative posix path, absolute path) of every file under ``root``."""
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            full = os.path.join(folder, name)
            yield os.path.relpath(full, root).replace(os.sep, "/"), full


def _remote_files(fs: AbstractFileSystem, remote: str, max_depth: int | None) -> list[tuple[str, str]]:
    """(relative path, filesystem path) of the files under ``remote``, sorted."""
    if not fs.exists(remote):
        return []
    root = remote.rstrip("/")
    found = []
    for path in sorted(fs.find(root, maxdepth=max_depth, withdirs=False)):
        relative = posixpath.relpath(path, root)
        if relative == "." or any(storage.is_temporary(part) for part in relative.split("/")):
            continue
        found.append((relative, path))
    return found
