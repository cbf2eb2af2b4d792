"""Per-action overhead of flyte_nb against bare asyncio coroutines, and peak memory.

The same no-op fanout of N items, three ways:

* ``bare``: ``await asyncio.gather(*[noop(i) for i in range(n)])`` with a plain ``async def``;
* ``gather``: a flyte_nb run whose entry task gathers N calls of a no-op ``@env.task``;
* ``map``: a flyte_nb run whose entry task does ``await flyte.map(noop_task, range(n))``.

Each (variant, N) is measured in a fresh worker subprocess so its peak RSS
(``ru_maxrss``) belongs to that variant alone. A worker does one warmup at a smaller N,
then times N ``--repeat`` times and reports the best; the parent collects the workers'
JSON, adds ratios to ``bare`` and environment metadata, prints it and writes
``bench/results/overhead.json``.

Usage::

    python bench/overhead.py                                  # the full benchmark
    python bench/overhead.py --n 10000 --repeat 5             # other sizes / repeats
    python bench/overhead.py --variant gather --n 100000      # one worker, JSON on stdout
    python bench/overhead.py --variant gather --n 100000 --profile cprofile   # a profile
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import _common

import flyte_nb as flyte

VARIANTS = ("bare", "gather", "map")
DEFAULT_NS = (10_000, 100_000)
DEFAULT_REPEAT = 3
#: Targets of the product issue: an action costs at most 5x a bare coroutine, and a run
#: of 100,000 actions stays under 200 MB peak RSS.
MAX_RATIO_TO_BARE = 5.0
MAX_PEAK_RSS_MB = 200.0
RSS_TARGET_N = 100_000
WORKER_TIMEOUT_S = 900.0

env = flyte.TaskEnvironment("bench_overhead")


async def noop(x: int) -> int:
    return x


@env.task
async def noop_task(x: int) -> int:
    return x


@env.task
async def fanout_gather(n: int) -> int:
    results = await asyncio.gather(*[noop_task(i) for i in range(n)])
    return len(results)


@env.task
async def fanout_map(n: int) -> int:
    results = await flyte.map(noop_task, range(n))
    return len(results)


# ---------------------------------------------------------------------- one fanout


async def run_bare(n: int) -> int:
    results = await asyncio.gather(*[noop(i) for i in range(n)])
    return len(results)


async def run_flyte(entry: Any, n: int) -> int:
    # the default per-run limit is Flyte 2's 50,000 actions; this benchmark goes beyond it
    run = await flyte.with_runcontext(max_actions=n).aio(entry, n)
    return await run


FANOUTS: dict[str, Callable[[int], Awaitable[int]]] = {
    "bare": run_bare,
    "gather": lambda n: run_flyte(fanout_gather, n),
    "map": lambda n: run_flyte(fanout_map, n),
}


async def timed(variant: str, n: int) -> float:
    """Wall seconds of one fanout of ``n`` items, checked for completeness."""
    fanout = FANOUTS[variant]
    await settle()
    start = time.perf_counter()
    count = await fanout(n)
    elapsed = time.perf_counter() - start
    if count != n:
        raise RuntimeError(f"{variant} fanout of {n} returned {count} results")
    return elapsed


async def settle() -> None:
    """Free what the previous fanout left and collect it before the next one is timed.

    Yielding to the loop matters: until this task yields, the loop's ``_run_once`` frame
    still holds the handle that resumed it, whose arguments reference the previous
    fanout's gather future and, through it, all of its finished tasks.
    """
    for _ in range(2):
        await asyncio.sleep(0)
    gc.collect()


def warmup_size(n: int) -> int:
    return max(1_000, n // 10)


# ---------------------------------------------------------------------- worker


async def measure(variant: str, n: int, repeat: int) -> dict[str, Any]:
    """Warm up once at a smaller N, then time ``repeat`` fanouts of ``n``."""
    baseline = _common.peak_rss_mb()
    await timed(variant, warmup_size(n))
    runs: list[float] = []
    peaks: list[float] = []
    for _ in range(repeat):
        runs.append(await timed(variant, n))
        peaks.append(_common.peak_rss_mb())
    peak = peaks[-1]
    best = min(runs)
    return {
        "variant": variant,
        "n": n,
        "warmup_n": warmup_size(n),
        "runs_s": [round(r, 6) for r in runs],
        "best_s": round(best, 6),
        "median_s": round(statistics.median(runs), 6),
        "ms_per_action": best / n * 1e3,
        "us_per_action": best / n * 1e6,
        "baseline_rss_mib": round(baseline, 2),
        "peak_rss_mib": round(peak, 2),
        "peak_rss_mib_after_first_run": round(peaks[0], 2),
        "rss_growth_mib": round(peak - baseline, 2),
    }


async def profile(variant: str, n: int, profiler: str) -> Path:
    """Warm up, then profile one fanout of ``n`` and write the report under bench/results/."""
    await timed(variant, warmup_size(n))
    _common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if profiler == "pyinstrument":
        from pyinstrument import Profiler  # optional: pip install pyinstrument

        prof = Profiler(interval=0.0005, async_mode="disabled")
        prof.start()
        await timed(variant, n)
        prof.stop()
        path = _common.RESULTS_DIR / f"profile_{variant}_{n}_pyinstrument.txt"
        path.write_text(prof.output_text(unicode=False, color=False, show_all=False))
        return path
    import cProfile
    import io
    import pstats

    prof_c = cProfile.Profile()
    prof_c.enable()
    await timed(variant, n)
    prof_c.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof_c, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(30)
    path = _common.RESULTS_DIR / f"profile_{variant}_{n}_cprofile.txt"
    path.write_text(out.getvalue())
    return path


# ---------------------------------------------------------------------- parent


def worker_argv(variant: str, n: int, repeat: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--variant", variant, "--n", str(n), "--repeat", str(repeat)]


def add_verdicts(rows: list[dict[str, Any]]) -> None:
    """Ratio of each row to ``bare`` at the same N, and whether it meets the targets."""
    bare = {row["n"]: row for row in rows if row["variant"] == "bare"}
    for row in rows:
        base = bare.get(row["n"])
        row["ratio_to_bare"] = round(row["best_s"] / base["best_s"], 3) if base else None
        if row["variant"] == "bare":
            continue
        row["meets_ratio_target"] = row["ratio_to_bare"] is not None and row["ratio_to_bare"] <= MAX_RATIO_TO_BARE
        if row["n"] == RSS_TARGET_N:
            row["meets_rss_target"] = row["peak_rss_mib"] * 1.048576 < MAX_PEAK_RSS_MB


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    flyte_rows = [row for row in rows if row["variant"] != "bare"]
    rss_rows = [row for row in flyte_rows if "meets_rss_target" in row]
    return {
        "ratio_target_met": all(row["meets_ratio_target"] for row in flyte_rows),
        "worst_ratio_to_bare": max((row["ratio_to_bare"] or 0.0 for row in flyte_rows), default=None),
        "rss_target_met": all(row["meets_rss_target"] for row in rss_rows) if rss_rows else None,
        "worst_peak_rss_mib_at_100k": max((row["peak_rss_mib"] for row in rss_rows), default=None),
    }


def run_all(ns: list[int], variants: list[str], repeat: int) -> dict[str, Any]:
    rows = []
    for n in ns:
        for variant in variants:
            print(f"overhead: {variant} n={n} ...", file=sys.stderr, flush=True)
            rows.append(_common.run_worker(worker_argv(variant, n, repeat), WORKER_TIMEOUT_S))
    add_verdicts(rows)
    return {
        "benchmark": "overhead",
        "environment": _common.environment(),
        "method": {
            "timing": f"best of {repeat} per fresh worker process, after one warmup at max(1000, N/10)",
            "ms_per_action": "best wall time / N",
            "peak_rss": "ru_maxrss of the worker over warmup and all timed runs (MiB), interpreter and imports "
            "included; peak_rss_mib_after_first_run is the same after the first timed run only",
            "flyte_timing_includes": "run creation, every action, run wind-down (whole `await run`)",
        },
        "targets": {
            "max_ratio_to_bare": MAX_RATIO_TO_BARE,
            "max_peak_rss_mb_at_100k": MAX_PEAK_RSS_MB,
            "rss_note": "peak_rss_mib * 1.048576 is compared with 200 MB (10^6 bytes)",
        },
        "results": rows,
        "summary": summary(rows),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=list(DEFAULT_NS), help="fanout sizes")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed runs per worker (best is kept)")
    parser.add_argument("--variant", choices=VARIANTS, help="worker mode: measure one variant, print its JSON")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"), help="worker mode: profile one run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.variant is None:
        _common.write_results("overhead", run_all(args.n, args.variants, args.repeat))
        return
    if len(args.n) != 1:
        raise SystemExit("worker mode takes exactly one --n")
    n = args.n[0]
    if args.profile:
        path = asyncio.run(profile(args.variant, n, args.profile))
        print(f"profile written to {path}")
        return
    import json

    print(json.dumps(asyncio.run(measure(args.variant, n, args.repeat))))


if __name__ == "__main__":
    main()
