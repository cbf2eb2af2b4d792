"""An action's secrets, present while it runs: environment variables and 0400 files.

Every action of a process shares one ``os.environ``. A secret's variable is set when the
first running action that asks for it starts and put back (its earlier value, or unset)
when the last one ends, so it never outlives the actions that asked for it; actions running
beside them in the same process can read it meanwhile (a process has one environment, and
subprocesses and C libraries read that one). A mounted secret is a 0400 file in a private
(0700) folder: ``/etc/flyte/secrets`` where this process may write there (a reusable
worker's tmpfs), else a temporary folder of its own, named by ``$FLYTE_SECRETS_DEFAULT_DIR``
while any mounted secret is in use. Files are removed when the last action using them ends.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator

from ..model._secret import SECRETS_DIR_ENV, SECRETS_MOUNT
from ..wire._secrets import SecretDelivery

_lock = threading.Lock()
#: variable -> (actions using it, the value it had before the first of them)
_env_users: dict[str, tuple[int, str | None]] = {}
#: file (relative to the folder) -> actions using it
_file_users: dict[str, int] = {}
_folder: str | None = None
_folder_env_before: str | None = None
#: mounted secrets go in /etc/flyte/secrets itself (a reusable worker's own tmpfs)
_in_mount = False


def use_secrets_mount() -> None:
    """Put mounted secrets in ``/etc/flyte/secrets`` itself, when this process may write
    there (a reusable worker container, which has a private tmpfs there)."""
    global _in_mount
    _in_mount = os.path.isdir(SECRETS_MOUNT) and os.access(SECRETS_MOUNT, os.W_OK)


@contextlib.contextmanager
def secrets_present(deliveries: Iterable[SecretDelivery]) -> Iterator[None]:
    """While the block runs, each delivery's variable is set and its file written."""
    items = list(deliveries)
    if not items:
        yield
        return
    _acquire(items)
    try:
        yield
    finally:
        _release(items)


def _acquire(items: list[SecretDelivery]) -> None:
    global _folder, _folder_env_before
    with _lock:
        for item in items:
            if item.env:
                users, before = _env_users.get(item.env, (0, os.environ.get(item.env)))
                _env_users[item.env] = (users + 1, before)
                os.environ[item.env] = item.value
            if item.file:
                if _folder is None:
                    _folder, own = _make_folder()
                    if own:
                        _folder_env_before = os.environ.get(SECRETS_DIR_ENV)
                        os.environ[SECRETS_DIR_ENV] = _folder
                _file_users[item.file] = _file_users.get(item.file, 0) + 1
                _write(os.path.join(_folder, item.file), item.value)


def _release(items: list[SecretDelivery]) -> None:
    global _folder, _folder_env_before
    with _lock:
        for item in items:
            if item.env and item.env in _env_users:
                users, before = _env_users[item.env]
                if users > 1:
                    _env_users[item.env] = (users - 1, before)
                else:
                    del _env_users[item.env]
                    _restore(item.env, before)
            if item.file and item.file in _file_users:
                _file_users[item.file] -= 1
                if not _file_users[item.file]:
                    del _file_users[item.file]
                    if _folder is not None:
                        with contextlib.suppress(FileNotFoundError):
                            os.remove(os.path.join(_folder, item.file))
        if _folder is not None and not _file_users:
            if _folder == SECRETS_MOUNT:
                _empty(_folder)
            else:
                shutil.rmtree(_folder, ignore_errors=True)
                _restore(SECRETS_DIR_ENV, _folder_env_before)
            _folder = None


def _make_folder() -> tuple[str, bool]:
    """The folder mounted secrets go in, and whether it is this process's own temporary one."""
    if _in_mount:
        return SECRETS_MOUNT, False
    return tempfile.mkdtemp(prefix="flyte_nb-secrets-"), True  # 0700


@atexit.register
def _remove_at_exit() -> None:
    """A process ending mid-action leaves no secret file behind."""
    folder = _folder
    if folder is not None and folder != SECRETS_MOUNT:
        shutil.rmtree(folder, ignore_errors=True)


def _write(path: str, value: str) -> None:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, 0o600)  # a file left by an action that asked first: written again
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o400)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value)
    os.chmod(path, 0o400)


def _empty(folder: str) -> None:
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)


def _restore(name: str, before: str | None) -> None:
    if before is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = before
