"""The dask backend against Dask itself, side by side on one cluster.

1. Latency: 50 no-op actions awaited one after another (after 5 warm-up ones). Reference:
   ``client.submit(noop, i).result()`` from this process. flyte_nb: a driver action on a
   worker awaits ``noop(i)``; each call goes back to the kernel (the callback socket),
   becomes a child action, is submitted to Dask, and its output travels back.
2. Throughput: fanouts of 1,000 and 10,000 no-op actions. Reference:
   ``client.gather(client.map(...))``. flyte_nb: a driver action gathers n task calls.
   Each size is measured ``--repeats`` times, the reference and flyte_nb alternating (the
   machine's other load hits both alike); the JSON has the median, min and max of each and
   the ratio of the medians.

``--address tcp://host:8786`` measures on a cluster that already runs (its workers must
reach the store: a folder they share, or ``--storage s3://...``); without it, one
``LocalCluster`` (2 worker processes x 16 threads) is started here. ``--profile`` writes a
cProfile of the kernel side of one fanout of each size to ``bench/results/`` (not timed).

Prints JSON and writes bench/results/dask_backend.json. The file name is not ``dask.py``,
which would shadow the dask package for scripts in this folder.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import _common

import flyte_nb as flyte
from flyte_nb.executors.dask._cluster import close_clusters

SEQUENTIAL, WARMUP = 50, 5
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


def reference_latency(client: Any) -> float:
    for i in range(WARMUP):
        client.submit(plain_noop, i, pure=False).result()
    start = time.perf_counter()
    for i in range(SEQUENTIAL):
        client.submit(plain_noop, i, pure=False).result()
    return (time.perf_counter() - start) / SEQUENTIAL


def reference_fanout(client: Any, n: int) -> float:
    start = time.perf_counter()
    assert len(client.gather(client.map(plain_noop, range(n), pure=False))) == n
    return time.perf_counter() - start


def ours_fanout(n: int) -> float:
    start = time.perf_counter()
    assert flyte.run(fanout, n).outputs()[0] == n
    return time.perf_counter() - start


def spread(walls: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "max_s": round(max(walls), 4),
        "walls_s": [round(w, 4) for w in walls],
    }


def measure_fanout(client: Any, n: int, repeats: int) -> dict[str, Any]:
    """``repeats`` of each side, alternating (which goes first alternates too)."""
    ours_fanout(min(n, 100))  # warm: the driver's function and the store's folders
    reference_fanout(client, min(n, 100))
    dask_walls: list[float] = []
    our_walls: list[float] = []
    for i in range(repeats):
        sides: list[tuple[list[float], Callable[[], float]]] = [
            (dask_walls, lambda: reference_fanout(client, n)),
            (our_walls, lambda: ours_fanout(n)),
        ]
        for walls, measure in sides if i % 2 == 0 else reversed(sides):
            walls.append(measure())
    ratios = sorted(o / d for o, d in zip(our_walls, dask_walls, strict=True))
    return {
        "actions": n,
        "dask": spread(dask_walls),
        "flyte_nb": spread(our_walls),
        "ratio": round(statistics.median(our_walls) / statistics.median(dask_walls), 2),
        "ratio_of_pairs": {"min": round(ratios[0], 2), "max": round(ratios[-1], 2)},
        "per_action_ms": {
            "dask": round(statistics.median(dask_walls) / n * 1e3, 3),
            "flyte_nb": round(statistics.median(our_walls) / n * 1e3, 3),
        },
    }


@contextlib.contextmanager
def cluster_client(address: str | None) -> Iterator[tuple[Any, str]]:
    from distributed import Client, LocalCluster

    if address is not None:
        with Client(address, set_as_default=False) as client:
            yield client, address
        return
    with (
        LocalCluster(n_workers=2, threads_per_worker=16, dashboard_address=":0") as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client, cluster.scheduler_address


def profile_fanouts(sizes: list[int]) -> None:
    for n in sizes:
        profiler = cProfile.Profile()
        profiler.enable()
        ours_fanout(n)
        profiler.disable()
        path = _common.RESULTS_DIR / f"dask_backend_profile_{n}.prof"
        profiler.dump_stats(path)
        print(f"kernel profile of a fanout of {n}: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", help="a running Dask scheduler (default: a LocalCluster started here)")
    parser.add_argument("--storage", help="the store workers share (default: a temporary folder here)")
    parser.add_argument("--sizes", default="1000,10000", help="fanout sizes, comma-separated")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side per size")
    parser.add_argument("--profile", action="store_true", help="write a kernel cProfile per size instead")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with (
        cluster_client(args.address) as (client, address),
        tempfile.TemporaryDirectory(prefix="flyte-nb-bench-") as folder,
    ):
        flyte.init("dask", storage=args.storage or f"file://{folder}", dask={"address": address})
        try:
            if args.profile:
                ours_fanout(100)
                profile_fanouts(sizes)
                return
            latency = {"dask_ms": reference_latency(client) * 1e3}
            latency["flyte_nb_ms"] = flyte.run(sequential, SEQUENTIAL, WARMUP).outputs()[0] * 1e3
            fanouts = [measure_fanout(client, n, args.repeats) for n in sizes]
        finally:
            close_clusters()  # flyte_nb's client of this cluster, before the cluster goes
        workers = client.scheduler_info(n_workers=-1)["workers"]
        import distributed

    report = {
        "benchmark": "dask_backend",
        "cluster": args.address or "LocalCluster, 2 worker processes x 16 threads",
        "workers": len(workers),
        "threads": sum(w["nthreads"] for w in workers.values()),
        "repeats": args.repeats,
        "latency": {
            "sequential_actions": SEQUENTIAL,
            **{k: round(v, 3) for k, v in latency.items()},
            "ratio": round(latency["flyte_nb_ms"] / latency["dask_ms"], 2),
        },
        "fanout": fanouts,
        "distributed": distributed.__version__,
        "environment": _common.environment(),
    }
    _common.write_results("dask_backend", report)


if __name__ == "__main__":
    main()
