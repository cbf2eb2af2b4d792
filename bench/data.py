"""What moving an action's data costs: u (upload) and d (download) per action, by value size and store.

With the local backend and ``local: {copy_io: true}``, every action's inputs and output go
through the data layer as they would to and from a container: pickled with cloudpickle,
kept inline up to ``max_inline_io_bytes`` (10 MiB) and written to the store above it. The
executor records the seconds and bytes of both directions on the action
(``ActionRecord.timings``: ``u``, ``d``, ``u_bytes``, ``d_bytes``); this script reads them.

Workload: an entry task makes a ``bytes`` value of 1 KB, 1 MB or 20 MB (10^3, 10^6,
2x10^7 bytes; 20 MB is over the 10 MiB inline limit, so it is offloaded) and passes it
to one child action that returns it. The child's ``u`` is the parent encoding the input
plus the child encoding its output; ``d`` is the child decoding the input plus the parent
decoding the output (the 2u + 2d of seed 004, as two sums). After a warmup round, ``--repeat``
rounds each run every (store, size) once; medians are reported, with MB/s = bytes / seconds
(10^6 bytes per MB). Stores: ``file://`` in a temporary folder (``--dir``) and
``memory://``. Results go to stdout and ``bench/results/data.json``.

Usage::

    python bench/data.py
    python bench/data.py --repeat 31 --stores file --dir /mnt/ssd
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Any

import _common

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.data._codec import dumps

SIZES = {"1KB": 1_000, "1MB": 1_000_000, "20MB": 20_000_000}
STORES = ("file", "memory")
DEFAULT_REPEAT = 15
MB = 1_000_000

env = flyte.TaskEnvironment("bench_data")


@env.task
async def echo(blob: bytes) -> bytes:
    return blob


@env.task
async def relay(n: int) -> int:
    blob = bytes(n)  # pickles to n bytes plus a small header, whatever the contents
    out = await echo(blob)
    return len(out)


def one_run(url: str, size: int) -> tuple[dict[str, float], bool]:
    """One run of ``relay(size)`` on the store at ``url``: the child's timings, and
    whether its value was offloaded (written to the store)."""
    flyte.init(storage=url, local={"copy_io": True})
    store = Store(url)
    gc.collect()
    run = flyte.run(relay, size)
    assert run.outputs()[0] == size, run.phase
    child = run.controller.actions[1]
    assert child.timings is not None, "copy_io did not record timings"
    offloaded = bool(list(store.keys(f"runs/{run.name}/actions/{child.id}")))
    store.delete(f"runs/{run.name}", recursive=True)  # keep memory:// from growing
    return dict(child.timings), offloaded


def summarize(kind: str, label: str, samples: list[dict[str, float]], offloaded: set[bool]) -> dict[str, Any]:
    assert len(offloaded) == 1, "a size was offloaded in some runs only"
    size = SIZES[label]
    u = [s["u"] for s in samples]
    d = [s["d"] for s in samples]
    u_bytes = int(statistics.median(s["u_bytes"] for s in samples))
    d_bytes = int(statistics.median(s["d_bytes"] for s in samples))
    u_med, d_med = statistics.median(u), statistics.median(d)
    return {
        "store": kind,
        "size": label,
        "value_bytes": size,
        "pickled_bytes": len(dumps(bytes(size))),
        "offloaded": offloaded.pop(),
        "repeat": len(samples),
        "u_s": u_med,
        "d_s": d_med,
        "u_s_min": min(u),
        "d_s_min": min(d),
        "u_plus_d_s": statistics.median(a + b for a, b in zip(u, d, strict=True)),
        "u_bytes": u_bytes,
        "d_bytes": d_bytes,
        "u_mb_per_s": u_bytes / MB / u_med if u_med else None,
        "d_mb_per_s": d_bytes / MB / d_med if d_med else None,
        "u_s_runs": u,
        "d_s_runs": d,
    }


def benchmark(sizes: list[str], stores: list[str], repeat: int, folder: str | None) -> list[dict[str, Any]]:
    """Warm up every (store, size) once, then ``repeat`` rounds, each running every
    (store, size) once: interleaved, so no store or size always runs first (the
    allocator's state after a 20 MB value, for one, changes the next small value's cost)."""
    roots = {kind: tempfile.mkdtemp(prefix="flyte_nb_bench_data_", dir=folder) for kind in stores if kind == "file"}
    urls = {
        kind: f"file://{roots[kind]}" if kind == "file" else f"memory://flyte-nb-bench-{uuid.uuid4().hex[:8]}"
        for kind in stores
    }
    samples: dict[tuple[str, str], list[dict[str, float]]] = {(k, s): [] for k in stores for s in sizes}
    offloaded: dict[tuple[str, str], set[bool]] = {(k, s): set() for k in stores for s in sizes}
    try:
        for round_no in range(repeat + 1):  # round 0 is the warmup
            for kind in stores:
                for label in sizes:
                    timings, moved = one_run(urls[kind], SIZES[label])
                    if round_no:
                        samples[kind, label].append(timings)
                        offloaded[kind, label].add(moved)
    finally:
        for root in roots.values():
            shutil.rmtree(root, ignore_errors=True)
        for kind, url in urls.items():
            store = Store(url)
            if kind == "memory" and store.fs.exists(store.root):
                store.fs.rm(store.root, recursive=True)
    return [summarize(kind, label, samples[kind, label], offloaded[kind, label]) for kind in stores for label in sizes]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs per (store, size); medians")
    parser.add_argument("--dir", default=None, help="parent folder of the file:// store (default: the temp dir)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    folder = args.dir or tempfile.gettempdir()
    results = benchmark(args.sizes, args.stores, args.repeat, args.dir)
    report = {
        "benchmark": "data",
        "environment": {**_common.environment(), "file_store_parent": str(Path(folder).resolve())},
        "method": {
            "workload": "entry task relay(n) passes bytes(n) to one child task echo(blob) that returns it",
            "backend": "local, copy_io: true (inputs and outputs pickled, offloaded over max_inline_io_bytes)",
            "max_inline_io_bytes": 10 * 1024 * 1024,
            "u": "child action: parent encodes the input + child encodes the output (store write when offloaded)",
            "d": "child action: child decodes the input + parent decodes the output (store read when offloaded)",
            "statistic": f"median of --repeat rounds (each runs every store x size once) after a warmup round; "
            f"MB = {MB} bytes",
            "file_store": "Store.put writes a temporary, fsyncs it and renames it into place",
        },
        "results": results,
    }
    _common.write_results("data", report)


if __name__ == "__main__":
    main()
