"""Who an action's container runs as, and what it may do.

By default a container runs as the kernel's own uid:gid, so what it writes in the store is
the kernel's. A kernel running as root (CI, many Docker-based notebook servers) does not
hand root to its containers: they run as flyte_nb's own unprivileged user
(:data:`SANDBOX_UID`, a uid no distribution or service uses, unlike ``nobody``), and the
kernel hands that user the folders a container must write: the run's folders of a local
store (and what the kernel writes in that store from then on), the callback server's
folder and a worker pool's socket folder.

Every container also gets ``no-new-privileges``, no capabilities at all, a limit on its
number of processes (``docker: {pids_limit: N}``, default :data:`DEFAULT_PIDS_LIMIT`), a
writable ``HOME``, and the runtime mounted read-only. An image that needs root says so in
the config, for every image (``docker: {user: root}``) or for some
(``docker: {users: {"<image tag>": root}}``); root then gets back only the few
capabilities root's usual work needs (:data:`ROOT_CAPABILITIES`), never more.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...data import _layout as layout
from ...errors import ConfigError

#: flyte_nb's own user (and group) in containers of a kernel that runs as root
SANDBOX_UID = SANDBOX_GID = 60421
DEFAULT_PIDS_LIMIT = 1024
#: a folder every user may write in any image (Python, pip and friends want a home)
HOME_IN_CONTAINER = "/tmp"
#: what a container running as root (asked for) keeps: file ownership and permissions,
#: switching users (apt drops to _apt), signalling its own processes
ROOT_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "KILL")
#: folders of a run (under ``runs/<run>/``) that its containers create entries in
RUN_FOLDERS = layout.CONTAINER_RUN_FOLDERS
#: folders at the store's root that containers create entries in (flyte.io uploads)
STORE_FOLDERS = layout.CONTAINER_STORE_FOLDERS
#: the uid of a user named in the config: only the image knows it, so nothing is handed to it
NAMED = -1
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")


@dataclass(frozen=True)
class Sandbox:
    """How one container runs: its user (``"uid:gid"`` or ``"root"``) and its limits."""

    user: str
    uid: int
    gid: int
    pids_limit: int

    @property
    def root(self) -> bool:
        return self.uid == 0 or self.user.partition(":")[0] == "root"

    @property
    def hands_folders(self) -> bool:
        """Whether the kernel must hand this container's user the folders it writes (the
        kernel is root and the container is not: nobody else can give them away). A user
        named in the config gets nothing: its uid is the image's to know."""
        return os.geteuid() == 0 and not self.root and self.uid not in (NAMED, os.geteuid())

    def create_options(self) -> dict[str, Any]:
        """Keyword arguments of ``containers.create`` that confine the container."""
        options: dict[str, Any] = {
            "user": self.user,
            "security_opt": ["no-new-privileges"],
            "cap_drop": ["ALL"],
            "pids_limit": self.pids_limit,
        }
        if self.root:
            options["cap_add"] = list(ROOT_CAPABILITIES)
        return options

    def environment(self) -> dict[str, str]:
        return {"HOME": HOME_IN_CONTAINER}

    def hand(self, *paths: str) -> None:
        """Give ``paths`` (files or folders, not their contents) to this container's user."""
        if not self.hands_folders:
            return
        for path in paths:
            try:
                # never through a link: a container could plant one pointing anywhere (/etc/shadow)
                os.chown(path, self.uid, self.gid, follow_symlinks=False)
            except FileNotFoundError:
                pass

    def hand_run(self, store: Any, run: str) -> None:
        """Make (with the store's modes) and hand the folders of ``run`` (in a local store)
        that its containers write in."""
        if not self.hands_folders:
            return
        store_root = store.root
        run_folder = _local(store_root, layout.run_root(run))
        # the store's root and runs/ too: private folders (0700) it must pass through
        folders = [store_root, _local(store_root, layout.RUNS), run_folder]
        folders += [_local(store_root, layout.run_folder(run, f)) for f in RUN_FOLDERS]
        folders += [os.path.join(store_root, f) for f in STORE_FOLDERS]
        for folder in folders:
            store.make_folders(folder)
        self.hand(*folders)
        with _handed_lock:
            first = (store_root, run) not in _handed
            _handed.add((store_root, run))
        if first:  # uploads the kernel made before (a File made in a cell): its containers read them
            for folder in STORE_FOLDERS:
                self.hand_tree(os.path.join(store_root, folder))

    def hand_job(self, access: Any, run: str, action_id: int, callbacks: Any) -> None:
        """Before a job of ``run``'s action ``action_id`` starts: hand its user the run's
        folders and the action's (a local store's) and the callback server's folder."""
        if not self.hands_folders:
            return
        if access.store.is_local:
            # what the kernel writes from now on (jobs, inputs, callback outputs, uploads) is
            # theirs, private (0600/0700) all the same: root reads it anyway
            access.store.owner = (self.uid, self.gid)
            self.hand_run(access.store, run)
            self.hand_tree(_local(access.store.root, layout.action_folder(run, action_id)))
        if callbacks is not None:
            callbacks.hand_to(self.uid, self.gid)

    def hand_tree(self, folder: str) -> None:
        """Hand ``folder`` and everything in it not handed yet (an action's folder: its job and
        inputs, and the attempt folder the container writes its outcome in)."""
        if not self.hands_folders:
            return
        for parent, dirs, files in os.walk(folder):
            paths = [parent, *(os.path.join(parent, name) for name in dirs + files)]
            self.hand(*(p for p in paths if _owner(p) != self.uid))


@dataclass(frozen=True)
class SandboxPolicy:
    """The ``docker:`` settings ``user``, ``users`` and ``pids_limit``, checked."""

    user: str | None = None
    users: Mapping[str, str] | None = None
    pids_limit: int = DEFAULT_PIDS_LIMIT

    def __post_init__(self) -> None:
        _check_user(self.user, "docker: {user: ...}")
        for image, user in (self.users or {}).items():
            if not isinstance(image, str):
                raise ConfigError(f"docker: {{users: ...}} maps image tags to users; got the key {image!r}")
            _check_user(user, f"docker: {{users: {{{image!r}: ...}}}}")
        if isinstance(self.pids_limit, bool) or not isinstance(self.pids_limit, int) or self.pids_limit < 1:
            raise ConfigError(
                f"docker: {{pids_limit: ...}} must be a whole number of processes, at least 1; got {self.pids_limit!r}"
            )

    def default(self) -> Sandbox:
        """The sandbox of containers of images that ``users`` does not name."""
        return self._sandbox(self.user)

    def for_image(self, image: str) -> Sandbox:
        """The sandbox of a container of ``image`` (a tag as the engine knows it)."""
        return self._sandbox((self.users or {}).get(image, self.user))

    def _sandbox(self, wanted: str | None) -> Sandbox:
        if wanted is None:
            if os.geteuid() == 0:
                uid, gid = SANDBOX_UID, SANDBOX_GID
            else:
                uid, gid = os.geteuid(), os.getegid()
            return Sandbox(f"{uid}:{gid}", uid, gid, self.pids_limit)
        if wanted == "root":
            return Sandbox("root", 0, 0, self.pids_limit)
        uid_text, _, gid_text = wanted.partition(":")
        if not uid_text.isdigit():  # a user of the image, by name: its uid is the image's to know
            return Sandbox(wanted, NAMED, NAMED, self.pids_limit)
        uid = int(uid_text)
        gid = int(gid_text) if gid_text else uid
        return Sandbox(f"{uid}:{gid}", uid, gid, self.pids_limit)


_handed: set[tuple[str, str]] = set()  # (store root, run) whose uploads were handed
_handed_lock = threading.Lock()


def _owner(path: str) -> int | None:
    try:
        return os.lstat(path).st_uid
    except FileNotFoundError:
        return None


def _check_user(user: Any, where: str) -> None:
    if user is None or user == "root":
        return
    if isinstance(user, str):
        name, _, group = user.partition(":")
        if _NAME.fullmatch(name) and (not group or _NAME.fullmatch(group)):
            return
    raise ConfigError(
        f"{where} must be root (for an image that needs it), a numeric uid[:gid] or a user of the image; "
        f"got {user!r}. "
        "Leave it out to run containers as the kernel's user (flyte_nb's own when the kernel is root)"
    )


def _local(root: str, key: str) -> str:
    """The path of store key ``key`` in a local store rooted at ``root``."""
    return os.path.join(root, *key.split("/"))
