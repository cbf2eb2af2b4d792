"""What listing past runs costs: ``flyte.remote.Run.listall`` over N synthetic ended runs.

Writes N run records (``run.json``, as an ended run leaves it) to a ``file://`` store in a
temporary folder, each with a 100 KB ``outputs`` value beside it, then times
``list(flyte.remote.Run.listall(limit=N))`` (all of them, newest first) and a filtered listing
(``in_phase=("failed",)``). Counts the store reads: listing reads each record and no value.
Results go to stdout and ``bench/results/run_history.json``.

Usage::

    python bench/run_history.py
    python bench/run_history.py --n 5000 --repeat 7
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from typing import Any

import _common

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.data import _layout as layout


def write_runs(store: Store, n: int) -> None:
    value = b"x" * 100_000
    start = time.time() - n
    for i in range(n):
        name = f"bench-{i:05d}"
        record = {
            "run": name,
            "phase": "failed" if i % 10 == 0 else "succeeded",
            "task": "bench.main",
            "started": start + i,
            "elapsed_s": 0.5,
            "actions": 3,
            "counts": {"succeeded": 3},
            "groups": [],
            "errors": [],
        }
        store.put(layout.run_record(name), json.dumps(record, indent=1).encode())
        store.put(layout.run_outputs_key(name), value)


def timed(repeat: int, fn: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"file://{folder}"
        flyte.init(storage=url)
        write_runs(Store(url), args.n)
        reads: list[str] = []
        original = Store.get

        def counting_get(self: Store, key: str) -> bytes:
            reads.append(key)
            return original(self, key)

        Store.get = counting_get  # type: ignore[method-assign]
        all_s, runs = timed(args.repeat, lambda: list(flyte.remote.Run.listall(limit=args.n)))
        failed_s, failed = timed(
            args.repeat, lambda: list(flyte.remote.Run.listall(in_phase=("failed",), limit=args.n))
        )
        Store.get = original  # type: ignore[method-assign]
    value_reads = [k for k in reads if not k.endswith(layout.run_record("x").rsplit("/", 1)[-1])]
    _common.write_results(
        "run_history",
        {
            "environment": _common.environment(),
            "n_runs": args.n,
            "repeat": args.repeat,
            "listall_all_s": round(all_s, 4),
            "listall_failed_s": round(failed_s, 4),
            "listed": len(runs),
            "listed_failed": len(failed),
            "newest_first": runs[0].name == f"bench-{args.n - 1:05d}",
            "store_reads_per_listing": len(reads) // (2 * args.repeat),
            "value_reads": len(value_reads),
        },
    )


if __name__ == "__main__":
    main()
