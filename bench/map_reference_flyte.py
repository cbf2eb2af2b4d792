"""The map_concurrency workload on the real Flyte 2 SDK in local mode, for comparison.

Run by ``bench/map_concurrency.py --reference`` with the Python of a separate venv that
has the ``flyte`` package (not flyte_nb) installed; prints one JSON object. The Flyte
SDK's local mode runs map items one after another, whatever ``concurrency`` says.

``flyte.map.aio`` is used because the blocking ``flyte.map`` inside an async task raises
"Deadlock detected: blocking call used in syncify thread" in the SDK's local mode.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import _common
import flyte

env = flyte.TaskEnvironment("bench_map_reference")


@env.task
async def sleeper(x: int, seconds: float) -> int:
    await asyncio.sleep(seconds)
    return x


@env.task
async def map_main(n: int, concurrency: int, seconds: float) -> list[int]:
    items = range(n)
    return [r async for r in flyte.map.aio(sleeper, items, [seconds] * n, concurrency=concurrency)]


def measure(n: int, concurrency: int, seconds: float, repeat: int) -> dict[str, Any]:
    flyte.init()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        run = flyte.run(map_main, n, concurrency, seconds)
        outputs = run.outputs()
        runs.append(time.perf_counter() - start)
    values = getattr(outputs, "o0", outputs)
    if list(values) != list(range(n)):
        raise RuntimeError(f"reference map returned {values!r}")
    return {
        "sdk": "flyte",
        "sdk_version": flyte.__version__,
        "mode": "local (flyte.init())",
        "python": _common.environment()["python"],
        "runs_s": [round(r, 4) for r in runs],
        "wall_s_median": round(statistics.median(runs), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--sleep", type=float, required=True)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(measure(args.items, args.concurrency, args.sleep, args.repeat)))


if __name__ == "__main__":
    main()
