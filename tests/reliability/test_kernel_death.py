"""Item 9 of issue 12 (second half): the containers of a kernel killed with -9 end themselves.

A "kernel" (a Python process running a docker-backend run whose one-shot action and
reusable-worker action each sleep for ten minutes in sync code) is killed with SIGKILL
while its containers run: they stop on their own, long before their work would have ended,
without waiting for another kernel to sweep them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import docker
from docker_support import IMAGE

KERNEL = textwrap.dedent(
    """
    import asyncio, sys, time
    import flyte_nb as flyte

    store, image = sys.argv[1:3]
    flyte.init("docker", storage=f"file://{store}", docker={"base_image": image})
    oneshot = flyte.TaskEnvironment("kernel_death_oneshot")
    pooled = flyte.TaskEnvironment(
        "kernel_death_pool", reuse_policy=flyte.ReusePolicy(replicas=1, idle_ttl=3600, scaledown_ttl=3600)
    )

    @pooled.task
    def pool_sleep(seconds: float) -> str:
        time.sleep(seconds)  # sync: a thread nobody can interrupt
        return "pool"

    @oneshot.task
    def oneshot_sleep(seconds: float) -> str:
        time.sleep(seconds)
        return "oneshot"

    @oneshot.task
    async def main(seconds: float) -> list:
        return list(await asyncio.gather(oneshot_sleep.aio(seconds), pool_sleep.aio(seconds)))

    print("flyte_nb from", flyte.__file__, flush=True)
    flyte.run(main, 600.0)
    """
)


def running(client, kernel: str) -> list:
    return client.containers.list(filters={"label": f"flyte_nb.kernel={kernel}", "status": "running"}, sparse=True)


def exits_since(client, kernel: str, since: float) -> dict[str, int]:
    """Container id -> exit code, of the kernel's containers that stopped since ``since``
    (from the engine's events: a container another process force-removes dies with 137)."""
    events = client.events(
        since=int(since),
        until=int(time.time()) + 1,
        decode=True,
        filters={"type": "container", "event": "die", "label": f"flyte_nb.kernel={kernel}"},
    )
    return {e["Actor"]["ID"]: int(e["Actor"]["Attributes"].get("exitCode", -1)) for e in events}


def test_containers_of_a_kernel_killed_with_sigkill_end_themselves(docker_client, tmp_path):
    script = tmp_path / "kernel.py"
    script.write_text(KERNEL)
    process = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "store"), IMAGE],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    kernel = f"{socket.gethostname()}:{process.pid}"
    try:
        deadline = time.monotonic() + 120
        # the entry action's container, its one-shot child's and the pool's worker
        while len(live := running(docker_client, kernel)) < 3:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the kernel's containers did not start"
            time.sleep(0.2)
        ids = {c.id for c in live}
        since = time.time() - 1
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        killed = time.monotonic()
        deadline = killed + 30  # generous on a loaded machine, and far below the 600 s of work
        while not ids <= (exits := exits_since(docker_client, kernel, since)).keys() and time.monotonic() < deadline:
            time.sleep(0.2)
        print(f"the killed kernel's containers ended {time.monotonic() - killed:.1f} s after SIGKILL: {exits}")
        assert ids <= exits.keys(), f"still running {time.monotonic() - killed:.0f} s after the kernel died"
        # each ended itself, not killed by anyone (137) nor crashed: 75 "my kernel has gone", or
        # 0 for an action whose task call lost the kernel first (its failure is its outcome)
        assert {exits[i] for i in ids} <= {0, 75}, exits
        assert 75 in {exits[i] for i in ids}, exits  # the sleeping ones cannot end any other way
    finally:
        if process.poll() is None:
            process.kill()
        for container in docker_client.containers.list(
            all=True, sparse=True, filters={"label": f"flyte_nb.kernel={kernel}"}
        ):
            try:
                container.remove(force=True)
            except docker.errors.APIError:  # removed meanwhile (a sweep of another process)
                pass
