"""Helpers shared by the benchmark scripts: environment metadata, peak RSS, result files,
the one-after-another latency task.

Only the standard library is imported here, so the reference runner (which uses another
interpreter, without flyte_nb) can import it too.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
REPO_DIR = BENCH_DIR.parent


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return peak / divisor


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=REPO_DIR, capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip()


def git_info() -> dict[str, Any]:
    """The checked-out commit, and whether flyte_nb has uncommitted changes (they are measured too)."""
    commit = _git("rev-parse", "HEAD")
    dirty = _git("status", "--porcelain", "--", "flyte_nb")
    info: dict[str, Any] = {"commit": commit, "flyte_nb_dirty": bool(dirty) if dirty is not None else None}
    if dirty:
        diff = _git("diff", "HEAD", "--", "flyte_nb") or ""
        info["flyte_nb_diff_sha1"] = hashlib.sha1(diff.encode()).hexdigest()[:12]
        info["flyte_nb_changed_files"] = sorted(line.split(maxsplit=1)[1] for line in dirty.splitlines())
    return info


def flyte_nb_info() -> dict[str, Any]:
    """The flyte_nb being measured: its version and where it was imported from."""
    try:
        import flyte_nb
    except ImportError:
        return {"flyte_nb_version": None, "flyte_nb_path": None}
    return {"flyte_nb_version": flyte_nb.__version__, "flyte_nb_path": str(Path(flyte_nb.__file__).parent)}


def environment() -> dict[str, Any]:
    """Where the figures were measured."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        **flyte_nb_info(),
        "git": git_info(),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` to ``bench/results/<name>.json`` and print it to stdout."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    text = json.dumps(data, indent=2)
    path.write_text(text + "\n")
    print(text)
    return path


def run_worker(argv: list[str], timeout: float, cwd: str | Path = REPO_DIR) -> dict[str, Any]:
    """Run a worker subprocess that prints one JSON object as its last stdout line; return it."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {argv} failed with exit code {proc.returncode}:\n{proc.stderr[-4000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"worker {argv} printed nothing:\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1])


def sequential_task(env: Any, callee: Any) -> Any:
    """A task of ``env`` that awaits ``callee(i)`` ``warmup`` times, then ``n`` times one after
    another, and returns the seconds per call of the ``n``: an action's latency on a backend.

    Made here once for the benchmarks that measure it; the task's module (this one) travels
    to the backend's workers by value, like a benchmark script's own tasks.
    """

    async def sequential(n: int, warmup: int) -> float:
        for i in range(warmup):
            await callee(i)
        start = time.perf_counter()
        for i in range(n):
            await callee(i)
        return (time.perf_counter() - start) / n

    task: Callable[..., Any] = env.task(sequential)
    return task
