"""A Dask cluster of separate machines, emulated with containers on this machine.

On a user-defined Docker network the harness creates: a scheduler container and workers,
each in its own container of the harness image (tests/cluster/image.py). The kernel (the
test process) stays outside: it reaches the scheduler through a port published on
127.0.0.1 only, and the workers reach it back on the network's gateway address (an address
of this machine that only that network's containers reach): the task callback server and an
S3 store (a moto server) listen there. Workers share nothing with the kernel but a folder
the conformance suite's marker files go through (``markers``); the store is S3.

Every wait is bounded in time; :meth:`ClusterHarness.close` removes the containers and the
network whatever state they are in.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

SCHEDULER_PORT = 8786
START_LIMIT_S = 60.0


class ClusterHarness:
    """The containers, network and S3 server of one emulated cluster."""

    def __init__(self, client: Any, image: str, markers: Path, n_workers: int = 3) -> None:
        self.docker = client
        self.image = image
        self.markers = markers
        self.n_workers = n_workers
        self.name = f"flyte-nb-cluster-{uuid.uuid4().hex[:8]}"
        self.network: Any = None
        self.gateway = ""
        self.scheduler: Any = None
        self.workers: list[Any] = []
        self.address = ""
        #: every address the scheduler had (a new one after a restart)
        self.addresses: list[str] = []
        self.moto: Any = None
        self.endpoint = ""
        self._serial = 0

    # ------------------------------------------------------------------ start
    def start(self) -> ClusterHarness:
        self.network = self.docker.networks.create(self.name, driver="bridge", labels={"flyte_nb.harness": self.name})
        self.network.reload()
        self.gateway = self.network.attrs["IPAM"]["Config"][0]["Gateway"]
        self._start_moto()
        self.start_scheduler()
        for _ in range(self.n_workers):
            self.start_worker()
        self.wait_for_workers(self.n_workers)
        return self

    def _start_moto(self) -> None:
        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines

        port = _free_port(self.gateway)
        self.moto = ThreadedMotoServer(ip_address=self.gateway, port=port, verbose=False)
        self.moto.start()
        self.endpoint = f"http://{self.gateway}:{port}"
        s3 = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket="flyte-nb-cluster")

    def _container(self, name: str, command: list[str], **options: Any) -> Any:
        return self.docker.containers.run(
            self.image,
            command,
            name=f"{self.name}-{name}",
            hostname=name,
            network=self.name,
            detach=True,
            labels={"flyte_nb.harness": self.name},
            # the scheduler keeps Dask's defaults: a silent worker is dropped only after its worker TTL
            # (5 minutes); the kernel notices one itself within its connect timeout
            environment={"NO_PROXY": "*"},
            **options,
        )

    def start_scheduler(self) -> None:
        """The scheduler, as ``scheduler`` on the network, its port published on 127.0.0.1."""
        self.scheduler = self._container(
            "scheduler",
            ["python3", "-m", "distributed.cli.dask_scheduler", "--port", str(SCHEDULER_PORT), "--no-dashboard"],
            ports={f"{SCHEDULER_PORT}/tcp": ("127.0.0.1", None)},
        )
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            self.scheduler.reload()
            bound = (self.scheduler.ports or {}).get(f"{SCHEDULER_PORT}/tcp")
            if bound:
                self.address = f"tcp://127.0.0.1:{bound[0]['HostPort']}"
                self.addresses.append(self.address)
                return
            assert self.scheduler.status == "created" or self.scheduler.status == "running", self.logs(self.scheduler)
            assert time.monotonic() < deadline, "the scheduler container published no port"
            time.sleep(0.1)

    def start_worker(self) -> Any:
        """One more worker container (8 threads), known to the scheduler by its name."""
        self._serial += 1
        name = f"worker-{self._serial}"
        worker = self._container(
            name,
            [
                "python3",
                "-m",
                "distributed.cli.dask_worker",
                f"tcp://scheduler:{SCHEDULER_PORT}",
                "--name",
                name,
                "--nthreads",
                "8",
                "--no-nanny",
                "--no-dashboard",
            ],
            volumes={str(self.markers): {"bind": str(self.markers), "mode": "rw"}},
        )
        self.workers.append(worker)
        return worker

    # ------------------------------------------------------------------ ask
    def client(self, timeout: float = 10.0) -> Any:
        """A Dask client of the harness's own (not flyte_nb's), connected to the scheduler."""
        import cloudpickle
        from distributed import Client

        cloudpickle.register_pickle_by_value(sys.modules[__name__])  # run_on_scheduler's functions
        with warnings.catch_warnings():  # the kernel's Python is a later 3.11 than the image's
            warnings.simplefilter("ignore")
            return Client(self.address, timeout=timeout, set_as_default=False)

    def wait_for_workers(self, count: int) -> None:
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            try:
                with self.client() as client:
                    client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError) as exc:
                if time.monotonic() >= deadline:
                    logs = "\n".join(self.logs(c) for c in [self.scheduler, *self.workers])
                    raise AssertionError(
                        f"{count} workers did not join within {START_LIMIT_S} s: {exc}\n{logs}"
                    ) from None
                time.sleep(0.5)

    def scheduler_state(self) -> dict[str, Any]:
        """What the scheduler holds now: its tasks by state, each worker's tasks in flight, and how
        many task transitions it has made since it started."""
        with self.client() as client:
            return client.run_on_scheduler(_scheduler_state)

    def tasks_on_workers(self) -> dict[str, int]:
        """How many tasks each worker runs now (waiting parents included), as the workers themselves say."""
        with self.client() as client:
            names = {address: info["name"] for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}
            return {names.get(address, address): count for address, count in client.run(_executing).items()}

    def drop_worker(self, name: str) -> None:
        """Have the scheduler forget the worker Dask knows as ``name`` (one cut off the network,
        which it would otherwise keep for its worker TTL), and remove its container: the next
        test finds the cluster short of a worker and restores it."""
        with self.client() as client:
            client.run_on_scheduler(_drop_worker, name)
        _remove(self.container_of(name))

    def container_of(self, name: str) -> Any:
        """The worker container of the worker Dask knows as ``name``."""
        (found,) = [w for w in self.workers if w.name.endswith(f"-{name}")]
        return found

    @staticmethod
    def logs(container: Any) -> str:
        try:
            return f"--- {container.name}\n" + container.logs(tail=30).decode(errors="replace")
        except Exception as exc:
            return f"--- {container.name}: no logs ({exc})"

    # ------------------------------------------------------------------ repair and close
    def healthy(self) -> bool:
        """The scheduler and ``n_workers`` workers run and are connected."""
        try:
            self.scheduler.reload()
            if self.scheduler.status != "running":
                return False
            with self.client(timeout=5) as client:
                return len(client.scheduler_info(n_workers=-1)["workers"]) == self.n_workers
        except Exception:
            return False

    def restore(self) -> None:
        """After a test broke it: a new scheduler if it died, and fresh workers for all."""
        self.scheduler.reload()
        if self.scheduler.status != "running":
            _remove(self.scheduler)
            self.start_scheduler()
        for worker in self.workers:
            _remove(worker)
        self.workers = []
        for _ in range(self.n_workers):
            self.start_worker()
        self.wait_for_workers(self.n_workers)

    def close(self) -> None:
        """Remove every container of the harness, its network and its S3 server."""
        for container in self.docker.containers.list(all=True, filters={"label": f"flyte_nb.harness={self.name}"}):
            _remove(container)
        if self.network is not None:
            try:
                self.network.remove()
            except Exception:
                pass
        if self.moto is not None:
            self.moto.stop()


def _scheduler_state(dask_scheduler: Any) -> dict[str, Any]:
    states: dict[str, int] = {}
    for task in dask_scheduler.tasks.values():
        states[task.state] = states.get(task.state, 0) + 1
    processing = {ws.name: sorted(str(ts.key) for ts in ws.processing) for ws in dask_scheduler.workers.values()}
    return {"states": states, "processing": processing, "transitions": dask_scheduler.transition_counter}


async def _drop_worker(name: str, dask_scheduler: Any) -> None:
    for address, worker in list(dask_scheduler.workers.items()):
        if worker.name == name:
            await dask_scheduler.remove_worker(address=address, stimulus_id="flyte-nb-harness-drop")


def _executing(dask_worker: Any) -> int:
    """Tasks running on the worker: in its thread pool, or seceded from it (a waiting parent)."""
    return len(dask_worker.state.executing) + len(dask_worker.state.long_running)


def _remove(container: Any) -> None:
    try:
        container.remove(force=True, v=True)
    except Exception:
        pass


def _free_port(host: str) -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
