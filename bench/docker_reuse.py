"""Reusable worker containers (ReusePolicy) on the docker backend: two workloads of issue #6.

1. Per-action overhead on a warm pool (replicas=2, concurrency=8): 50 no-op actions awaited
   one after another, after 5 warm-up actions. Target: under 5 ms, and at least 50x less than
   a cold action (bench/docker.py).
2. 200 actions of ``asyncio.sleep(1)`` with replicas=(2, 4), concurrency=25, pool started
   by the run itself. Target: under 4 s wall.

Needs a Docker engine with flyte-nb-base:bookworm (../shared/tools/docker-engine.sh).
Prints JSON and writes bench/results/docker_reuse.json.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(sys.path.pop(0))  # bench/docker.py must not shadow the docker SDK

import _common

import flyte_nb as flyte

RESULTS = Path(__file__).parent / "results" / "docker_reuse.json"
wide = flyte.TaskEnvironment("bench-wide", reuse_policy=flyte.ReusePolicy(replicas=(2, 4), concurrency=25))
quick = flyte.TaskEnvironment("bench-quick", reuse_policy=flyte.ReusePolicy(replicas=2, concurrency=8))
driver = flyte.TaskEnvironment("bench-driver")


@wide.task
async def sleep_one() -> int:
    await asyncio.sleep(1)
    return 1


@quick.task
async def noop(x: int) -> int:
    return x


@driver.task
async def fanout(n: int) -> int:
    return sum(await asyncio.gather(*[sleep_one() for _ in range(n)]))


sequential = _common.sequential_task(driver, noop)


async def measure() -> dict[str, float]:
    per_action = await (await flyte.run.aio(sequential, 50, 5))
    start = time.perf_counter()
    assert await (await flyte.run.aio(fanout, 200)) == 200
    return {
        "reusable_per_action_ms": round(per_action * 1e3, 3),
        "fanout_200x1s_wall_s": round(time.perf_counter() - start, 3),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="flyte-nb-bench-") as folder:
        flyte.init("docker", storage=f"file://{folder}")
        figures = asyncio.run(measure())
    report = {
        "benchmark": "docker_reuse",
        **figures,
        "targets": {"reusable_per_action_ms": 5.0, "fanout_200x1s_wall_s": 4.0},
        "python": sys.version.split()[0],
    }
    report["meets_targets"] = all(report[k] < v for k, v in report["targets"].items())
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
