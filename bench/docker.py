"""Cold-start cost of the docker backend, side by side with a bare ``docker run``.

All in one process, interleaved over ``--rounds`` rounds (default 4). Each round runs:

* **floor**: ``docker run --rm --network none flyte-nb-base:bookworm python3 -c pass`` through
  the docker SDK (``client.containers.run(..., remove=True)``), ``--n`` times in a row;
* **cold**: a flyte_nb run (``flyte.init("docker", storage="file://<tmp>")``) whose entry task
  awaits ``--n`` no-op child tasks one after the other, so every action is a container of its
  own and none overlaps another;
* **parallel**: ``--fanout`` (default 16) floor runs at once from as many threads, then a
  flyte_nb run whose entry task gathers ``--fanout`` no-op child tasks (``asyncio.gather``).

The verdict compares the median cold action (``ActionRecord.started`` to ``.ended``) with the
median floor run: the product target is at most 1.3x. Each cold action's time is split into
``t``, ``u`` and ``d`` (``ActionRecord.timings``) and the rest. The profile times, in this
process, the docker SDK calls (create, start, wait, reload, logs, remove) of both sides and
the ``DockerExecutor`` steps around them (image check, job write, result read, decode), by
monkeypatching them at class or module level. Containers started only for the profile
(probes) report how long their process lived: python startup alone, with the runtime's
mounts, with the runtime's imports. Between sections the benchmark counts the engine's running
containers: none is its own by then, so any is another process sharing the engine (the figures
are then noisy; the JSON says so). Reusable containers (``ReusePolicy``) are measured by
bench/docker_reuse.py.

Usage::

    python bench/docker.py                         # n = 10, fanout = 16, 4 rounds (~1 min)
    python bench/docker.py --n 20 --rounds 5       # more samples
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

# This file is bench/docker.py, and Python puts bench/ first on sys.path: ``import docker``
# (here and in flyte_nb's executor) would find this file instead of the SDK. bench/ goes last.
_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _BENCH] + [_BENCH]

import _common  # noqa: E402
import docker  # noqa: E402
from docker.api.client import APIClient  # noqa: E402
from docker.models.containers import Container, ContainerCollection  # noqa: E402

import flyte_nb as flyte  # noqa: E402
from flyte_nb.data._store import Store  # noqa: E402
from flyte_nb.executors import _jobs  # noqa: E402
from flyte_nb.executors.docker import _engine  # noqa: E402
from flyte_nb.executors.docker import _executor as _docker  # noqa: E402
from flyte_nb.executors.docker._bundle import runtime_bundle  # noqa: E402

IMAGE = "flyte-nb-base:bookworm"
FLOOR_COMMAND = ["python3", "-c", "pass"]
DEFAULT_N = 10
DEFAULT_FANOUT = 16
DEFAULT_ROUNDS = 4
PROBE_REPEAT = 3
#: the product target: a cold action costs at most 1.3x a bare ``docker run`` of the same image
MAX_RATIO_TO_FLOOR = 1.3

env = flyte.TaskEnvironment("bench_docker")


@env.task
async def noop(x: int) -> int:
    return x


@env.task
async def sequential(n: int) -> int:
    for i in range(n):
        await noop(i)
    return n


@env.task
async def fanout(n: int) -> int:
    results = await asyncio.gather(*[noop(i) for i in range(n)])
    return len(results)


# ---------------------------------------------------------------------- instrumentation


class Timer:
    """Wall seconds of instrumented calls, by section (what the benchmark is doing) and phase.

    Sections never overlap, so one attribute says which one a call belongs to, whichever
    thread makes it. Calls made inside the executor's image check (which runs a container of
    its own) go to ``<section>/setup`` so they do not mix with the actions' calls.
    """

    def __init__(self) -> None:
        self.section = "idle"
        self.calls: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
        self.lifetimes: dict[str, list[float]] = defaultdict(list)
        self.started: dict[str, float] = {}  # container id -> when its start call returned
        self._tls = threading.local()
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(
        self,
        owner: Any,
        name: str,
        phase: str,
        *,
        keep: Callable[[tuple[Any, ...]], bool] | None = None,
        after: Callable[[str, Any], None] | None = None,
        hides: bool = False,
    ) -> None:
        original = getattr(owner, name)  # a plain function (class attribute) or module function
        own = name in vars(owner)
        timer = self

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            section = timer.section + ("/setup" if getattr(timer._tls, "hidden", False) else "")
            if hides:
                timer._tls.hidden = True
            start = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                end = time.perf_counter()
                if hides:
                    timer._tls.hidden = False
                if keep is None or keep(args):
                    timer.calls[section][phase].append((start, end))
            if after is not None:
                after(section, args[0])
            return result

        setattr(owner, name, timed)
        self._undo.append((owner, name, original if own else None))

    def note_started(self, section: str, container: Any) -> None:
        self.started[container.id] = time.perf_counter()

    def wrap_exits(self, engine: Any) -> None:
        """The executor's "wait": from its container's start to the engine's die event (no
        thread waits; the event thread resolves the future registered before the start)."""
        original = engine.expect_exit
        timer = self

        @functools.wraps(original)
        def expect_exit(owner: Any, container_id: str) -> Any:
            section, registered = timer.section, time.perf_counter()
            future = original(owner, container_id)

            def ended(_: Any) -> None:
                start = timer.started.pop(container_id, registered)
                timer.calls[section]["wait"].append((start, time.perf_counter()))

            future.add_done_callback(ended)
            return future

        engine.expect_exit = expect_exit
        self._undo.append((engine, "expect_exit", original))

    def take(self, section: str) -> dict[str, list[tuple[float, float]]]:
        """The calls of ``section`` so far (and forget them)."""
        return dict(self.calls.pop(section, {}))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            if original is None:
                delattr(owner, name)  # it was inherited: the base class still has it
            else:
                setattr(owner, name, original)
        self._undo.clear()


def instrument(timer: Timer) -> None:
    def record_lifetime(section: str, container: Any) -> None:
        life = lifetime(container.attrs.get("State", {}))
        if life is not None:
            timer.lifetimes[section].append(life)

    # the docker SDK: both sides go through these
    timer.wrap(ContainerCollection, "create", "create")  # POST /containers/create, then GET .../json
    timer.wrap(APIClient, "create_container", "create_api")  # the POST alone
    timer.wrap(Container, "start", "start", after=timer.note_started)
    timer.wrap(Container, "wait", "wait")  # the floor's; the executor waits for the engine's die event
    timer.wrap_exits(_engine.Engine)
    timer.wrap(Container, "reload", "reload", after=record_lifetime)
    timer.wrap(Container, "logs", "logs")
    timer.wrap(Container, "remove", "remove")
    # the executor's steps around them (each runs in an engine thread, executors/docker/_engine.py)
    timer.wrap(_docker.DockerExecutor, "_ensure_image", "image_check")
    timer.wrap(_docker.DockerExecutor, "_check_image", "per_run_setup", hides=True)
    timer.wrap(_docker.DockerExecutor, "_start", "start_total")
    timer.wrap(_docker.DockerExecutor, "_finish", "finish")
    timer.wrap(_docker, "write_job", "job_write")
    timer.wrap(_jobs, "decode", "decode")  # collect_outcome decodes the output
    timer.wrap(Store, "get", "result_read", keep=lambda args: str(args[1]).endswith(".result"))


def lifetime(state: dict[str, Any]) -> float | None:
    """Seconds from the container's process start to its exit, from the engine's timestamps."""
    started, finished = state.get("StartedAt", ""), state.get("FinishedAt", "")
    if not started or not finished or finished.startswith("0001"):
        return None
    return _timestamp(finished) - _timestamp(started)


def _timestamp(text: str) -> float:
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(head + "+00:00").timestamp() + (float("0." + frac) if frac else 0.0)


def durations(calls: dict[str, list[tuple[float, float]]], phase: str) -> list[float]:
    return [end - start for start, end in calls.get(phase, [])]


def peak_overlap(intervals: list[tuple[float, float]]) -> int:
    """Most intervals open at one instant (an end and a start at the same instant do not overlap)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1e3, 2)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# ---------------------------------------------------------------------- the two sides


def floor_once(client: Any) -> float:
    start = time.perf_counter()
    client.containers.run(IMAGE, FLOOR_COMMAND, remove=True, network_mode="none")
    return time.perf_counter() - start


def floor_parallel(k: int) -> float:
    """``k`` floor runs at once, each from its own thread with its own client (like ``k`` CLI
    invocations: one docker-py client shared by 16 threads trips over its connection pool)."""
    clients = [docker.from_env() for _ in range(k)]
    try:
        with ThreadPoolExecutor(k) as pool:
            start = time.perf_counter()
            list(pool.map(floor_once, clients))
            return time.perf_counter() - start
    finally:
        for client in clients:
            client.close()


def cold_run(entry: Any, n: int, store: Store) -> dict[str, Any]:
    """One flyte_nb run of ``entry(n)``: its wall time and, per child action, its record and outcome."""
    start = time.perf_counter()
    run = flyte.run(entry, n)
    count = run.outputs()[0]
    wall = time.perf_counter() - start
    if count != n:
        raise RuntimeError(f"{entry.name}({n}) returned {count}")
    actions = []
    for rec in run.controller.actions[1:]:
        timings = rec.timings or {}
        key = f"runs/{run.name}/actions/{rec.id}/attempt-{rec.attempts}/job.result"
        with open(store.path(key), "rb") as handle:  # not store.get: that one is timed as result_read
            outcome = _jobs.read_outcome(handle.read())
        duration = rec.ended - rec.started
        t, u, d = timings.get("t", 0.0), timings.get("u", 0.0), timings.get("d", 0.0)
        actions.append(
            {
                "started": rec.started,
                "ended": rec.ended,
                "duration": duration,
                "e": rec.started - rec.queued,
                "t": t,
                "u": u,
                "d": d,
                "rest": duration - t - u - d,
                "runtime": outcome.runtime_s or 0.0,
            }
        )
    store.delete(f"runs/{run.name}", recursive=True)
    return {
        "wall": wall,
        "actions": actions,
        "root_span": run.controller.actions[0].ended - run.controller.actions[0].started,
    }


# ---------------------------------------------------------------------- probes


def probe_containers(client: Any, store_root: str, repeat: int) -> dict[str, Any]:
    """Containers started only to find where the cold action's extra time goes: what the
    engine's create / start / wait / remove cost, and how long the process inside lived
    (engine timestamps), for python alone, with the runtime's mounts, and with its imports."""
    bundle = runtime_bundle()
    lib = _docker.LIB_IN_CONTAINER
    store_mount = {store_root: {"bind": store_root, "mode": "rw"}}
    volumes = {bundle: {"bind": lib, "mode": "ro"}} | store_mount
    environment = {"PYTHONPATH": lib, "PYTHONDONTWRITEBYTECODE": "1"}
    imports = "import asyncio; from flyte_nb.data._codec import decode; from flyte_nb.data._store import Store"
    # the bundle without its bytecode: what compiling the runtime in every container would cost
    source_only = tempfile.mkdtemp(prefix="bench-docker-src-")
    shutil.copytree(bundle, os.path.join(source_only, "lib"), ignore=shutil.ignore_patterns("__pycache__"))
    volumes_source = {os.path.join(source_only, "lib"): {"bind": lib, "mode": "ro"}} | store_mount

    def python(code: str) -> list[str]:
        return ["python3", "-c", code]

    probes: dict[str, tuple[list[str], dict[str, Any], dict[str, str]]] = {
        "pass (the floor)": (FLOOR_COMMAND, {}, {}),
        "pass, store mount only": (FLOOR_COMMAND, store_mount, {}),
        "pass, the executor's 2 mounts + env": (FLOOR_COMMAND, volumes, environment),
        "import asyncio": (python("import asyncio"), volumes, environment),
        "import cloudpickle": (python("import cloudpickle"), volumes, environment),
        "import asyncio, cloudpickle (a lean runtime's floor)": (
            python("import asyncio, cloudpickle"),
            volumes,
            environment,
        ),
        "runtime imports (bundle with bytecode, as the executor mounts it)": (python(imports), volumes, environment),
        "runtime imports, sources only (compiled in the container)": (python(imports), volumes_source, environment),
    }
    results: dict[str, Any] = {}
    try:
        for label, (command, vols, envs) in probes.items():
            steps: dict[str, list[float]] = defaultdict(list)
            for _ in range(repeat):
                t0 = time.perf_counter()
                container = client.containers.create(
                    IMAGE, command, volumes=vols, environment=envs, network_mode="none"
                )
                try:
                    t1 = time.perf_counter()
                    container.start()
                    t2 = time.perf_counter()
                    status = container.wait()
                    t3 = time.perf_counter()
                    container.reload()
                    if status.get("StatusCode") != 0:
                        raise RuntimeError(f"probe {label!r} failed: {container.logs().decode(errors='replace')}")
                    steps["lifetime"].append(lifetime(container.attrs["State"]) or 0.0)
                finally:
                    t4 = time.perf_counter()
                    container.remove(force=True)
                    t5 = time.perf_counter()
                steps["create"].append(t1 - t0)
                steps["start"].append(t2 - t1)
                steps["wait"].append(t3 - t2)
                steps["remove"].append(t5 - t4)
            results[label] = {f"{step}_ms": ms(median(values)) for step, values in steps.items()}
            results[label]["lifetime_ms_runs"] = [ms(x) for x in steps["lifetime"]]
    finally:
        shutil.rmtree(source_only, ignore_errors=True)
    return {
        "bundle": bundle,
        "repeat": repeat,
        "containers": results,
    }


# ---------------------------------------------------------------------- summaries

FLOOR_PHASES = ("create_api", "create_inspect", "start", "logs", "wait", "remove")
COLD_PHASES = (
    "image_check",
    "job_write",
    "create_api",
    "create_inspect",
    "start",
    "start_other",
    "wait",
    "reload",
    "logs",
    "remove",
    "finish_other",
    "result_read",
    "decode",
)


def phase_rows(calls: dict[str, list[tuple[float, float]]]) -> dict[str, list[float]]:
    """Per-call seconds of each phase, with derived ones (the SDK's inspect after create, and
    what ``_start`` / ``_finish`` spend outside the SDK calls they make)."""
    rows = {phase: durations(calls, phase) for phase in calls}
    if "create" in rows and len(rows["create"]) == len(rows.get("create_api", [])):
        rows["create_inspect"] = [a - b for a, b in zip(rows["create"], rows["create_api"], strict=True)]
    if "start_total" in rows and len(rows["start_total"]) == len(rows.get("create", [])) == len(rows.get("start", [])):
        rows["start_other"] = [
            a - b - c for a, b, c in zip(rows["start_total"], rows["create"], rows["start"], strict=True)
        ]
    finish_parts = [rows.get(p, []) for p in ("reload", "logs", "remove")]
    if "finish" in rows and all(len(p) == len(rows["finish"]) for p in finish_parts):
        rows["finish_other"] = [f - a - b - c for f, a, b, c in zip(rows["finish"], *finish_parts, strict=True)]
    return rows


def setup_breakdown(raw: dict[str, Any]) -> dict[str, Any]:
    """The per-run setup: the version-check container's SDK calls, and the rest (client, ping,
    stray sweep, images.get), as medians."""
    parts = {phase: median(values) for phase, values in raw["setup_phases"].items()}
    total = median(raw["per_run_setup"])
    calls = sum(parts.get(p) or 0.0 for p in ("create", "start", "logs", "wait", "remove"))
    out: dict[str, Any] = {f"version_check_container_{phase}": ms(value) for phase, value in parts.items()}
    out["total"] = ms(total)
    out["client_ping_sweep_images_get_approx"] = ms(total - calls) if total is not None else None
    return out


def between_actions(run: dict[str, Any]) -> list[float]:
    """Seconds from one sequential action's end to the next one's start (the entry task's turn)."""
    actions = run["actions"]
    return [b["started"] - a["ended"] for a, b in itertools.pairwise(actions)]


def summarize(args: argparse.Namespace, raw: dict[str, Any], probes: dict[str, Any], engine: dict[str, Any]) -> dict:
    floor = raw["floor"]
    floor_median = statistics.median(floor)
    cold_actions = [a for run in raw["cold"] for a in run["actions"]]
    cold_duration = statistics.median(a["duration"] for a in cold_actions)
    cold_walls = [run["wall"] for run in raw["cold"]]
    firsts = [run["actions"][0]["duration"] for run in raw["cold"]]
    ratio = cold_duration / floor_median

    def cold_median(key: str) -> float:
        return statistics.median(a[key] for a in cold_actions)

    floor_rows = raw["floor_phases"]
    cold_rows = raw["cold_phases"]
    unaccounted = raw["cold_unaccounted"]
    side_by_side = []
    for phase in dict.fromkeys(FLOOR_PHASES + COLD_PHASES):
        f = median(floor_rows.get(phase, [])) if phase in FLOOR_PHASES else None
        c = median(cold_rows.get(phase, [])) if phase in COLD_PHASES else None
        side_by_side.append(
            {"phase": phase, "floor_ms": ms(f), "cold_ms": ms(c), "delta_ms": ms((c or 0.0) - (f or 0.0))}
        )
    floor_parts = [floor_rows.get(p, []) for p in FLOOR_PHASES]
    floor_other = []
    if all(len(part) == len(floor) for part in floor_parts):
        floor_other = [total - sum(parts) for total, *parts in zip(floor, *floor_parts, strict=True)]
    side_by_side.append(
        {
            "phase": "other (floor: stream join; cold: loop and thread hops)",
            "floor_ms": ms(median(floor_other)),
            "cold_ms": ms(median(unaccounted)),
            "delta_ms": ms((median(unaccounted) or 0.0) - (median(floor_other) or 0.0)),
        }
    )
    side_by_side.append(
        {
            "phase": "total (median of per-run / per-action totals)",
            "floor_ms": ms(floor_median),
            "cold_ms": ms(cold_duration),
            "delta_ms": ms(cold_duration - floor_median),
        }
    )
    floor_life = probes["containers"]["pass (the floor)"]["lifetime_ms"]
    cold_life = median(raw["cold_lifetimes"])
    par_floor = raw["floor_parallel"]
    fan = raw["fanout"]
    return {
        "benchmark": "docker",
        "environment": {**_common.environment(), "docker": engine},
        "method": {
            "floor": f"client.containers.run({IMAGE!r}, {FLOOR_COMMAND}, remove=True, network_mode='none'), "
            f"{args.n} in a row per round",
            "cold": f"flyte.run(sequential, {args.n}) on the docker backend, file:// store in a temp dir: the entry "
            "task awaits the no-op children one after the other; per action = ActionRecord.ended - .started",
            "parallel": f"{args.fanout} floor runs from {args.fanout} threads at once; "
            f"flyte.run(fanout, {args.fanout}) gathering the no-op children. Wall = the call until it returns",
            "rounds": f"{args.rounds} rounds, each floor, cold, floor parallel, cold fanout (interleaved); "
            "medians over all rounds; one warmup of each side first, not counted",
            "timings": "t = container create+start as the executor sees it (its to_thread included); u / d = data "
            "transfers; rest = duration - t - u - d; e = started - queued (admission, in the controller)",
            "profile": "docker SDK calls and DockerExecutor steps timed by monkeypatching them in this process "
            "(perf_counter around each call); container lifetimes from the engine's StartedAt/FinishedAt",
        },
        "targets": {
            "max_cold_ratio_to_floor": MAX_RATIO_TO_FLOOR,
        },
        "floor": {
            "runs": len(floor),
            "median_s": round(floor_median, 4),
            "min_s": round(min(floor), 4),
            "max_s": round(max(floor), 4),
            "runs_s": [round(x, 4) for x in floor],
        },
        "cold": {
            "actions": len(cold_actions),
            "actions_per_run": args.n,
            "per_action_median_s": round(cold_duration, 4),
            "per_action_min_s": round(min(a["duration"] for a in cold_actions), 4),
            "ratio_to_floor": round(ratio, 3),
            "meets_target": ratio <= MAX_RATIO_TO_FLOOR,
            "split_median_ms": {key: ms(cold_median(key)) for key in ("t", "u", "d", "rest", "e")},
            "between_actions_median_ms": ms(median([g for run in raw["cold"] for g in between_actions(run)])),
            "container_runtime_ms_median": ms(cold_median("runtime")),
            "run_walls_s": [round(w, 4) for w in cold_walls],
            "per_action_amortized_s": round(sum(cold_walls) / len(cold_actions), 4),
            "amortized_ratio_to_floor": round(sum(cold_walls) / len(cold_actions) / floor_median, 3),
            "first_action_of_run_s": [round(x, 4) for x in firsts],
            "per_run_setup_ms": [ms(x) for x in raw["per_run_setup"]],
            "per_run_setup_note": "a run makes a fresh DockerExecutor: docker.from_env + ping + stray sweep + "
            "images.get + a version-check container, paid by the run's first action",
        },
        "profile": {
            "side_by_side_median_ms": side_by_side,
            "container_lifetime_ms": {
                "floor_probe": floor_life,
                "cold_action": ms(cold_life),
                "note": "process start to exit inside the container (engine timestamps); the cold one runs "
                "python -m flyte_nb._runtime (imports, job read, call, result write with fsync)",
            },
            "probes": probes,
            "per_run_setup_breakdown_ms": setup_breakdown(raw),
        },
        "parallel": {
            "fanout": args.fanout,
            "floor_threads_wall_s": [round(x, 4) for x in par_floor],
            "floor_threads_wall_median_s": round(statistics.median(par_floor), 4),
            "cold_fanout_wall_s": [round(r["wall"], 4) for r in fan],
            "cold_fanout_wall_median_s": round(statistics.median(r["wall"] for r in fan), 4),
            "cold_fanout_children_span_median_s": round(statistics.median(r["span"] for r in fan), 4),
            "cold_fanout_ratio_to_floor_threads": round(
                statistics.median(r["wall"] for r in fan) / statistics.median(par_floor), 3
            ),
            "cold_peak_containers_in_wait": [r["peak_wait"] for r in fan],
            "cold_peak_blocking_calls_in_threads": [r["peak_threads"] for r in fan],
            "floor_peak_containers_in_wait": raw["floor_parallel_peak_wait"],
            "asyncio_default_executor_workers": min(32, (os.cpu_count() or 1) + 4),
        },
        "reusable": "measured by bench/docker_reuse.py (results/docker_reuse.json)",
        "rounds": {
            "floor_median_s": [round(x, 4) for x in raw["floor_rounds"]],
            "cold_per_action_median_s": [round(x, 4) for x in raw["cold_rounds"]],
            "ratio_to_floor": [round(c / f, 3) for c, f in zip(raw["cold_rounds"], raw["floor_rounds"], strict=True)],
        },
        "engine_load": {
            "foreign_running_containers_seen": raw["foreign_containers"],
            "loadavg_start_end": raw["loadavg"],
            "note": "containers of other processes running on the engine between sections; any non-zero count "
            "means the figures were measured on a shared, busy engine",
        },
        "summary": {
            "shared_engine": any(raw["foreign_containers"]),
            "floor_median_s": round(floor_median, 4),
            "cold_per_action_median_s": round(cold_duration, 4),
            "ratio_to_floor": round(ratio, 3),
            "target": MAX_RATIO_TO_FLOOR,
            "meets_target": ratio <= MAX_RATIO_TO_FLOOR,
            "cold_fanout_wall_median_s": round(statistics.median(r["wall"] for r in fan), 4),
            "floor_parallel_wall_median_s": round(statistics.median(par_floor), 4),
        },
    }


# ---------------------------------------------------------------------- main


def engine_info(client: Any) -> dict[str, Any]:
    version, info = client.version(), client.info()
    return {
        "engine": version.get("Version"),
        "api": version.get("ApiVersion"),
        "sdk": docker.__version__,
        "storage_driver": info.get("Driver"),
        "cgroup": f"{info.get('CgroupDriver')} v{info.get('CgroupVersion')}",
        "runtime": info.get("DefaultRuntime"),
        "image": IMAGE,
        "image_id": client.images.get(IMAGE).id[:19],
    }


def running_containers(client: Any) -> int:
    """Containers running on the engine between two sections: none of them is this benchmark's
    (they are all removed by then), so any is load the figures share the engine with."""
    return len(client.containers.list(sparse=True))


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    client = docker.from_env()
    client.ping()
    client.images.get(IMAGE)  # never pulled: ImageNotFound if missing
    engine = engine_info(client)
    folder = tempfile.mkdtemp(prefix="bench-docker-")
    url = f"file://{folder}/store"
    flyte.init("docker", storage=url, docker={"base_image": IMAGE})
    store = Store(url)
    timer = Timer()
    instrument(timer)
    raw: dict[str, Any] = defaultdict(list)
    raw["loadavg"].append([round(x, 2) for x in os.getloadavg()])
    raw["floor_phases"] = defaultdict(list)
    raw["cold_phases"] = defaultdict(list)
    raw["setup_phases"] = defaultdict(list)
    try:
        timer.section = "warmup"
        floor_once(client)
        cold_run(sequential, 1, store)
        timer.take("warmup")
        timer.take("warmup/setup")
        for r in range(args.rounds):
            print(f"docker bench: round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
            raw["foreign_containers"].append(running_containers(client))
            timer.section = "floor"
            floors = [floor_once(client) for _ in range(args.n)]
            raw["floor"].extend(floors)
            raw["floor_rounds"].append(statistics.median(floors))
            for phase, values in phase_rows(timer.take("floor")).items():
                raw["floor_phases"][phase].extend(values)

            timer.section = "cold"
            run = cold_run(sequential, args.n, store)
            raw["cold"].append(run)
            raw["cold_rounds"].append(statistics.median(a["duration"] for a in run["actions"]))
            raw["foreign_containers"].append(running_containers(client))
            calls = timer.take("cold")
            rows = phase_rows(calls)
            for phase, values in rows.items():
                if phase == "image_check":
                    values = values[1:]  # the first includes the per-run setup, reported apart
                raw["cold_phases"][phase].extend(values)
            raw["per_run_setup"].extend(durations(calls, "per_run_setup"))
            for phase, values in phase_rows(timer.take("cold/setup")).items():
                raw["setup_phases"][phase].extend(values)
            raw["cold_lifetimes"].extend(timer.lifetimes.pop("cold", []))
            top = ("image_check", "job_write", "start_total", "wait", "finish", "result_read", "decode")
            if all(len(rows.get(p, [])) == args.n for p in top):
                for i, action in enumerate(run["actions"][1:], start=1):  # the first pays the setup
                    raw["cold_unaccounted"].append(action["duration"] - sum(rows[p][i] for p in top))

            timer.section = "floor_parallel"
            raw["floor_parallel"].append(floor_parallel(args.fanout))
            raw["floor_parallel_peak_wait"].append(peak_overlap(timer.take("floor_parallel").get("wait", [])))

            raw["foreign_containers"].append(running_containers(client))
            timer.section = "fanout"
            run = cold_run(fanout, args.fanout, store)
            calls = timer.take("fanout")
            timer.take("fanout/setup")
            timer.lifetimes.pop("fanout", None)
            blocking = [iv for p in top for iv in calls.get(p, [])]
            raw["fanout"].append(
                {
                    "wall": run["wall"],
                    "span": max(a["ended"] for a in run["actions"]) - min(a["started"] for a in run["actions"]),
                    "peak_wait": peak_overlap(calls.get("wait", [])),
                    "peak_threads": peak_overlap(blocking),
                }
            )
        print("docker bench: probes", file=sys.stderr, flush=True)
        timer.section = "probe"
        probes = probe_containers(client, store.root, args.probe_repeat)
        raw["foreign_containers"].append(running_containers(client))
        raw["loadavg"].append([round(x, 2) for x in os.getloadavg()])
    finally:
        timer.restore()
        shutil.rmtree(folder, ignore_errors=True)
        client.close()
    return summarize(args, raw, probes, engine)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="floor runs and sequential actions per round")
    parser.add_argument("--fanout", type=int, default=DEFAULT_FANOUT, help="actions of the parallel fanout")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="interleaved rounds")
    parser.add_argument("--probe-repeat", type=int, default=PROBE_REPEAT, help="containers per probe")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _common.write_results("docker", run_benchmark(args))


if __name__ == "__main__":
    main()
