"""Secrets on the dask backend: carried in the job (never the store), present on the worker
only while the action runs: a variable, and a 0400 file in a private folder."""

from __future__ import annotations

import hashlib
import os
import pathlib
import stat
from typing import Any

import flyte_nb as flyte
from flyte_nb._paths import user_config_dir

VALUE = "dask-s3cr3t-0c5d77"  # never named in task code: that code travels by value
MOUNT = pathlib.Path("/etc/flyte/secrets")

with_secrets = flyte.TaskEnvironment(
    "dask_secrets", secrets=["api-token", flyte.Secret("tls-key", group="certs", mount=MOUNT)]
)
without = flyte.TaskEnvironment("dask_no_secrets")


def digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


@with_secrets.task
def on_worker() -> dict[str, Any]:
    folder = os.environ["FLYTE_SECRETS_DEFAULT_DIR"]
    path = pathlib.Path(folder, "certs", "tls-key")
    return {
        "pid": os.getpid(),
        "env": digest(os.environ.get("API_TOKEN")),
        "text": digest(path.read_text()),
        "mode": stat.S_IMODE(path.stat().st_mode),
        "folder_mode": stat.S_IMODE(os.stat(folder).st_mode),
        "path": str(path),
    }


@without.task
def after(pid: int, path: str) -> dict[str, Any]:
    return {"same_worker": os.getpid() == pid, "env": "API_TOKEN" in os.environ, "file": os.path.exists(path)}


@without.task
async def both() -> list[dict[str, Any]]:
    seen = await on_worker.aio()
    later = [await after.aio(seen["pid"], seen["path"]) for _ in range(16)]
    return [seen, *later]


def test_a_dask_action_sees_its_secrets_and_they_are_gone_after(dask_run) -> None:
    path = user_config_dir() / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'api-token = "{VALUE}"\n[certs]\ntls-key = "{VALUE}-file"\n')
    path.chmod(0o600)
    out = flyte.run(both).outputs()
    seen, *later = out[0] if isinstance(out, tuple) else out
    assert seen["env"] == digest(VALUE) and seen["text"] == digest(f"{VALUE}-file")
    assert seen["mode"] == 0o400 and seen["folder_mode"] == 0o700
    assert all(not a["env"] and not a["file"] for a in later), later
    assert any(a["same_worker"] for a in later)  # two workers, 16 checks: some ran where the secret was
    leaked = [p for p in pathlib.Path(dask_run).rglob("*") if p.is_file() and VALUE.encode() in p.read_bytes()]
    assert leaked == []
