"""A 100,000-action run on the dask backend: time, scheduler memory, kernel memory, widget messages.

A driver action on a worker gathers ``--actions`` no-op task calls; each becomes an action
of its own (a Dask task, a record, a widget row). The cluster is a scheduler and workers in
processes of their own (``dask scheduler``, ``dask worker``: the scheduler's memory is its
process's, not this one's), or the one at ``--address`` (its workers must reach the store:
``--storage s3://...`` or a folder they share). Sampled every half second while the run
goes: the scheduler's resident memory (``Client.run_on_scheduler``) and this process's
(the kernel's: controller, records, Dask client); at the end, the messages a live
``RunWidget`` published (counted on ipywidgets' ``DummyComm``, as in ``widget.py``).

Prints JSON and writes bench/results/dask_scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _common
import comm
import psutil

import flyte_nb as flyte
from flyte_nb.executors.dask._cluster import close_clusters
from flyte_nb.notebook._widget import RunWidget

env = flyte.TaskEnvironment("bench-dask-scale")
SCHEDULER = (sys.executable, "-m", "distributed.cli.dask_scheduler")
WORKER = (sys.executable, "-m", "distributed.cli.dask_worker")


def plain_noop(x: int) -> int:
    return x


@env.task
async def noop(x: int) -> int:
    return x


@env.task
async def fanout(n: int) -> int:
    return len(await asyncio.gather(*[noop(i) for i in range(n)]))


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _cpu() -> float:
    import psutil

    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


class Sampler:
    """Peak resident memory of the scheduler and of this process, every ``interval`` s."""

    def __init__(self, client: Any, interval: float = 0.5) -> None:
        self.client, self.interval = client, interval
        self.scheduler_mb: list[float] = []
        self.kernel_mb: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.interval):
            self.kernel_mb.append(me.memory_info().rss / 2**20)
            with contextlib.suppress(Exception):
                self.scheduler_mb.append(self.client.run_on_scheduler(_rss) / 2**20)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def cluster(address: str | None, workers: int, threads: int) -> Iterator[str]:
    """The scheduler's address: the one given, or a scheduler and workers started here."""
    if address is not None:
        yield address
        return
    with tempfile.TemporaryDirectory(prefix="flyte-nb-scale-") as folder:
        info = Path(folder) / "scheduler.json"
        scheduler = subprocess.Popen(
            [*SCHEDULER, "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0", "--scheduler-file", info],
            stderr=subprocess.DEVNULL,
        )
        worker = None
        try:
            deadline = time.monotonic() + 60
            while not info.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            address = json.loads(info.read_text())["address"]
            worker = subprocess.Popen(
                [*WORKER, address, "--nworkers", str(workers), "--nthreads", str(threads), "--no-dashboard"],
                stderr=subprocess.DEVNULL,
            )
            yield address
        finally:
            for process in (worker, scheduler):
                if process is not None:
                    process.terminate()
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(30)


async def widget_run(n: int) -> tuple[float, int, int]:
    """Run the fanout with a live widget: seconds, widget messages, their bytes."""
    sent: list[int] = []
    original = comm.DummyComm.publish_msg

    def publish_msg(self: Any, msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if msg_type == "comm_msg":
            sent.append(len(json.dumps(data, default=str)))
        original(self, msg_type, data, *args, **kwargs)

    comm.DummyComm.publish_msg = publish_msg  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        run = await flyte.with_runcontext(max_actions=n + 10).aio(fanout, n)
        widget = RunWidget(run)
        assert await run == n
        wall = time.perf_counter() - start
        if widget._follower is not None:
            await asyncio.wait([widget._follower], timeout=5)
    finally:
        comm.DummyComm.publish_msg = original  # type: ignore[method-assign]
    return wall, len(sent), sum(sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--address", help="a running Dask scheduler (default: one started here)")
    parser.add_argument("--storage", help="the store workers share (default: a temporary folder here)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes started here")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker process started here")
    args = parser.parse_args()
    from distributed import Client

    with (
        cluster(args.address, args.workers, args.threads) as address,
        Client(address, set_as_default=False) as client,
        tempfile.TemporaryDirectory(prefix="flyte-nb-bench-") as folder,
    ):
        client.wait_for_workers(1, timeout=60)
        flyte.init("dask", storage=args.storage or f"file://{folder}", dask={"address": address})
        try:
            idle_scheduler_mb = client.run_on_scheduler(_rss) / 2**20
            kernel_before_mb = psutil.Process().memory_info().rss / 2**20
            scheduler_cpu0, kernel_cpu0 = client.run_on_scheduler(_cpu), time.process_time()
            with Sampler(client) as sampler:
                wall, messages, message_bytes = asyncio.run(widget_run(args.actions))
            scheduler_cpu = client.run_on_scheduler(_cpu) - scheduler_cpu0
            kernel_cpu = time.process_time() - kernel_cpu0
            start = time.perf_counter()
            assert len(client.gather(client.map(plain_noop, range(args.actions), pure=False))) == args.actions
            dask_wall = time.perf_counter() - start
        finally:
            close_clusters()
        workers = client.scheduler_info(n_workers=-1)["workers"]
    import distributed

    report = {
        "benchmark": "dask_scale",
        "cluster": args.address or f"dask scheduler + dask worker --nworkers {args.workers} --nthreads {args.threads}",
        "workers": len(workers),
        "threads": sum(w["nthreads"] for w in workers.values()),
        "actions": args.actions,
        "run_s": round(wall, 2),
        "per_action_ms": round(wall / args.actions * 1e3, 3),
        "dask_map_same_function_s": round(dask_wall, 2),
        "cpu_per_action_ms": {
            "kernel": round(kernel_cpu / args.actions * 1e3, 3),
            "scheduler": round(scheduler_cpu / args.actions * 1e3, 3),
        },
        "scheduler_mb": {"idle": round(idle_scheduler_mb, 1), "peak": round(max(sampler.scheduler_mb, default=0), 1)},
        "kernel_mb": {
            "before": round(kernel_before_mb, 1),
            "peak_sampled": round(max(sampler.kernel_mb, default=0), 1),
            "peak_rss": round(_common.peak_rss_mb(), 1),
        },
        "widget": {"messages": messages, "bytes": message_bytes},
        "distributed": distributed.__version__,
        "environment": _common.environment(),
    }
    _common.write_results("dask_scale", report)


if __name__ == "__main__":
    main()
