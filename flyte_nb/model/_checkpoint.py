"""``flyte.Checkpoint``: save a task's progress as one object, and load the previous attempt's.

As in the Flyte 2 SDK: ``Checkpoint(checkpoint_dest, checkpoint_src=None)`` names where
``save`` writes and where ``load`` reads (any fsspec URL or local path). Saving a directory
writes a gzip tar of its entries; a file or ``bytes`` is written as is. ``load`` clears the
local workspace ``path``, unpacks a tar there (and returns ``path``) or puts a single object
at ``path / "payload"`` (and returns that); with no previous checkpoint it returns None.
Async tasks use ``await load()`` / ``await save(...)``, sync tasks ``load_sync`` / ``save_sync``.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import shutil
import tarfile
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

_PAYLOAD = "payload"


def latest_checkpoint(
    root: pathlib.Path,
    glob_pattern: str = "**/last.ckpt",
    *,
    key: Callable[[pathlib.Path], Any] | None = None,
) -> pathlib.Path | None:
    """The file under ``root`` matching ``glob_pattern`` with the largest ``key(path)``
    (newest modification time by default), or None when nothing matches."""
    root = pathlib.Path(root)
    if glob_pattern.startswith("**/"):
        matches = list(root.rglob(glob_pattern[3:]))
    else:
        matches = list(root.glob(glob_pattern))
    if not matches:
        return None
    return max(matches, key=key if key is not None else (lambda p: p.stat().st_mtime))


class BaseCheckpoint(ABC):
    """What a checkpoint helper offers: a local workspace ``path``, ``prev_exists()``, and
    ``load`` / ``save`` (async) with ``load_sync`` / ``save_sync``."""

    @property
    @abstractmethod
    def path(self) -> pathlib.Path:
        """Local directory for reading and writing checkpoint files."""

    @abstractmethod
    def prev_exists(self) -> bool:
        """Whether a previous checkpoint location was given."""

    @abstractmethod
    async def load(self) -> pathlib.Path | None:
        """Load the previous checkpoint (async)."""

    @abstractmethod
    async def save(self, data: pathlib.Path | str | bytes) -> None:
        """Save a checkpoint (async)."""

    @abstractmethod
    def load_sync(self) -> pathlib.Path | None:
        """Load the previous checkpoint."""

    @abstractmethod
    def save_sync(self, data: pathlib.Path | str | bytes) -> None:
        """Save a checkpoint."""


class Checkpoint(BaseCheckpoint):
    """A checkpoint stored as one object at ``checkpoint_dest``, restored from ``checkpoint_src``."""

    def __init__(self, checkpoint_dest: str, checkpoint_src: str | None = None) -> None:
        self._checkpoint_dest = checkpoint_dest
        self._checkpoint_src: str | None = None
        if checkpoint_src is not None and (src := checkpoint_src.strip().strip('"')) != "":
            self._checkpoint_src = src
        self._workspace = tempfile.TemporaryDirectory(prefix="flyte-cp-")
        self._restored: pathlib.Path | None = None
        self._loaded = False

    @property
    def remote_destination(self) -> str:
        """Where ``save`` writes."""
        return self._checkpoint_dest

    @property
    def remote_source(self) -> str | None:
        """Where ``load`` reads the previous checkpoint from, if anywhere."""
        return self._checkpoint_src

    @property
    def path(self) -> pathlib.Path:
        path = pathlib.Path(self._workspace.name)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def prev_exists(self) -> bool:
        return self._checkpoint_src is not None

    def load_sync(self) -> pathlib.Path | None:
        if self._checkpoint_src is None:
            return None
        if not self._loaded:
            self._restored = self._download(self._checkpoint_src)
            self._loaded = True
        return self._restored

    async def load(self) -> pathlib.Path | None:
        return await asyncio.to_thread(self.load_sync)

    def save_sync(self, data: pathlib.Path | str | bytes) -> None:
        if isinstance(data, bytes):
            self._upload(lambda out: out.write(data))
            return
        src = pathlib.Path(data)
        if not src.exists():
            raise FileNotFoundError(f"Checkpoint source path does not exist: {src}")
        if not src.is_dir():
            self._upload_file(src)
            return
        fd, name = tempfile.mkstemp(prefix="flyte-cptar-", suffix=".tar.gz")
        os.close(fd)
        archive = pathlib.Path(name)
        try:
            with tarfile.open(archive, "w:gz") as tar:
                for child in sorted(src.iterdir()):
                    tar.add(child, arcname=child.name, recursive=True)
            self._upload_file(archive)
        finally:
            archive.unlink(missing_ok=True)

    async def save(self, data: pathlib.Path | str | bytes) -> None:
        await asyncio.to_thread(self.save_sync, data)

    def _upload_file(self, src: pathlib.Path) -> None:
        with src.open("rb") as source:
            self._upload(lambda out: shutil.copyfileobj(source, out))

    def _upload(self, write: Callable[[Any], Any]) -> None:
        import fsspec

        dest = _local_path(self._checkpoint_dest)
        if dest is not None:
            dest.parent.mkdir(parents=True, exist_ok=True)
        with fsspec.open(self._checkpoint_dest, "wb") as out:
            write(out)

    def _download(self, source: str) -> pathlib.Path | None:
        """Fetch the object at ``source`` into the workspace; None if it is missing or empty."""
        import fsspec

        for child in self.path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        fd, name = tempfile.mkstemp(prefix="flyte-cpdl-", suffix=".bin")
        os.close(fd)
        download = pathlib.Path(name)
        try:
            try:
                with fsspec.open(source, "rb") as src, download.open("wb") as out:
                    shutil.copyfileobj(src, out)
            except (FileNotFoundError, OSError):
                return None  # no previous checkpoint there: start fresh, as the SDK does
            if download.stat().st_size == 0:
                return None
            if tarfile.is_tarfile(download):
                with tarfile.open(download, "r:*") as tar:
                    tar.extractall(path=self.path)  # our own checkpoint archive
                return self.path
            shutil.move(str(download), self.path / _PAYLOAD)
            return self.path / _PAYLOAD
        finally:
            download.unlink(missing_ok=True)


def _local_path(uri: str) -> pathlib.Path | None:
    if uri.startswith("file://"):
        return pathlib.Path(uri[len("file://") :])
    return None if "://" in uri else pathlib.Path(uri)
