"""Secrets on the docker backend: variables of the container's environment and read-only 0400
files at /etc/flyte/secrets, given per action (reusable workers too), never in the store."""

from __future__ import annotations

import glob
import hashlib
import os
import pathlib
import stat
import tempfile
from typing import Any

import flyte_nb as flyte
from flyte_nb._paths import user_config_dir

VALUE = "docker-s3cr3t-4b2e91"  # never named in task code: that code travels by value
EXPECTED = {"env": hashlib.sha256(VALUE.encode()).hexdigest(), "exists": True, "mode": 0o400, "mine": True}
EXPECTED["text"] = hashlib.sha256(f"{VALUE}-file".encode()).hexdigest()
MOUNT = pathlib.Path("/etc/flyte/secrets")
#: the SDK's example's group: an AWS secret's ARN, colons and all
GROUP = "arn:aws:secretsmanager:us-east-2:123456789012:secret"
SECRETS = ["api-token", flyte.Secret("TLS-Key", group=GROUP, mount=MOUNT)]

oneshot = flyte.TaskEnvironment("secretsdocker", secrets=SECRETS)
pooled = flyte.TaskEnvironment(
    "secretspool", secrets=SECRETS, reuse_policy=flyte.ReusePolicy(replicas=1, concurrency=1, idle_ttl=30)
)
driver = flyte.TaskEnvironment("secretsdriver")


def digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def inside() -> dict[str, Any]:
    """What the action sees, values as digests (a value returned would land in the store)."""
    path = MOUNT / GROUP / "tls-key"  # the key in lower case, as the SDK's example reads it
    found: dict[str, Any] = {"env": digest(os.environ.get("API_TOKEN")), "exists": path.exists()}
    if path.exists():
        info = path.stat()
        found.update(text=digest(path.read_text()), mode=stat.S_IMODE(info.st_mode), mine=info.st_uid == os.geteuid())
    return found


@oneshot.task
def in_container() -> dict[str, Any]:
    return inside()


@pooled.task
def in_worker() -> dict[str, Any]:
    return inside()


in_worker_without = in_worker.override(secrets=[])


@driver.task
async def on_the_same_worker() -> list[dict[str, Any]]:
    with_secrets = await in_worker.aio()
    return [with_secrets, await in_worker_without.aio()]


def value_of(run: Any) -> Any:
    out = run.outputs()
    return out[0] if isinstance(out, tuple) else out


def write_secrets() -> None:
    path = user_config_dir() / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'api-token = "{VALUE}"\n["{GROUP}"]\nTLS-Key = "{VALUE}-file"\n')
    path.chmod(0o600)


def leaked(store: pathlib.Path) -> list[pathlib.Path]:
    return [p for p in store.rglob("*") if p.is_file() and VALUE.encode() in p.read_bytes()]


def secret_folders() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "flyte_nb-secrets-*")))


def test_a_container_gets_its_secrets_as_variables_and_0400_read_only_files(docker_run, tmp_path) -> None:
    write_secrets()
    before = secret_folders()
    found = value_of(flyte.run(in_container))
    assert found == EXPECTED
    assert secret_folders() == before  # the kernel's copy of the file is gone with the container
    assert leaked(tmp_path / "store") == []


def test_a_reusable_worker_gets_secrets_per_action_not_for_good(docker_run, tmp_path) -> None:
    write_secrets()
    with_secrets, without = value_of(flyte.run(on_the_same_worker))
    assert with_secrets == EXPECTED
    assert without == {"env": None, "exists": False}  # the next action on that worker: nothing left
    assert leaked(tmp_path / "store") == []
