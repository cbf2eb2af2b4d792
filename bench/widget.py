"""What the live ``RunWidget`` costs the kernel: runs of 100 vs 50,000 actions, side by side.

Claim under test: the widget's traffic per second and the kernel CPU it spends do not grow
with the number of actions, and the kernel sends at most ~``1 / interval`` (10) updates a
second.

Every size runs the same shape of workload in one process: the entry task maps a task that
does ``await asyncio.sleep(duration / WAVES)`` over ``n`` items with ``concurrency=n/WAVES``,
so each run lasts about ``--duration`` seconds whatever ``n`` (traffic per second is then
comparable). A ``RunWidget(run)`` is created right after ``await flyte.run.aio(...)``, the
run is awaited, then the benchmark waits for the widget's follower to send its final update.

What is recorded (class-level wrappers, installed for the widget runs only):

* every message published on the widget's comm. Without a kernel, ipywidgets opens a
  ``comm.DummyComm`` whose ``publish_msg`` drops the message; the wrapper keeps it and its size
  is ``len(json.dumps(data, default=str))``. The ``comm_open`` (made by the constructor) is
  reported apart; ``messages`` are the ``comm_msg`` state updates;
* CPU (``time.process_time``) and wall (``time.perf_counter``) time inside
  ``RunWidget.refresh`` (what every tick costs: ``RunView.model()``, the comparison with the
  last view, the trait set and ipywidgets' send), inside ``RunView.model``, and inside
  ``Controller.snapshot`` (the follower's subscription
  builds one per tick). Garbage collections that start inside ``refresh`` are timed too;
* a control run of the same workload without a widget, for the process CPU of the whole run.

After the widget run at the largest ``n`` the drill-down request is timed: the
``RunView.rows(map_group, None, offset, 50)`` page the front end asks for (and, for
comparison, the same page filtered by state) with the size of its reply.

Results go to stdout and ``bench/results/widget.json``.

Usage::

    python bench/widget.py                            # n = 100, 10,000 and 50,000
    python bench/widget.py --n 100 50000 --repeat 5   # other sizes / repeats
    python bench/widget.py --duration 5               # longer runs
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import _common
import comm

import flyte_nb as flyte
from flyte_nb.notebook._view import RunView
from flyte_nb.notebook._widget import UPDATE_INTERVAL, RunWidget
from flyte_nb.orchestrator._controller import DEFAULT_MAX_ACTIONS, Controller

DEFAULT_NS = (100, 10_000, 50_000)
DEFAULT_REPEAT = 3
#: Target length of one run (seconds), whatever its number of actions.
DURATION_S = 2.5
#: Each run goes through its items in this many waves of ``n / WAVES`` concurrent sleeps.
WAVES = 10
WARMUP_N = 1_000
#: How long to wait, after ``await run``, for the widget's follower to send its final update.
FINAL_UPDATE_TIMEOUT_S = 2.0
#: A figure "does not grow" when the largest run's value is at most this times the smallest's.
GROWTH_TOLERANCE = 1.5
DRILL_DOWN_LIMIT = 50
DRILL_DOWN_REPEAT = 200

env = flyte.TaskEnvironment("bench_widget")


@env.task
async def sleeper(x: int, seconds: float) -> int:
    await asyncio.sleep(seconds)
    return x


@env.task
async def fanout(n: int, concurrency: int, seconds: float) -> int:
    results = await flyte.map(sleeper, range(n), [seconds] * n, concurrency=concurrency)
    return len(results)


def workload(n: int, duration: float) -> dict[str, Any]:
    return {"n": n, "concurrency": max(1, math.ceil(n / WAVES)), "sleep_s": duration / WAVES}


def nbytes(data: Any) -> int:
    return len(json.dumps(data, default=str))


# ---------------------------------------------------------------------- instruments


class Timer:
    """Calls, CPU seconds and wall seconds spent inside one function."""

    __slots__ = ("calls", "cpu", "max_wall", "wall")

    def __init__(self) -> None:
        self.calls = 0
        self.cpu = 0.0
        self.wall = 0.0
        self.max_wall = 0.0  # the longest single call: how long it held the event loop


class Probe:
    """Records the messages the widget's comm publishes and times the widget's work.

    The wrappers patch classes (``comm.DummyComm``, ``RunWidget``, ``RunView``,
    ``Controller``), so they also see what the widget's constructor does. A message is kept
    by reference (the widget builds a new view dict every time, it never mutates a sent one)
    and measured after the run, so measuring adds nothing to the timed refreshes.
    """

    TIMED: tuple[tuple[type, str, str], ...] = (
        (RunWidget, "refresh", "refresh"),
        (RunView, "model", "model"),
        (Controller, "snapshot", "snapshot"),
    )

    def __init__(self) -> None:
        self.messages: list[tuple[float, str, str, Any]] = []  # (perf_counter, comm_id, msg_type, data)
        self.timers: dict[str, Timer] = {}
        self.gc_in_refresh = Timer()  # garbage collections that started inside a refresh
        self._in_refresh = False
        self._gc_start: tuple[float, float] | None = None
        self._patches: list[tuple[type, str, Any]] = []

    def reset(self) -> None:
        self.messages = []
        self.timers = {label: Timer() for _, _, label in self.TIMED}
        self.gc_in_refresh = Timer()

    def install(self) -> None:
        self.reset()
        probe = self
        original_publish = comm.DummyComm.publish_msg

        def publish_msg(comm_self: Any, msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
            probe.messages.append((time.perf_counter(), comm_self.comm_id, msg_type, data))
            original_publish(comm_self, msg_type, data, *args, **kwargs)

        self._patch(comm.DummyComm, "publish_msg", publish_msg)
        for owner, name, label in self.TIMED:
            self._patch(owner, name, self._timed(getattr(owner, name), label))
        gc.callbacks.append(self._on_gc)

    def uninstall(self) -> None:
        gc.callbacks.remove(self._on_gc)
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)
        self._patches.clear()

    def _patch(self, owner: type, name: str, replacement: Any) -> None:
        self._patches.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, replacement)

    def _timed(self, original: Callable[..., Any], label: str) -> Callable[..., Any]:
        probe = self
        is_refresh = label == "refresh"

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            timer = probe.timers[label]
            if is_refresh:
                probe._in_refresh = True
            cpu0, wall0 = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                wall = time.perf_counter() - wall0
                timer.cpu += time.process_time() - cpu0
                timer.wall += wall
                timer.max_wall = max(timer.max_wall, wall)
                timer.calls += 1
                if is_refresh:
                    probe._in_refresh = False

        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        return wrapper

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = (time.process_time(), time.perf_counter()) if self._in_refresh else None
        elif self._gc_start is not None:
            cpu0, wall0 = self._gc_start
            self.gc_in_refresh.cpu += time.process_time() - cpu0
            self.gc_in_refresh.wall += time.perf_counter() - wall0
            self.gc_in_refresh.calls += 1
            self._gc_start = None


# ---------------------------------------------------------------------- one run


async def settle() -> None:
    """Free what the previous run left (see overhead.py) and collect it before the next one."""
    for _ in range(2):
        await asyncio.sleep(0)
    gc.collect()


async def start(n: int, concurrency: int, seconds: float) -> Any:
    if n <= DEFAULT_MAX_ACTIONS:
        return await flyte.run.aio(fanout, n, concurrency, seconds)
    return await flyte.with_runcontext(max_actions=n).aio(fanout, n, concurrency, seconds)


async def control_run(n: int, duration: float) -> dict[str, Any]:
    """The workload without a widget: wall time and process CPU of the whole run."""
    load = workload(n, duration)
    await settle()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run = await start(n, load["concurrency"], load["sleep_s"])
    count = await run
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if count != n:
        raise RuntimeError(f"run of {n} returned {count}")
    return {"run_s": wall, "process_cpu_s": cpu}


async def widget_run(n: int, duration: float, probe: Probe) -> tuple[dict[str, Any], RunWidget]:
    """The workload with a live widget; what the widget sent and what it cost."""
    load = workload(n, duration)
    await settle()
    probe.reset()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run = await start(n, load["concurrency"], load["sleep_s"])
    created_cpu0, created0 = time.process_time(), time.perf_counter()
    widget = RunWidget(run)
    create_cpu, create_wall = time.process_time() - created_cpu0, time.perf_counter() - created0
    if not isinstance(widget.comm, comm.DummyComm):
        raise RuntimeError(f"expected ipywidgets to use comm.DummyComm without a kernel, got {type(widget.comm)}")
    if widget._follower is None:
        raise RuntimeError("the widget did not subscribe to the run (no running loop?)")
    count = await run
    run_cpu, run_wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if count != n:
        raise RuntimeError(f"run of {n} returned {count}")
    done, _ = await asyncio.wait([widget._follower], timeout=FINAL_UPDATE_TIMEOUT_S)
    if not done:
        raise RuntimeError(f"the widget's follower did not finish within {FINAL_UPDATE_TIMEOUT_S} s of the run")
    window = time.perf_counter() - created0  # widget creation to its last update
    return report(n, load, probe, widget, run, window, run_wall, run_cpu, create_cpu, create_wall), widget


def report(
    n: int,
    load: dict[str, Any],
    probe: Probe,
    widget: RunWidget,
    run: Any,
    window: float,
    run_wall: float,
    run_cpu: float,
    create_cpu: float,
    create_wall: float,
) -> dict[str, Any]:
    mine = [m for m in probe.messages if m[1] == widget.comm.comm_id]
    opens = [m for m in mine if m[2] == "comm_open"]
    updates = [m for m in mine if m[2] == "comm_msg"]
    sizes = [nbytes(data) for _, _, _, data in updates]
    serialize_cpu = 0.0
    for _, _, _, data in updates:  # what a kernel's session would at least pay to encode them
        cpu0 = time.process_time()
        json.dumps(data, default=str)
        serialize_cpu += time.process_time() - cpu0
    times = [t for t, _, _, _ in updates]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    t = probe.timers
    refresh, model, snapshot = t["refresh"], t["model"], t["snapshot"]
    # the follower's work per tick: the subscription's snapshot plus the refresh
    follower_cpu = refresh.cpu + snapshot.cpu
    return {
        "n": n,
        **{k: v for k, v in load.items() if k != "n"},
        "actions": len(run.controller.actions),
        "phase": run.phase,
        "run_s": round(run_wall, 4),
        "run_process_cpu_s": round(run_cpu, 4),
        "window_s": round(window, 4),
        "widget_updates": widget.updates,
        "open_message_bytes": sum(nbytes(data) for _, _, _, data in opens),
        "messages": len(updates),
        "messages_per_s": round(len(updates) / window, 3),
        "max_messages_in_any_1s": max_in_window(times, 1.0),
        "min_gap_s": round(min(gaps), 4) if gaps else None,
        "median_gap_s": round(statistics.median(gaps), 4) if gaps else None,
        "bytes": sum(sizes),
        "bytes_per_s": round(sum(sizes) / window, 1),
        "max_message_bytes": max(sizes, default=0),
        "last_message_bytes": sizes[-1] if sizes else 0,
        "refresh_calls": refresh.calls,
        "refresh_cpu_s": round(refresh.cpu, 6),
        "refresh_wall_s": round(refresh.wall, 6),
        "refresh_cpu_ms_per_s": round(refresh.cpu / window * 1e3, 3),
        "refresh_cpu_us_per_call": round(refresh.cpu / refresh.calls * 1e6, 1) if refresh.calls else None,
        "refresh_max_ms": round(refresh.max_wall * 1e3, 3),
        "gc_in_refresh_cpu_s": round(probe.gc_in_refresh.cpu, 6),
        "gc_in_refresh_collections": probe.gc_in_refresh.calls,
        "model_cpu_s": round(model.cpu, 6),
        "model_cpu_us_per_call": round(model.cpu / model.calls * 1e6, 1) if model.calls else None,
        "send_cpu_s": round(refresh.cpu - model.cpu, 6),  # refresh minus model: compare, trait set, send
        "snapshot_calls": snapshot.calls,
        "snapshot_cpu_s": round(snapshot.cpu, 6),
        "follower_cpu_s": round(follower_cpu, 6),
        "follower_cpu_ms_per_s": round(follower_cpu / window * 1e3, 3),
        "serialize_cpu_s": round(serialize_cpu, 6),
        "create_cpu_s": round(create_cpu, 6),
        "create_wall_s": round(create_wall, 6),
    }


def max_in_window(times: list[float], width: float) -> int:
    """The most timestamps that fall in any half-open window ``[t, t + width)``."""
    best = lo = 0
    for hi, t in enumerate(times):
        while times[lo] <= t - width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# ---------------------------------------------------------------------- drill-down


def drill_down(widget: RunWidget, probe: Probe) -> dict[str, Any]:
    """Time the page requests the front end makes for the map group's action list."""
    controller = widget.run.controller
    group = next(g for g in controller.groups if g.kind == "map")
    members = len(group.members)
    cases = [
        ("first page", None, 0),
        ("middle page", None, members // 2),
        ("last page", None, members - DRILL_DOWN_LIMIT),
        ("middle page, state filter 'succeeded'", "succeeded", members // 2),
    ]
    rows = []
    for label, state, offset in cases:
        samples = []
        for _ in range(DRILL_DOWN_REPEAT):
            t0 = time.perf_counter()
            reply = widget._view.rows(group.id, state, offset, DRILL_DOWN_LIMIT)
            samples.append(time.perf_counter() - t0)
        if len(reply["rows"]) != DRILL_DOWN_LIMIT:
            raise RuntimeError(f"drill-down {label} returned {len(reply['rows'])} rows")
        rows.append(
            {
                "case": label,
                "state": state,
                "offset": offset,
                "limit": DRILL_DOWN_LIMIT,
                "median_ms": round(statistics.median(samples) * 1e3, 4),
                "max_ms": round(max(samples) * 1e3, 4),
                "reply_bytes": nbytes(reply),
            }
        )
    # the whole request path once: the front end's message in, the reply sent on the comm
    probe.reset()
    request = {"type": "rows", "group": group.id, "state": "", "offset": members // 2, "limit": DRILL_DOWN_LIMIT}
    t0 = time.perf_counter()
    widget._on_message(widget, {**request, "request": 1}, [])
    handled = time.perf_counter() - t0
    sent = [data for _, cid, kind, data in probe.messages if cid == widget.comm.comm_id and kind == "comm_msg"]
    return {
        "group": widget._view.group_label(group),
        "group_members": members,
        "repeat": DRILL_DOWN_REPEAT,
        "cases": rows,
        "request_message_ms": round(handled * 1e3, 4),
        "request_reply_message_bytes": nbytes(sent[-1]) if sent else None,
    }


# ---------------------------------------------------------------------- the benchmark


SUMMED = (
    "run_s",
    "run_process_cpu_s",
    "window_s",
    "messages",
    "messages_per_s",
    "max_messages_in_any_1s",
    "bytes",
    "bytes_per_s",
    "max_message_bytes",
    "refresh_cpu_s",
    "refresh_cpu_ms_per_s",
    "refresh_cpu_us_per_call",
    "refresh_max_ms",
    "gc_in_refresh_cpu_s",
    "model_cpu_us_per_call",
    "follower_cpu_ms_per_s",
    "serialize_cpu_s",
)


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SUMMED:
        values = [r[key] for r in runs if r.get(key) is not None]
        out[key] = round(statistics.median(values), 6) if values else None
    return out


async def benchmark(ns: list[int], repeat: int, duration: float) -> dict[str, Any]:
    probe = Probe()
    # warm up the code paths (imports, first map, first widget) without counting them
    await control_run(WARMUP_N, duration / 5)
    probe.install()
    try:
        await widget_run(WARMUP_N, duration / 5, probe)
    finally:
        probe.uninstall()
    per_n: dict[int, dict[str, list[dict[str, Any]]]] = {n: {"widget": [], "control": []} for n in ns}
    drill: dict[str, Any] | None = None
    for round_ in range(repeat):
        for n in ns:  # sizes interleaved, so drift of the machine hits every size alike
            print(f"widget: round {round_ + 1}/{repeat} n={n:,} ...", file=sys.stderr, flush=True)
            per_n[n]["control"].append(await control_run(n, duration))
            probe.install()
            try:
                row, widget = await widget_run(n, duration, probe)
                per_n[n]["widget"].append(row)
                if n == max(ns) and round_ == repeat - 1:
                    drill = drill_down(widget, probe)
            finally:
                probe.uninstall()
            del widget
    results = []
    for n in ns:
        widget_runs, controls = per_n[n]["widget"], per_n[n]["control"]
        control_cpu = statistics.median(c["process_cpu_s"] for c in controls)
        widget_cpu = statistics.median(r["run_process_cpu_s"] for r in widget_runs)
        results.append(
            {
                "n": n,
                **workload(n, duration),
                "median": medians(widget_runs),
                "control_median": {
                    "run_s": round(statistics.median(c["run_s"] for c in controls), 4),
                    "process_cpu_s": round(control_cpu, 4),
                },
                "run_cpu_with_minus_without_widget_s": round(widget_cpu - control_cpu, 4),
                "runs": widget_runs,
                "control_runs": [{k: round(v, 4) for k, v in c.items()} for c in controls],
            }
        )
    return {"results": results, "drill_down": drill}


def ratio(big: float | None, small: float | None) -> float | None:
    if big is None or not small:
        return None
    return round(big / small, 3)


def verdict(results: list[dict[str, Any]], interval: float) -> dict[str, Any]:
    small, big = results[0], results[-1]
    sm, bm = small["median"], big["median"]
    ratios = {
        "messages_per_s": ratio(bm["messages_per_s"], sm["messages_per_s"]),
        "bytes_per_s": ratio(bm["bytes_per_s"], sm["bytes_per_s"]),
        "refresh_cpu_per_s": ratio(bm["refresh_cpu_ms_per_s"], sm["refresh_cpu_ms_per_s"]),
        "follower_cpu_per_s": ratio(bm["follower_cpu_ms_per_s"], sm["follower_cpu_ms_per_s"]),
        "model_cpu_per_call": ratio(bm["model_cpu_us_per_call"], sm["model_cpu_us_per_call"]),
        "max_message_bytes": ratio(bm["max_message_bytes"], sm["max_message_bytes"]),
    }
    max_rate = 1 / interval
    return {
        "compared": f"n={big['n']:,} vs n={small['n']:,}",
        "ratios": ratios,
        "growth_tolerance": GROWTH_TOLERANCE,
        "traffic_does_not_grow": all(
            ratios[k] is not None and ratios[k] <= GROWTH_TOLERANCE for k in ("messages_per_s", "bytes_per_s")
        ),
        "cpu_does_not_grow": ratios["refresh_cpu_per_s"] is not None
        and ratios["refresh_cpu_per_s"] <= GROWTH_TOLERANCE,
        "per_tick_model_cost_does_not_grow": ratios["model_cpu_per_call"] is not None
        and ratios["model_cpu_per_call"] <= GROWTH_TOLERANCE,
        "max_updates_per_s": max_rate,
        "at_most_10_updates_per_s": all(
            max(r["max_messages_in_any_1s"] for r in res["runs"]) <= max_rate + 1 for res in results
        ),
    }


def widget_libraries() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str | None] = {}
    for name in ("anywidget", "ipywidgets", "comm", "traitlets"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=list(DEFAULT_NS), help="run sizes (actions)")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs per size (medians are reported)")
    parser.add_argument("--duration", type=float, default=DURATION_S, help="target seconds per run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ns = sorted(set(args.n))
    measured = asyncio.run(benchmark(ns, args.repeat, args.duration))
    result = {
        "benchmark": "widget",
        "environment": {**_common.environment(), "widget_libraries": widget_libraries()},
        "method": {
            "workload": f"flyte.map(sleeper, range(n), concurrency=ceil(n/{WAVES})), each item sleeps "
            f"duration/{WAVES} s: about {args.duration} s per run whatever n",
            "interval_s": UPDATE_INTERVAL,
            "repeat": args.repeat,
            "window_s": "from RunWidget(run) to the follower's end (after its final update); rates use it",
            "messages": "comm_msg messages published on the widget's comm (DummyComm.publish_msg wrapped); "
            "the constructor's comm_open is open_message_bytes",
            "bytes": "len(json.dumps(data, default=str)) of each message's data",
            "refresh_cpu": "time.process_time inside RunWidget.refresh (model, compare, trait set, ipywidgets send)",
            "follower_cpu": "refresh plus Controller.snapshot (built by the subscription every tick)",
            "serialize_cpu_s": "json.dumps of the sent messages, timed after the run (a kernel encodes them)",
            "control": "the same workload without a widget; run_cpu_with_minus_without_widget_s compares "
            "the process CPU of whole runs (noisy: includes GC and timer jitter)",
        },
        **measured,
    }
    result["verdict"] = verdict(measured["results"], UPDATE_INTERVAL)
    _common.write_results("widget", result)


if __name__ == "__main__":
    main()
