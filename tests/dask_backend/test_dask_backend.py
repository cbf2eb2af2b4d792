"""The dask backend: where actions run, nested fanouts on few threads, resources, logs,
dead workers, callbacks over TCP, an existing cluster by address, and clear errors."""

from __future__ import annotations

import asyncio
import os
import socket
import time

import pytest

import flyte_nb as flyte
from dask_backend.nested_tasks import leaf, top
from flyte_nb.errors import ActionTimeoutError, ConfigError, WorkerLostError

env = flyte.TaskEnvironment("dask_backend")


def test_actions_run_in_worker_processes_and_report_their_overhead(dask_run):
    @env.task
    def where() -> int:
        return os.getpid()

    @env.task
    async def main() -> tuple:
        return os.getpid(), await where.aio()

    run = flyte.run(main)
    entry_pid, child_pid = run.outputs()[0]  # a bare `-> tuple` is one output
    assert os.getpid() not in (entry_pid, child_pid)  # the entry action runs on a worker too
    assert run.backend == "dask"
    for action in run.controller.actions:
        assert action.timings is not None and action.timings["t"] >= 0


def test_nested_fanouts_do_not_starve_on_a_single_thread(tmp_path):
    """One worker with one thread: a parent waiting for its children gives its slot back."""
    flyte.init("dask", storage=f"file://{tmp_path}", dask={"n_workers": 1, "threads_per_worker": 1})
    run = flyte.run(top, 4)
    assert run.outputs()[0] == [sum(i * 10 + j for j in range(3)) for i in range(4)]
    assert len(run.controller.actions) == 1 + 4 + 12


def test_resource_requests_reserve_what_workers_declare(tmp_path):
    flyte.init(
        "dask",
        storage=f"file://{tmp_path}",
        dask={"n_workers": 1, "threads_per_worker": 8, "worker_resources": {"cpu": 2, "memory": 2**30}},
    )
    heavy = flyte.TaskEnvironment("heavy_dask", resources=flyte.Resources(cpu=1, memory="256Mi"))
    huge = flyte.TaskEnvironment("huge_dask", resources=flyte.Resources(cpu=4))

    @heavy.task
    async def crunch(i: int) -> tuple:
        started = time.time()  # on the worker: when it really ran, not when it was submitted
        await asyncio.sleep(0.3)
        return started, time.time()

    @huge.task
    async def too_big() -> None:
        return None

    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[crunch(i) for i in range(n)]))

    run = flyte.run(main, 6)
    spans = run.outputs()[0]
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = [sum(step for _, step in edges[: i + 1]) for i in range(len(edges))]
    assert max(running) == 2  # two cpus declared, one requested each: never three at once
    # and the run showed it: the others waited in Dask's queue as queued, not running (a
    # worker may start the next one just before the kernel has collected the one before)
    (group,) = [g for g in run.controller.groups if g.name == "crunch"]
    assert group.peak_running <= 2 + 2 and group.counts["succeeded"] == 6

    @env.task
    async def asks_too_much() -> None:
        await too_big()

    with pytest.raises(ConfigError, match="requests cpu=4 but the largest Dask worker declares cpu=2"):
        flyte.run(asks_too_much).outputs()


def test_each_action_keeps_its_own_printed_output(dask_run):
    @env.task
    async def chatty(i: int) -> int:
        for line in range(3):
            print(f"action {i} line {line}")
            await asyncio.sleep(0.01)
        return i

    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[chatty(i) for i in range(n)]))

    run = flyte.run(main, 5)
    assert run.outputs()[0] == list(range(5))
    for action in run.controller.actions:
        if action.task is chatty:
            text = "".join(action.logs or [])
            mine = {int(line.split()[1]) for line in text.splitlines()}
            assert len(mine) == 1 and text.count("\n") == 3, text  # three lines, all its own


def test_a_worker_that_keeps_dying_fails_the_action_clearly(tmp_path):
    # a cluster of its own: its worker is killed on purpose
    flyte.init("dask", storage=f"file://{tmp_path}", dask={"n_workers": 1, "threads_per_worker": 2})

    @env.task
    async def crash() -> None:
        os._exit(3)

    # the run's entry action itself: a parent on the same worker process would die with it
    with pytest.raises(WorkerLostError, match=r"Dask worker running dask_backend\.crash #0 died"):
        flyte.run(crash).outputs()


def test_a_worker_dying_once_is_retried_on_a_fresh_worker(tmp_path):
    flyte.init("dask", storage=f"file://{tmp_path}", dask={"n_workers": 1, "threads_per_worker": 2})
    marker = tmp_path / "died-once"

    @env.task
    async def crash_once(path: str) -> str:
        if not os.path.exists(path):
            open(path, "w").close()
            os._exit(3)
        return "survived"

    run = flyte.run(crash_once, str(marker))
    assert run.outputs()[0] == "survived"
    assert run.controller.actions[0].attempts == 1  # Dask ran it again on the restarted worker


def test_calls_come_back_over_tcp_with_the_secret(tmp_path):
    flyte.init("dask", storage=f"file://{tmp_path}", dask={"n_workers": 1, "callback": "tcp"})
    run = flyte.run(top, 2)
    assert run.outputs()[0] == [sum(i * 10 + j for j in range(3)) for i in range(2)]


def test_the_tcp_callback_server_closes_connections_without_the_secret():
    from flyte_nb.errors import HandshakeError
    from flyte_nb.executors._callbacks import CallbackServer
    from flyte_nb.wire._framing import receive, send
    from flyte_nb.wire._handshake import MAGIC, NONCE_BYTES, answer_challenge

    async def go() -> tuple:
        server = CallbackServer(asyncio.get_running_loop())
        token = server.register(object())  # a run's controller (this one answers nothing well)
        await server.start()
        address = await server.listen_tcp("127.0.0.1")
        host, _, port = address[len("tcp://") :].rpartition(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        with pytest.raises(HandshakeError):  # the wrong secret: refused before any message
            await answer_challenge(reader, writer, token, b"x" * 32)
        reader, writer = await asyncio.open_connection(host, int(port))
        await send(writer, {"id": 1, "op": "submit", "run": token})  # no handshake at all
        writer.write_eof()  # (else the server waits out its handshake timeout for the rest)
        refused = await asyncio.wait_for(reader.read(), 5)  # all it gets before the server closes
        reader, writer = await asyncio.open_connection(host, int(port))
        await answer_challenge(reader, writer, token, server.secret_of(token))
        await send(writer, {"id": 2, "op": "submit", "run": token})
        answered = await asyncio.wait_for(receive(reader), 5)
        writer.close()
        await server.close()
        return refused, answered

    refused, answered = asyncio.run(go())
    assert refused.startswith(MAGIC) and len(refused) == len(MAGIC) + NONCE_BYTES  # the challenge, no answer
    assert answered["id"] == 2 and not answered["ok"]  # served: the fake controller's failure


def test_an_existing_cluster_by_address(tmp_path):
    import distributed

    from flyte_nb.executors.dask._cluster import close_clusters

    with distributed.LocalCluster(n_workers=1, threads_per_worker=4, dashboard_address=None) as cluster:
        flyte.init("dask", storage=f"file://{tmp_path}", dask={"address": cluster.scheduler_address})
        try:
            run = flyte.run(top, 2)
            assert run.outputs()[0] == [sum(i * 10 + j for j in range(3)) for i in range(2)]
            assert len(cluster.scheduler_info["workers"]) == 1
        finally:
            close_clusters()  # the client, before its scheduler goes (else it retries until exit)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    flyte.init("dask", storage=f"file://{tmp_path}", dask={"address": f"tcp://127.0.0.1:{port}", "connect_timeout": 2})
    started = time.monotonic()
    with pytest.raises(ConfigError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        flyte.run(top, 1).outputs()
    assert time.monotonic() - started < 30


def test_a_memory_store_cannot_be_shared_with_workers():
    flyte.init("dask", storage="memory://dask-test", dask={"n_workers": 1})
    with pytest.raises(ConfigError, match="memory:// store lives inside this kernel"):
        flyte.run(top, 1).outputs()


def test_bad_settings_name_the_problem():
    with pytest.raises(ConfigError, match=r"dask.callback in flyte.init\(\) must be one of 'auto', 'unix', 'tcp'"):
        flyte.init("dask", dask={"callback": "udp"})  # checked when the config is set, not at the first run
    with pytest.raises(ConfigError, match="n_workers and worker_resources describe the LocalCluster"):
        flyte.init("dask", dask={"address": "tcp://x:1", "n_workers": 2})
        flyte.run(top, 1)


def test_time_queued_in_dask_does_not_count_against_the_timeout(tmp_path):
    """One cpu declared, four actions asking for one each: they run one after another, and
    the last waits ~2.4 s in Dask's queue; a 1.5 s timeout counts only its own 0.8 s."""
    flyte.init(
        "dask",
        storage=f"file://{tmp_path}",
        dask={"n_workers": 1, "threads_per_worker": 4, "worker_resources": {"cpu": 1}},
    )
    single = flyte.TaskEnvironment("single_cpu", resources=flyte.Resources(cpu=1))

    @single.task(timeout=1.5)
    async def step(i: int) -> int:
        await asyncio.sleep(0.8)
        return i

    @single.task(timeout=0.5)
    async def too_slow() -> None:
        await asyncio.sleep(5)

    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[step(i) for i in range(n)]))

    run = flyte.run(main, 4)
    assert run.outputs()[0] == [0, 1, 2, 3]
    (group,) = [g for g in run.controller.groups if g.name == "step"]
    assert group.peak_running <= 1 + 1  # one running, one maybe not yet collected
    with pytest.raises(ActionTimeoutError, match="timed out after 0.5 s"):
        flyte.run(too_slow).outputs()  # and a body that runs too long still times out


def test_a_cancelled_run_leaves_nothing_running_on_the_cluster(tmp_path):
    import distributed

    from flyte_nb._runtime import _dask as worker_side
    from flyte_nb.executors.dask._cluster import close_clusters

    @env.task
    async def long_nap(i: int) -> int:
        await asyncio.sleep(120)
        return i

    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[long_nap(i) for i in range(n)]))

    def ours(dask_scheduler) -> list:
        return [key for key in dask_scheduler.tasks if str(key).startswith("flyte_nb-")]

    def jobs_running() -> int:
        return len(worker_side._running)

    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=8, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        flyte.init("dask", storage=f"file://{tmp_path}", dask={"address": cluster.scheduler_address})

        async def notebook():
            run = await flyte.run.aio(main, 3)
            while run.controller.counts["running"] < 4:  # the entry and its three naps, started
                await asyncio.sleep(0.05)
            run.cancel()
            await run.until_done(timeout=10)
            return run

        try:
            run = asyncio.run(notebook())
            assert run.phase == "cancelled"
            deadline = time.monotonic() + 5
            while client.run_on_scheduler(ours) or sum(client.run(jobs_running).values()):
                assert time.monotonic() < deadline, "tasks of the cancelled run still run on the cluster after 5 s"
                time.sleep(0.1)
        finally:
            close_clusters()  # flyte_nb's client of this cluster, before the cluster goes


def test_a_cluster_whose_workers_run_in_this_process_is_refused(tmp_path):
    import distributed

    from flyte_nb.executors.dask._cluster import close_clusters

    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        flyte.init("dask", storage=f"file://{tmp_path}", dask={"address": cluster.scheduler_address})
        try:
            with pytest.raises(ConfigError, match="run inside this kernel .* make the cluster with processes=True"):
                flyte.run(top, 1).outputs()
        finally:
            close_clusters()


def test_a_fanout_goes_to_dask_in_few_graphs(dask_run, monkeypatch):
    import distributed

    sizes: list[int] = []
    original = distributed.Client.map

    def counting_map(self, func, *iterables, **kwargs):
        sizes.append(len(kwargs["key"]))
        return original(self, func, *iterables, **kwargs)

    monkeypatch.setattr(distributed.Client, "map", counting_map)

    @env.task
    async def main(n: int) -> list:
        return list(await asyncio.gather(*[leaf(i) for i in range(n)]))

    assert flyte.run(main, 60).outputs()[0] == list(range(60))
    assert sum(sizes) == 61  # the entry and its sixty calls, each submitted once
    assert len(sizes) <= 20, sizes  # in batches, not one scheduler message per action


def test_inputs_and_outputs_convert_per_annotation_on_the_worker(dask_run):
    """A stored DataFrame becomes the body's pandas frame where the body runs (a worker), and
    a dict returned for a dataclass annotation becomes the dataclass there too."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from dataclasses import dataclass

    from flyte_nb.io import DataFrame

    @dataclass
    class Count:
        n: int

    def count_rows(df: pd.DataFrame, start: Count) -> Count:
        assert isinstance(df, pd.DataFrame), type(df)
        return {"n": start.n + len(df)}  # type: ignore[return-value]  # converted per the annotation

    # the annotations as objects: this module's are strings, naming locals no worker can resolve
    count_rows.__annotations__ = {"df": pd.DataFrame, "start": Count, "return": Count}
    count = env.task(count_rows)

    @env.task
    async def main() -> Count:
        frame = DataFrame.from_df(pd.DataFrame({"a": [1, 2, 3]}))
        return await count.aio(frame, {"n": 10})

    output = flyte.run(main).outputs()
    assert (output[0] if type(output).__name__ == "ActionOutputs" else output).n == 13
