"""``flyte.map(..., concurrency=N)`` keeps exactly N actions running: timing and overlap.

8 items of a task that sleeps 0.5 s, mapped with ``concurrency=3``, must take
ceil(8/3) = 3 waves x 0.5 s = 1.5 s (within 10%), and at most (and at some point exactly)
3 actions may run at once. The overlap is computed from the run's action records
(``started`` / ``ended`` monotonic times). Results go to stdout and
``bench/results/map_concurrency.json``.

``--reference`` also runs the same workload on the real Flyte 2 SDK in local mode, in a
subprocess using the Python of a separate venv with ``flyte`` installed (default
``$FLYTE_REFERENCE_PYTHON`` or ``/tmp/flyte-ref/bin/python``), and reports it side by side.

Usage::

    python bench/map_concurrency.py
    python bench/map_concurrency.py --reference [/path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import _common

import flyte_nb as flyte

ITEMS = 8
CONCURRENCY = 3
SLEEP_S = 0.5
TOLERANCE = 0.10
DEFAULT_REPEAT = 3
DEFAULT_REFERENCE_PYTHON = "/tmp/flyte-ref/bin/python"
REFERENCE_TIMEOUT_S = 300.0

env = flyte.TaskEnvironment("bench_map")


@env.task
async def sleeper(x: int, seconds: float) -> int:
    await asyncio.sleep(seconds)
    return x


@env.task
async def map_main(n: int, concurrency: int, seconds: float) -> list[int]:
    return await flyte.map(sleeper, range(n), [seconds] * n, concurrency=concurrency)


def expected_seconds(items: int, concurrency: int, seconds: float) -> float:
    return math.ceil(items / concurrency) * seconds


def peak_overlap(intervals: Iterable[tuple[float, float]]) -> int:
    """The largest number of intervals open at one instant (an end at t closes before a start at t)."""
    events = sorted(event for start, end in intervals for event in ((start, 1), (end, -1)))
    # at equal times -1 sorts before +1: a slot handed over at the same instant is no overlap
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


async def measure_once(items: int, concurrency: int, seconds: float) -> dict[str, Any]:
    start = time.perf_counter()
    run = await flyte.run.aio(map_main, items, concurrency, seconds)
    outputs = await run
    wall = time.perf_counter() - start
    if outputs != list(range(items)):
        raise RuntimeError(f"map returned {outputs!r}")
    mapped = [rec for rec in run.controller.actions if rec.parent is not None]
    if len(mapped) != items or any(not rec.ended for rec in mapped):
        raise RuntimeError(f"expected {items} finished map actions, got {len(mapped)}")
    intervals = [(rec.started, rec.ended) for rec in mapped]
    return {
        "wall_s": round(wall, 4),
        "map_span_s": round(max(e for _, e in intervals) - min(s for s, _ in intervals), 4),
        "peak_running": peak_overlap(intervals),
    }


async def measure(items: int, concurrency: int, seconds: float, repeat: int) -> dict[str, Any]:
    runs = [await measure_once(items, concurrency, seconds) for _ in range(repeat)]
    expected = expected_seconds(items, concurrency, seconds)
    walls = [r["wall_s"] for r in runs]
    within = all(abs(w - expected) <= TOLERANCE * expected for w in walls)
    peaks = {r["peak_running"] for r in runs}
    return {
        "sdk": "flyte_nb",
        "runs": runs,
        "wall_s_median": round(statistics.median(walls), 4),
        "wall_s_max": round(max(walls), 4),
        "expected_s": expected,
        "ratio_to_expected": round(statistics.median(walls) / expected, 4),
        "time_within_tolerance": within,
        "peak_running": max(peaks),
        "peak_running_ok": peaks == {concurrency},
    }


def reference(python: str, items: int, concurrency: int, seconds: float, repeat: int) -> dict[str, Any]:
    """The same workload on the real Flyte SDK (local mode), or why it could not run."""
    if not Path(python).exists():
        return {"skipped": f"no reference interpreter at {python}; see bench/README.md to install one"}
    script = Path(__file__).resolve().parent / "map_reference_flyte.py"
    argv = [python, str(script), "--items", str(items), "--concurrency", str(concurrency)]
    argv += ["--sleep", str(seconds), "--repeat", str(repeat)]
    # a scratch working directory, so nothing the SDK writes relative to it lands in the repo
    # (its local run data goes to a fixed /tmp/flyte, see bench/README.md)
    with tempfile.TemporaryDirectory(prefix="flyte-ref-") as scratch:
        try:
            result = _common.run_worker(argv, REFERENCE_TIMEOUT_S, cwd=scratch)
        except (RuntimeError, OSError, ValueError) as exc:
            return {"skipped": f"reference run failed: {exc}"}
    result["ratio_to_expected"] = round(result["wall_s_median"] / expected_seconds(items, concurrency, seconds), 4)
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--sleep", type=float, default=SLEEP_S, help="seconds each item sleeps")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument(
        "--reference",
        nargs="?",
        const=os.environ.get("FLYTE_REFERENCE_PYTHON", DEFAULT_REFERENCE_PYTHON),
        metavar="PYTHON",
        help="also run the workload on the real Flyte SDK with this interpreter",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    result: dict[str, Any] = {
        "benchmark": "map_concurrency",
        "environment": _common.environment(),
        "workload": {
            "items": args.items,
            "concurrency": args.concurrency,
            "sleep_s": args.sleep,
            "repeat": args.repeat,
            "expected_s": expected_seconds(args.items, args.concurrency, args.sleep),
            "tolerance": TOLERANCE,
        },
        "flyte_nb": asyncio.run(measure(args.items, args.concurrency, args.sleep, args.repeat)),
    }
    if args.reference:
        print(f"map_concurrency: reference run with {args.reference} ...", file=sys.stderr, flush=True)
        result["reference"] = reference(args.reference, args.items, args.concurrency, args.sleep, args.repeat)
    nb = result["flyte_nb"]
    result["passed"] = nb["time_within_tolerance"] and nb["peak_running_ok"]
    _common.write_results("map_concurrency", result)


if __name__ == "__main__":
    main()
