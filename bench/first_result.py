"""First result in a fresh process: ``import``, ``flyte.init()`` and the first ``flyte.run`` of a
no-op task (local mode), flyte_nb against the Flyte 2 SDK, beside a bare interpreter.

Each repetition starts, one after another, a fresh ``python -c pass`` (bare), a fresh
``python -c "import asyncio"`` (asyncio, the floor of any async runner), flyte_nb's script and
the SDK's script (the same code with ``import flyte``, run by ``--sdk-python``). Per process it
records the wall time seen by this script and the CPU time of the child (user + system, from
``wait4``: less sensitive to other load on the machine), and, for the two runners, the time
the script itself measures from before its import to the first result in hand
(``run.outputs()``). Medians, quartiles and ratios to the bare interpreter go to
``bench/results/first_result.json``; ``--importtime K`` adds the median ``-X importtime``
self time of flyte_nb's heaviest modules over K runs.

Bytecode caches are warmed first (one unmeasured run of each, with bytecode writing on), as
a user's second start finds them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

SDK_PYTHON = "/tmp/sdkvenv/bin/python"

SCRIPT = """\
import time
start = time.perf_counter()
import {module} as flyte
flyte.init()
env = flyte.TaskEnvironment("first")


@env.task
async def noop() -> None:
    return None


run = flyte.run(noop)
outputs = run.outputs()
elapsed = time.perf_counter() - start
import json
print(json.dumps({{"first_result_s": elapsed, "version": flyte.__version__, "path": flyte.__file__}}))
"""


def _child_env(checkout: Path = _common.REPO_DIR) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FLYTE_NB_CONFIG")}
    env["PYTHONPATH"] = str(checkout) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _one(argv: list[str], cwd: str, env: dict[str, str]) -> dict[str, Any]:
    """Start ``argv``; its wall time, its CPU time (user + system) and what it printed last."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    lines = [line for line in out.decode().splitlines() if line.strip()]
    result: dict[str, Any] = {"wall_s": wall}
    if lines and lines[-1].startswith("{"):
        result.update(json.loads(lines[-1]))
    return result


def _cpu_children() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _summary(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {
        "median": round(statistics.median(values), 4),
        "p25": round(q[0], 4),
        "p75": round(q[2], 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def measure(repeat: int, sdk_python: str | None, baseline: Path | None = None) -> dict[str, Any]:
    env = _child_env()
    systems: dict[str, list[str]] = {
        "bare python": [sys.executable, "-c", "pass"],
        "import asyncio": [sys.executable, "-c", "import asyncio"],
        "flyte_nb": [sys.executable, "-c", SCRIPT.format(module="flyte_nb")],
    }
    envs = {name: env for name in systems}
    if baseline is not None:  # another checkout of flyte_nb, e.g. before a change
        systems["flyte_nb baseline"] = systems["flyte_nb"]
        envs["flyte_nb baseline"] = _child_env(baseline)
    if sdk_python:
        systems["flyte SDK"] = [sdk_python, "-c", SCRIPT.format(module="flyte")]
        envs["flyte SDK"] = env
    samples: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in systems}
    versions: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="flyte-nb-first-result-") as cwd:
        for name, argv in systems.items():  # warm the bytecode caches; not counted
            _one(argv, cwd, envs[name])
        for _ in range(repeat):
            for name, argv in systems.items():
                before = _cpu_children()
                one = _one(argv, cwd, envs[name])
                samples[name]["wall_s"].append(one["wall_s"])
                samples[name]["cpu_s"].append(_cpu_children() - before)  # the child just reaped
                if "first_result_s" in one:
                    samples[name]["first_result_s"].append(one["first_result_s"])
                    versions[name] = f"{one['version']} ({Path(one['path']).parent})"
    table = {name: {metric: _summary(values) for metric, values in got.items()} for name, got in samples.items()}
    bare = table["bare python"]
    for metrics in table.values():
        for metric in ("wall_s", "cpu_s"):
            metrics[metric]["ratio_to_bare"] = round(metrics[metric]["median"] / bare[metric]["median"], 2)
    result: dict[str, Any] = {"systems": table, "versions": versions}
    if baseline is not None:
        result["baseline"] = str(baseline)
    return result


def importtime(runs: int, top: int = 15) -> dict[str, Any]:
    """Median ``-X importtime`` self time (µs) per module of flyte_nb's script over ``runs``."""
    selfs: dict[str, list[int]] = defaultdict(list)
    totals: list[int] = []
    ours: list[int] = []
    env = _child_env()
    with tempfile.TemporaryDirectory(prefix="flyte-nb-first-result-") as cwd:
        for _ in range(runs):
            err = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", SCRIPT.format(module="flyte_nb")],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stderr
            rows = re.findall(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", err)
            totals.append(sum(int(us) for us, _ in rows))
            ours.append(sum(int(us) for us, name in rows if name.startswith("flyte_nb")))
            for us, name in rows:
                selfs[name].append(int(us))
    medians = {name: statistics.median(values) for name, values in selfs.items()}
    heaviest = sorted(medians.items(), key=lambda item: -item[1])[:top]
    return {
        "runs": runs,
        "modules": len(medians),
        "flyte_nb_modules": sum(1 for name in medians if name.startswith("flyte_nb")),
        "all_self_us_median": statistics.median(totals),
        "flyte_nb_self_us_median": statistics.median(ours),
        "heaviest_self_us": {name: int(us) for name, us in heaviest},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="fresh processes per system (default 20)")
    parser.add_argument("--sdk-python", default=SDK_PYTHON, help="an interpreter with the Flyte 2 SDK ('' to skip)")
    parser.add_argument("--importtime", type=int, default=0, metavar="K", help="also K runs under -X importtime")
    parser.add_argument("--baseline", type=Path, help="also measure the flyte_nb of this checkout (its root folder)")
    args = parser.parse_args()
    sdk = args.sdk_python if args.sdk_python and Path(args.sdk_python).exists() else None
    load_before = os.getloadavg()
    result: dict[str, Any] = {"benchmark": "first_result", "repeat": args.repeat}
    result.update(measure(args.repeat, sdk, args.baseline))
    if args.importtime:
        result["importtime"] = importtime(args.importtime)
    result["load_average"] = {"before": [round(x, 2) for x in load_before], "after": list(os.getloadavg())}
    result["environment"] = _common.environment()
    _common.write_results("first_result", result)


if __name__ == "__main__":
    main()
