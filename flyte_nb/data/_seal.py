"""Seals on store entries that get unpickled: proof that this user's flyte_nb wrote them.

Unpickling runs code, so a store entry that is unpickled (a cache entry, a job, a result,
an offloaded value, a trace checkpoint) must come from someone holding the store's key.
Each such entry is ``MAGIC + HMAC-SHA256(key, store key + NUL + bytes) + bytes``: the MAC
binds the entry to its own key path, so a sealed entry copied to another key fails too,
and it is checked in constant time before a byte is unpickled.

The key is made once per user (``store.key``, mode 0600, in flyte_nb's user config
folder), or is the config's ``store_key`` for a store a team shares. Containers and Dask
workers get a *run key*, ``HMAC(key, "run:" + run)``, which seals and checks only
``runs/<run>/...``: code in a container can answer for its own run, never forge a cache
entry or another run's result.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import _layout as layout

MAGIC = b"FNBSEAL1"
_MAC_SIZE = hashlib.sha256().digest_size
HEADER_SIZE = len(MAGIC) + _MAC_SIZE
#: Environment variable carrying a container's run key: ``{"run": name, "key": hex}``.
RUN_KEY_ENV_VAR = "FLYTE_NB_RUN_KEY"
KEY_FILE_NAME = "store.key"


class SealError(ValueError):
    """An entry carries no seal, or a seal made with another key or for another key path; or
    a run's key was asked to seal outside its run (a ValueError, so a cache write that meets
    it is skipped with a warning like any other value the store refuses)."""


@dataclass(frozen=True)
class Sealer:
    """Seals and checks entries with the store's key, or with one run's key only.

    ``run`` is None for the kernel's sealer (the master key: any entry, each run's entries
    with that run's derived key); a run's sealer (``for_run``) holds only its run's key.
    """

    key: bytes = field(repr=False)
    run: str | None = None

    def for_run(self, run: str) -> Sealer:
        """The sealer a container or worker of ``run`` gets: its own run's entries only."""
        if self.run is not None:
            if self.run != run:
                raise SealError(f"a sealer of run {self.run!r} cannot make one for run {run!r}")
            return self
        return Sealer(_run_key(self.key, run), run)

    def to_env(self) -> str:
        """This run sealer as the value of ``$FLYTE_NB_RUN_KEY`` (or a Dask job argument)."""
        assert self.run is not None, "only a run's key leaves the kernel"
        return json.dumps({"run": self.run, "key": self.key.hex()})

    @classmethod
    def from_env(cls, text: str) -> Sealer:
        data = json.loads(text)
        return cls(bytes.fromhex(data["key"]), str(data["run"]))

    def seal(self, path: str, data: bytes) -> bytes:
        """``data`` with its seal in front, for the entry at store key ``path``."""
        return self.header(path, data) + data

    def header(self, path: str, data: bytes) -> bytes:
        """The seal that goes in front of ``data`` (written apart, so ``data`` is not copied)."""
        return MAGIC + self._mac(path, data)

    def open(self, path: str, blob: bytes) -> memoryview:
        """The bytes of the sealed entry at ``path`` (a view: large values are not copied);
        SealError when its seal does not hold."""
        if not blob.startswith(MAGIC) or len(blob) < HEADER_SIZE:
            raise SealError("it carries no seal")
        data = memoryview(blob)[HEADER_SIZE:]
        if not hmac.compare_digest(blob[len(MAGIC) : HEADER_SIZE], self._mac(path, data)):
            raise SealError("its seal was made with another key or for another entry")
        return data

    def _mac(self, path: str, data: bytes | memoryview) -> bytes:
        mac = hmac.new(self._key_for(path), path.encode() + b"\0", hashlib.sha256)
        mac.update(data)
        return mac.digest()

    def _key_for(self, path: str) -> bytes:
        run = layout.run_of(path)
        if self.run is None:
            return _run_key(self.key, run) if run is not None else self.key
        if run != self.run:
            raise SealError(
                f"the key of run {self.run!r} cannot seal or check {path!r}, outside {layout.run_root(self.run)}/"
            )
        return self.key


def _run_key(master: bytes, run: str) -> bytes:
    return hmac.new(master, b"run:" + run.encode(), hashlib.sha256).digest()


def default_sealer() -> Sealer:
    """The sealer of a store made without one: a container's run key
    (``$FLYTE_NB_RUN_KEY``), else the user's key file (made on first use). The kernel's
    stores come from the session, which passes the config's ``store_key`` when it has one."""
    text = os.environ.get(RUN_KEY_ENV_VAR)
    if text:
        return Sealer.from_env(text)
    return Sealer(user_key())


_keys: dict[str, bytes] = {}
_keys_lock = threading.Lock()


def key_file() -> Path:
    """Where this user's store key lives: ``store.key`` in flyte_nb's user config folder."""
    from .._paths import user_config_dir

    return user_config_dir() / KEY_FILE_NAME


def user_key() -> bytes:
    """This user's store key, made (0600, atomically, never overwritten) the first time."""
    path = key_file()
    with _keys_lock:
        key = _keys.get(str(path))
        if key is None:
            key = _keys[str(path)] = _read_or_make(path)
    return key


def _read_or_make(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        os.write(descriptor, (secrets.token_hex(32) + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temp, path)  # atomic and never replaces: a process that raced us wins, we read its key
    except FileExistsError:
        pass
    finally:
        os.unlink(temp)
    return _read(path)


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    mode = path.stat().st_mode & 0o077
    if mode:
        warnings.warn(
            f"the store key {path} can be read or written by other users (mode {oct(mode)}); "
            f"anyone who reads it can make this kernel run code through the store: chmod 600 {path}",
            stacklevel=3,
        )
    if len(text) < 32:
        raise SealError(f"the store key {path} is too short; delete it and flyte_nb makes a new one")
    return text.encode()
