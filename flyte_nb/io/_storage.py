"""What File, Directory and DataFrame share: which store they use, how they reach a URL,
content hashing, and the small sync/async bridges of their methods.

Nothing here imports fsspec at module level: ``import flyte_nb`` (and ``flyte_nb.io``)
stays free of the data layer until a File is actually uploaded or read.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import hashlib
import os
import posixpath
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

    from ..data._store import Store

P = ParamSpec("P")
R = TypeVar("R")

_CHUNK = 1 << 20  # bytes hashed per read


# ---------------------------------------------------------------------- stores and URLs
def current_store() -> Store:
    """The store uploads go to: the current run's inside a run; outside one, the store
    ``flyte.init(storage=...)`` names, else ``$FLYTE_NB_STORAGE``, else ``.flyte_nb``."""
    from ..model._context import current

    ctx = current.get()
    if ctx is not None and ctx.controller.data is not None:
        return ctx.controller.data.store
    from ..session._config import configured_store

    return configured_store()


def scratch_key(name: str) -> str:
    """A fresh key for an object written in place (``new_remote``): under the run when in one."""
    from ..model._context import current

    ctx = current.get()
    data = ctx.controller.data if ctx is not None else None
    from ..data import _layout as layout

    return layout.scratch_key(data.run if data is not None else None, uuid.uuid4().hex, name)


def filesystem(url: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem and path of ``url``; the current store's filesystem (with its
    storage options, e.g. s3 credentials) when the URL has the store's protocol."""
    import fsspec.core

    if "://" not in url:
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem(), os.path.abspath(os.path.expanduser(url))
    store = current_store()
    if url.split("://", 1)[0] == store.protocol:
        return store.fs, fsspec.core.strip_protocol(url)
    fs, path = fsspec.core.url_to_fs(url)
    return fs, path


def is_in_process(url: str | None) -> bool:
    """True for ``memory://`` URLs: their I/O never waits, so async forms need no thread."""
    if url is None:
        return current_store().protocol == "memory"
    return url.startswith("memory://")


async def run_io(url: str | None, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking store I/O off the event loop (inline for ``memory://``)."""
    if is_in_process(url):
        return func(*args, **kwargs)
    return await asyncio.to_thread(func, *args, **kwargs)


def make_parent(fs: AbstractFileSystem, path: str) -> None:
    """Create the folder of ``path`` on filesystems that have real folders (in a local
    store: with the store's folder mode, 0700 unless it is shared)."""
    if _is_local(fs):
        store = _local_store_holding(path)
        folder = posixpath.dirname(path) or "."
        if store is not None:
            store.make_folders(folder)
        else:
            os.makedirs(folder, exist_ok=True)


def own(fs: AbstractFileSystem, path: str) -> None:
    """Give a file just created in a local store the store's file mode (0600 unless shared)."""
    if _is_local(fs):
        store = _local_store_holding(path)
        if store is not None:
            os.chmod(path, store.file_mode)
            if store.owner is not None:  # a root kernel's store belongs to its containers' user
                os.chown(path, *store.owner)


def _local_store_holding(path: str) -> Store | None:
    store = current_store()
    if store.is_local and (path == store.root or path.startswith(store.root.rstrip("/") + "/")):
        return store
    return None


def _is_local(fs: AbstractFileSystem) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return protocol in ("file", "local")


def is_temporary(name: str) -> bool:
    """Names of half-written objects of the store's atomic writes (never listed)."""
    return name.startswith(".") and ".tmp-" in name


# ---------------------------------------------------------------------- local files
def local_source(local_path: str | os.PathLike[str], what: str, *, folder: bool = False) -> str:
    """The absolute path of an existing local file (or folder); a clear error naming it otherwise."""
    given = os.fspath(local_path)
    path = os.path.abspath(os.path.expanduser(given))
    if not os.path.exists(path):
        kind = "folder" if folder else "file"
        raise FileNotFoundError(errno.ENOENT, f"{what}: no local {kind} {given!r} to upload", path)
    if folder and not os.path.isdir(path):
        raise NotADirectoryError(errno.ENOTDIR, f"{what}: {given!r} is a file; use File.from_local for it", path)
    if not folder and os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{what}: {given!r} is a folder; use Directory.from_local", path)
    return path


def sha256_of(local_path: str) -> tuple[str, int]:
    """The sha256 (hex) and size of a local file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(local_path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def put_blob(store: Store, local_path: str, name: str) -> tuple[str, str, int]:
    """Upload a local file by content: ``blobs/<sha256>/<name>``, skipped when already there.
    Returns (key, sha256, size)."""
    from ..data import _layout as layout

    sha, size = sha256_of(local_path)
    key = layout.blob_key(sha, name)
    if not store.exists(key):
        store.put_file(key, local_path)
    return key, sha, size


def put_at(url: str, local_path: str) -> None:
    """Upload a local file to an explicit destination URL (``remote_destination``)."""
    fs, path = filesystem(url)
    make_parent(fs, path)
    fs.put_file(local_path, path)


def download_target(local_path: str | os.PathLike[str] | None, name: str) -> str:
    """Where a download goes: a fresh temporary folder, or ``local_path`` (inside it when it
    is an existing folder or ends with a separator)."""
    if local_path is None:
        return os.path.join(tempfile.mkdtemp(prefix="flyte_nb-"), name)
    given = os.fspath(local_path)
    target = os.path.abspath(os.path.expanduser(given))
    if given.endswith((os.sep, "/")) or os.path.isdir(target):
        target = os.path.join(target, name)
    return target


def base_name(url: str) -> str:
    """The last part of a URL or path (``memory://x/a/b.txt`` -> ``b.txt``)."""
    return posixpath.basename(url.rstrip("/")) or url


def reference_name(kind: str, path: object, name: str | None) -> str:
    """The name of a ``kind`` (File, Directory) at ``path``: ``name`` when given, else the last
    part of ``path``. A ``path`` that is not a non-empty string is a TypeError naming ``kind``."""
    if not isinstance(path, str) or not path:
        raise TypeError(f"{kind}(path=...) needs a URL or path string, got {path!r}")
    return base_name(path) if name is None else name


# ---------------------------------------------------------------------- sync and async forms
class LocalPath(str):
    """A local path: a plain ``str`` that can also be awaited.

    ``download()`` returns one, so both spellings give the path: ``f.download()`` (as
    Flyte 2 examples write it, in any task) and ``await f.download()`` (the Flyte SDK's async form). It pickles
    as a plain ``str``.
    """

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, str]:
        yield from ()
        return str(self)

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))


class AwaitableList(list[Any]):
    """A list that can also be awaited (``await d.list_files()``, the Flyte SDK's form)."""

    def __await__(self) -> Generator[Any, None, list[Any]]:
        yield from ()
        return list(self)

    def __reduce__(self) -> Any:
        return (list, (list(self),))


class SyncWithAio(Generic[P, R]):
    """A method that runs synchronously when called, with an awaitable twin at ``.aio``
    (``df.to_pandas()`` / ``await df.to_pandas.aio()``), as ``flyte.run`` / ``flyte.run.aio``.

    The twin runs the same code in a worker thread (inline for ``memory://``), so the event
    loop keeps turning while a large object downloads.
    """

    def __init__(self, func: Callable[Concatenate[Any, P], R]) -> None:
        self._func = func
        # copies the method's name and doc onto this descriptor, which typeshed only allows for callables
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return _Bound(self._func, obj)


class _Bound(Generic[P, R]):
    __slots__ = ("__self__", "_func")

    def __init__(self, func: Callable[Concatenate[Any, P], R], obj: Any) -> None:
        self._func = func
        self.__self__ = obj

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._func(self.__self__, *args, **kwargs)

    def aio(self, *args: P.args, **kwargs: P.kwargs) -> Awaitable[R]:
        """The awaitable form: the same call, its I/O off the event loop."""
        return run_io(getattr(self.__self__, "uri", None), self._func, self.__self__, *args, **kwargs)

    @property  # the wrapped method's doc, read when asked; object declares __doc__ a plain attribute
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._func.__doc__

    def __repr__(self) -> str:
        return f"<method {self._func.__qualname__} of {self.__self__!r}>"


def sync_with_aio(func: Callable[Concatenate[Any, P], R]) -> SyncWithAio[P, R]:
    """Decorate a blocking method so it also has an awaitable ``.aio`` form."""
    return SyncWithAio(func)


class ContentIdentity:
    """Equality of references: by content hash when it is known, else by location.

    Mixed into File, Directory and DataFrame (each has ``hash`` and ``path``)."""

    __slots__ = ()

    if TYPE_CHECKING:  # every class it is mixed into has one (a field or a property)

        @property
        def path(self) -> str: ...

    def _identity(self) -> tuple[str, str]:
        digest = getattr(self, "hash", None)
        return ("sha256", digest) if digest else ("path", self.path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())
