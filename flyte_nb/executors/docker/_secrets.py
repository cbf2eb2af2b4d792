"""An action's secrets in its container: variables of its environment, and files.

A one-shot container gets each variable at its creation, and each mounted secret as a 0400
file of its user, in a private (0700) folder of the kernel, bind-mounted read-only at
``/etc/flyte/secrets/<group>/<key>``; the folder is removed as soon as the container ends.
A reusable worker gets nothing of them at its creation: each action's secrets travel with
the action over the pool's socket, and the worker writes mounted ones in its own tmpfs at
``/etc/flyte/secrets`` (:func:`secrets_tmpfs`) while the action runs.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

from ...model._secret import SECRETS_MOUNT
from ...wire._secrets import SecretDelivery
from ._sandbox import NAMED, Sandbox

#: the size of a reusable worker's tmpfs for mounted secrets
TMPFS_SIZE = "4m"
#: folders of containers that have not ended yet: removed at exit, should the kernel end first
_live: set[str] = set()


@atexit.register
def _remove_at_exit() -> None:
    for folder in list(_live):
        shutil.rmtree(folder, ignore_errors=True)


class ContainerSecrets:
    """The secrets of one one-shot container, their files written (call :meth:`remove` after)."""

    def __init__(self, deliveries: list[SecretDelivery], sandbox: Sandbox) -> None:
        self._env = {d.env: d.value for d in deliveries if d.env}
        self._files: dict[str, str] = {}  # path in the container -> path here
        self._folder: str | None = None
        mounted = [d for d in deliveries if d.file]
        if not mounted:
            return
        self._folder = tempfile.mkdtemp(prefix="flyte_nb-secrets-")  # 0700: the kernel's user only
        _live.add(self._folder)
        try:
            for number, item in enumerate(mounted):
                assert item.file is not None
                here = os.path.join(self._folder, str(number))
                fd = os.open(here, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o400)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(item.value)
                sandbox.hand(here)  # the container's user owns it (a root kernel's containers are not root)
                self._files[f"{SECRETS_MOUNT}/{item.file}"] = here
        except BaseException:
            self.remove()
            raise

    def environment(self) -> dict[str, str]:
        return dict(self._env)

    def mounts(self) -> list[Any]:
        """Read-only bind mounts of the files (``docker.types.Mount``: a group may hold ``:``,
        as an AWS secret's ARN does, which a ``volumes`` string could not)."""
        from docker.types import Mount

        return [Mount(there, here, type="bind", read_only=True) for there, here in self._files.items()]

    def remove(self) -> None:
        """Remove the files (the container has ended, or never started)."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            _live.discard(self._folder)
            self._folder = None

    def __repr__(self) -> str:  # never a value
        return f"<ContainerSecrets: {sorted(self._env)} and {sorted(self._files)}>"


def secrets_tmpfs(sandbox: Sandbox) -> dict[str, Any]:
    """``containers.create`` options giving a reusable worker a private tmpfs (0700, its user's)
    at ``/etc/flyte/secrets``, where it writes each action's mounted secrets; none for a user
    the config names by name (its uid is the image's to know: the worker then uses a private
    temporary folder and names it in ``$FLYTE_SECRETS_DEFAULT_DIR``)."""
    if sandbox.uid == NAMED:
        return {}
    return {"tmpfs": {SECRETS_MOUNT: f"size={TMPFS_SIZE},mode=0700,uid={sandbox.uid},gid={sandbox.gid}"}}
