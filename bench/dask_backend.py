"""The dask backend against Dask itself, side by side on one LocalCluster (2 worker processes).

1. Latency: 50 no-op actions awaited one after another (after 5 warm-up ones). Reference:
   ``client.submit(noop, i).result()`` from this process. flyte_nb: a driver action on a
   worker awaits ``noop(i)``; each call goes back to the kernel (the callback socket),
   becomes a child action, is submitted to Dask, and its output travels back.
2. Throughput: a fanout of 1,000 no-op actions. Reference: ``client.gather(client.map(...))``.
   flyte_nb: a driver action gathers 1,000 task calls.

Prints JSON and writes bench/results/dask_backend.json. The file name is not ``dask.py``,
which would shadow the dask package for scripts in this folder.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common

import flyte_nb as flyte
from flyte_nb.executors.dask._cluster import close_clusters

RESULTS = Path(__file__).parent / "results" / "dask_backend.json"
SEQUENTIAL, WARMUP, FANOUT, REPEATS = 50, 5, 1000, 3
env = flyte.TaskEnvironment("bench-dask")


def plain_noop(x: int) -> int:
    return x


@env.task
async def noop(x: int) -> int:
    return x


sequential = _common.sequential_task(env, noop)


@env.task
async def fanout(n: int) -> int:
    return len(await asyncio.gather(*[noop(i) for i in range(n)]))


def reference(client: object) -> dict[str, float]:
    for i in range(WARMUP):
        client.submit(plain_noop, i, pure=False).result()
    start = time.perf_counter()
    for i in range(SEQUENTIAL):
        client.submit(plain_noop, i, pure=False).result()
    latency = (time.perf_counter() - start) / SEQUENTIAL
    walls = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        assert len(client.gather(client.map(plain_noop, range(FANOUT), pure=False))) == FANOUT
        walls.append(time.perf_counter() - start)
    return {"latency_ms": latency * 1e3, "fanout_wall_s": statistics.median(walls)}


def ours() -> dict[str, float]:
    latency = flyte.run(sequential, SEQUENTIAL, WARMUP).outputs()[0]
    walls = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        assert flyte.run(fanout, FANOUT).outputs()[0] == FANOUT
        walls.append(time.perf_counter() - start)
    return {"latency_ms": latency * 1e3, "fanout_wall_s": statistics.median(walls)}


def main() -> None:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=16, dashboard_address=":0") as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory(prefix="flyte-nb-bench-") as folder,
    ):
        flyte.init("dask", storage=f"file://{folder}", dask={"address": cluster.scheduler_address})
        dask_figures = reference(client)
        our_figures = ours()
        close_clusters()  # flyte_nb's client of this cluster, before the cluster goes
    report = {
        "benchmark": "dask_backend",
        "cluster": "LocalCluster, 2 worker processes x 16 threads",
        "sequential_actions": SEQUENTIAL,
        "fanout_actions": FANOUT,
        "dask": {k: round(v, 4) for k, v in dask_figures.items()},
        "flyte_nb": {k: round(v, 4) for k, v in our_figures.items()},
        "ratio": {k: round(our_figures[k] / dask_figures[k], 2) for k in dask_figures},
        "per_fanout_action_ms": {
            "dask": round(dask_figures["fanout_wall_s"] / FANOUT * 1e3, 3),
            "flyte_nb": round(our_figures["fanout_wall_s"] / FANOUT * 1e3, 3),
        },
        "python": sys.version.split()[0],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
