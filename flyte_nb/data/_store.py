"""The object store every backend shares: one fsspec URL, atomic writes, readable layout.

``file://`` (default: ``.flyte_nb/`` beside the notebook), ``memory://`` for tests and
``s3://`` through s3fs. Writes are atomic: on a local disk the bytes go to a hidden
temporary name in the same folder and are renamed into place (a reader sees the old
object or the new one, never a torn one, even after ``kill -9``); object stores and
``memory://`` replace an object in one call already. The keys under the root (runs,
cache, uploads) are drawn and defined in ``_layout``.

On a local disk the files and folders a store creates are the user's alone (0600 / 0700,
set on each, whatever the process's umask), or the group's too (0660 / 0770) when the
config says ``storage_shared: true``. Entries that are unpickled (cache entries, jobs,
results, offloaded values, checkpoints) are written with :meth:`Store.put_sealed` and read
with :meth:`Store.get_sealed`, which refuses an entry whose seal does not hold (see
``_seal``); flyte.io files, folders and data frames are the user's plain bytes, unsealed.
"""

from __future__ import annotations

import asyncio
import os
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from ..errors import ConfigError, StoreIntegrityError
from ._seal import Sealer, SealError, default_sealer

T = TypeVar("T")

#: Environment variable naming the default store URL (used when the config names none).
STORAGE_ENV_VAR = "FLYTE_NB_STORAGE"
#: Its fsspec options, as JSON (how containers of a run on a remote store get them).
STORAGE_OPTIONS_ENV_VAR = "FLYTE_NB_STORAGE_OPTIONS"
#: "1" when the store is shared with the user's group (how containers learn ``storage_shared``).
STORAGE_SHARED_ENV_VAR = "FLYTE_NB_STORAGE_SHARED"
DEFAULT_STORAGE = ".flyte_nb"
_TEMP_MARK = ".tmp-"


def default_storage_url() -> str:
    """``$FLYTE_NB_STORAGE``, else ``.flyte_nb`` in the working directory (the notebook's)."""
    return os.environ.get(STORAGE_ENV_VAR) or DEFAULT_STORAGE


def default_storage_options() -> dict[str, Any]:
    """``$FLYTE_NB_STORAGE_OPTIONS`` (JSON), else none."""
    text = os.environ.get(STORAGE_OPTIONS_ENV_VAR)
    if not text:
        return {}
    import json

    return json.loads(text)


#: what ``Store.put`` writes as one piece (anything else is an iterable of chunks)
_WHOLE = (bytes, bytearray, memoryview)


class Store:
    """Bytes under keys (``/``-separated paths) in one fsspec location.

    A local store reads and writes through the OS directly and loads fsspec only for the
    rarer operations (listing, streaming, deleting trees): an action's container that just
    reads its job and writes its result never imports it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        shared: bool | None = None,
        sealer: Sealer | None = None,
        **storage_options: Any,
    ) -> None:
        url = url or default_storage_url()
        if "://" not in url:
            url = "file://" + os.path.abspath(os.path.expanduser(url))
        self.url = url
        self.storage_options = storage_options
        #: shared with the user's group (0660 / 0770) rather than private (0600 / 0700)
        self.shared = os.environ.get(STORAGE_SHARED_ENV_VAR) == "1" if shared is None else shared
        #: modes of the files and folders it creates on a local disk
        self.file_mode, self.folder_mode = (0o660, 0o770) if self.shared else (0o600, 0o700)
        #: (uid, gid) given what this process writes from now on (a kernel running as root hands
        #: its store to its containers' user: executors/docker/_sandbox.py); None: the writer keeps it
        self.owner: tuple[int, int] | None = None
        self._sealer = sealer
        self._fs: Any = None
        #: on this machine's disk (read and written through the OS, reachable by path)
        self.is_local: bool
        if url.startswith(("file://", "local://")) and not storage_options:
            self.protocol = "file"
            self.root = os.path.abspath(os.path.expanduser(url.partition("://")[2])).rstrip("/") or "/"
            self.is_local = True
            return
        fs, root = self._open()
        self.protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
        self.root = root.rstrip("/") or "/"
        self.is_local = self.protocol in ("file", "local")

    @property
    def fs(self) -> Any:
        """The fsspec filesystem behind the store (loaded on first use)."""
        if self._fs is None:
            self._open()
        return self._fs

    def _open(self) -> tuple[Any, str]:
        import fsspec.core

        try:
            self._fs, root = fsspec.core.url_to_fs(self.url, **self.storage_options)
        except (ImportError, ValueError) as exc:
            raise ConfigError(
                f"cannot open storage {self.url!r}: {exc}. Use file://path, memory://name or s3://bucket/prefix "
                "(s3 needs: pip install s3fs)"
            ) from exc
        return self._fs, root

    # ------------------------------------------------------------------ keys
    def path(self, key: str) -> str:
        """The filesystem path of ``key``."""
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"store keys are relative paths without '..', got {key!r}")
        return posixpath.join(self.root, key)

    def url_of(self, key: str) -> str:
        """A URL naming ``key`` that fsspec can open anywhere the store is reachable."""
        return f"{self.protocol}://{self.path(key).lstrip('/') if self.protocol != 'file' else self.path(key)}"

    # ------------------------------------------------------------------ sync API (threads)
    def put(self, key: str, data: bytes | Iterable[bytes], *, header: bytes = b"") -> None:
        """Write ``header`` then ``data`` at ``key`` atomically (replacing what was there).
        ``data`` may come in chunks (an iterable of bytes), written as they come."""
        path = self.path(key)
        if not self.is_local:
            whole = data if isinstance(data, _WHOLE) else b"".join(data)
            self.fs.pipe_file(path, header + whole if header else whole)
            return
        folder, name = posixpath.split(path)
        self.make_folders(folder)
        temp = posixpath.join(folder, f".{name}{_TEMP_MARK}{os.urandom(16).hex()}")
        try:
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.file_mode)
            with open(descriptor, "wb") as handle:
                os.fchmod(descriptor, self.file_mode)  # the umask does not decide who reads the store
                if self.owner is not None:
                    os.fchown(descriptor, *self.owner)
                if header:
                    handle.write(header)
                if isinstance(data, _WHOLE):
                    handle.write(data)
                else:
                    handle.writelines(data)
                handle.flush()
                os.fsync(descriptor)
            os.replace(temp, path)  # atomic on one filesystem
        except BaseException:
            _remove_quietly(temp)
            raise

    def make_folders(self, folder: str) -> None:
        """Create ``folder`` (a local path) and its missing parents with the store's folder
        mode (``os.makedirs`` would give the parents the umask's)."""
        if os.path.isdir(folder):
            return
        parent = os.path.dirname(folder)
        if parent != folder:
            self.make_folders(parent)
        try:
            os.mkdir(folder, self.folder_mode)
        except FileExistsError:
            return  # a concurrent writer made it: its mode is the store's too
        os.chmod(folder, self.folder_mode)
        if self.owner is not None:
            os.chown(folder, *self.owner)

    # ------------------------------------------------------------------ sealed entries
    @property
    def sealer(self) -> Sealer:
        """What seals this store's pickled entries: this process's key (see ``_seal``)."""
        if self._sealer is None:
            self._sealer = default_sealer()
        return self._sealer

    def sealed_by(self, sealer: Sealer) -> Store:
        """This store (same filesystem client) sealing and checking with ``sealer``."""
        other = object.__new__(Store)
        other.__dict__.update(self.__dict__)
        other._sealer = sealer
        return other

    def put_sealed(self, key: str, data: bytes) -> None:
        """Write ``data`` at ``key`` with its seal (``memory://``, inside this process: as is)."""
        self.put(key, data, header=b"" if self.protocol == "memory" else self.sealer.header(key, data))

    def get_sealed(self, key: str) -> bytes | memoryview:
        """The bytes at ``key`` once its seal is checked; StoreIntegrityError when it does not
        hold (the bytes are then never unpickled); FileNotFoundError when there are none."""
        blob = self.get(key)
        if self.protocol == "memory":
            return blob
        try:
            return self.sealer.open(key, blob)
        except SealError as exc:
            raise StoreIntegrityError(
                f"the store entry {self.url_of(key)} was not written by this user's flyte_nb: {exc}. "
                "It was not unpickled (unpickling runs code). Another user or program wrote it, or it was sealed "
                "with another key (an older flyte_nb, another store.key, another store_key). Delete it "
                "(flyte-nb clean for the cache) and run again; for a store a team shares, give every member the "
                "same store_key in the config.",
                key=key,
            ) from None

    def put_file(self, key: str, local_path: str) -> None:
        """Upload a local file to ``key`` (atomically on local stores)."""
        path = self.path(key)
        if not self.is_local:
            self.fs.put_file(local_path, path)
            return
        with open(local_path, "rb") as handle:
            self.put(key, handle.read())

    def get(self, key: str) -> bytes:
        """The bytes at ``key``; FileNotFoundError when there are none."""
        if self.is_local:
            with open(self.path(key), "rb") as handle:
                return handle.read()
        return self.fs.cat_file(self.path(key))

    def get_file(self, key: str, local_path: str) -> None:
        self.fs.get_file(self.path(key), local_path)

    def open(self, key: str, mode: str = "rb") -> IO[Any]:
        """A file object for streaming reads (or writes, not atomic) of ``key``."""
        return self.fs.open(self.path(key), mode)

    def exists(self, key: str) -> bool:
        if self.is_local:
            return os.path.exists(self.path(key))
        return bool(self.fs.exists(self.path(key)))

    def size(self, key: str) -> int:
        return int(self.fs.size(self.path(key)))

    def delete(self, key: str, recursive: bool = False) -> None:
        if self.fs.exists(self.path(key)):
            self.fs.rm(self.path(key), recursive=recursive)

    def children(self, prefix: str) -> list[str]:
        """The names directly under ``prefix`` (files and folders, temporaries skipped), sorted;
        none when it does not exist. One listing, nothing read."""
        base = self.path(prefix)
        if self.is_local:
            try:
                names = os.listdir(base)
            except (FileNotFoundError, NotADirectoryError):
                return []
        else:
            if not self.fs.exists(base):
                return []
            names = [posixpath.basename(p.rstrip("/")) for p in self.fs.ls(base, detail=False)]
        return sorted(n for n in names if not (n.startswith(".") and _TEMP_MARK in n))

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Keys under ``prefix`` (complete objects only: temporaries are skipped)."""
        base = self.path(prefix) if prefix else self.root
        if not self.fs.exists(base):
            return
        for path in sorted(self.fs.find(base)):
            name = posixpath.basename(path)
            if name.startswith(".") and _TEMP_MARK in name:
                continue
            yield posixpath.relpath(path, self.root)

    def clean_temporaries(self, older_than: float = 600.0) -> int:
        """Remove temporaries left by writers that were killed mid-write, when older than
        ``older_than`` seconds (a live writer's temporary is young); returns how many."""
        if not self.is_local or not os.path.isdir(self.root):
            return 0
        removed = 0
        cutoff = time.time() - older_than
        for folder, _, files in os.walk(self.root):
            for name in files:
                path = os.path.join(folder, name)
                if name.startswith(".") and _TEMP_MARK in name and _mtime(path) <= cutoff:
                    _remove_quietly(path)
                    removed += 1
        return removed

    # ------------------------------------------------------------------ async API (the loop)
    async def io(self, func: Callable[..., T], *args: Any) -> T:
        """Run blocking work on this store off the event loop (inline for ``memory://``,
        which is in-process and never waits)."""
        if self.protocol == "memory":
            return func(*args)
        return await asyncio.to_thread(func, *args)

    async def aput(self, key: str, data: bytes) -> None:
        await self.io(self.put, key, data)

    async def aget(self, key: str) -> bytes:
        return await self.io(self.get, key)

    async def aget_sealed(self, key: str) -> bytes | memoryview:
        return await self.io(self.get_sealed, key)

    def __repr__(self) -> str:
        return f"Store({self.url!r})"


def _mtime(path: str) -> float:
    try:
        return os.path.getmtime(path)
    except FileNotFoundError:
        return float("inf")


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
