"""Containers run unprivileged: the kernel's user (flyte_nb's own when the kernel is root), no
capabilities, no new privileges, a pids limit, the runtime read-only; root only when the
config asks for it (issue 12, item 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlparse

import pytest
from docker_support import IMAGE

import flyte_nb as flyte
from flyte_nb.executors import create_executor

RUNTIME_MOUNT = "/opt/flyte_nb/lib"
#: CAP_CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID: what root keeps when asked for
ROOT_CAPS = {0, 1, 3, 4, 5, 6, 7}

env = flyte.TaskEnvironment("hardened")
pooled = flyte.TaskEnvironment("hardened_pool", reuse_policy=flyte.ReusePolicy(replicas=1, idle_ttl=2))


def inspect_self() -> dict:
    """What the process may do, seen from inside its container."""
    status = dict(line.split(":\t", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":\t" in line)
    try:
        Path(RUNTIME_MOUNT, "planted.py").write_text("print('planted')")
        runtime_writable = True
    except OSError:
        runtime_writable = False
    home = Path(os.environ["HOME"], f"probe-{os.getpid()}")
    home.write_text("a home it may write")
    return {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "cap_eff": int(status["CapEff"], 16),
        "no_new_privs": int(status["NoNewPrivs"]),
        "runtime_writable": runtime_writable,
    }


@env.task
def probe() -> dict:
    return inspect_self()


@pooled.task
def pooled_probe() -> dict:
    return inspect_self()


@env.task
def fork_bomb(most: int) -> int:
    """Starts processes until the engine says no (bounded by ``most``); returns how many ran."""
    children = []
    try:
        for _ in range(most):
            try:
                children.append(subprocess.Popen(["sleep", "30"]))
            except OSError:  # EAGAIN: the container's pids limit
                break
        return len(children)
    finally:
        for child in children:
            child.kill()
            child.wait()


def expected_uid() -> int:
    return 60421 if os.geteuid() == 0 else os.geteuid()


def test_a_container_runs_as_an_unprivileged_user_without_capabilities(docker_run):
    seen = flyte.run(probe).outputs()[0]  # its result, written by that user, reads back in the kernel
    assert seen["uid"] == expected_uid() and seen["uid"] != 0
    assert seen["cap_eff"] == 0
    assert seen["no_new_privs"] == 1
    assert seen["runtime_writable"] is False


def test_pool_workers_get_the_same_hardening(docker_run):
    seen = flyte.run(pooled_probe).outputs()[0]
    assert seen["uid"] == expected_uid() and seen["uid"] != 0
    assert seen["cap_eff"] == 0 and seen["no_new_privs"] == 1 and seen["runtime_writable"] is False


def test_a_fork_bomb_stops_at_the_pids_limit(docker_client, tmp_path):
    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE, "pids_limit": 48})
    started = flyte.run(fork_bomb, 500).outputs()[0]
    assert 0 < started < 48


def test_root_only_when_the_config_says_so(docker_client, tmp_path):
    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE, "users": {IMAGE: "root"}})
    seen = flyte.run(probe).outputs()[0]
    assert seen["uid"] == 0
    assert {bit for bit in range(64) if seen["cap_eff"] >> bit & 1} == ROOT_CAPS  # not docker's default set
    assert seen["no_new_privs"] == 1 and seen["runtime_writable"] is False
    assert create_executor("docker", {"user": "root"}).user == "root"
    assert create_executor("docker", {"users": {IMAGE: "root"}}).user == f"{expected_uid()}:{expected_uid()}"


def docker_socket_gid(client) -> int | None:
    url = urlparse(client.api.base_url)
    path = "/var/run/docker.sock" if url.scheme in ("http+docker", "unix") else None
    return os.stat(path).st_gid if path and os.path.exists(path) else None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start a kernel as another user")
def test_a_kernel_that_is_not_root_runs_containers_as_its_own_user(docker_client, tmp_path):
    gid = docker_socket_gid(docker_client)
    assert gid is not None, "this test reaches the engine through its unix socket"
    uid = 1000
    for folder in (tmp_path, tmp_path / "home"):
        folder.mkdir(exist_ok=True)
        os.chown(folder, uid, uid)
    script = tmp_path / "kernel.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os
            import flyte_nb as flyte

            env = flyte.TaskEnvironment("not_root")


            @env.task
            def whoami() -> int:
                return os.getuid()


            flyte.init("docker", storage="file://{tmp_path / "store"}", docker={{"base_image": "{IMAGE}"}})
            print(os.getuid(), flyte.run(whoami).outputs()[0])
            """
        )
    )
    environment = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home")}
    environment.pop("XDG_CACHE_HOME", None)
    # the interpreter may live in root's home (pyenv): read access, nothing more
    caps = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    command = ["setpriv", f"--reuid={uid}", f"--regid={uid}", f"--groups={gid}", *caps, sys.executable, str(script)]
    done = subprocess.run(command, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == [str(uid), str(uid)]
