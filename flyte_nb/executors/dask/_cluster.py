"""The Dask clusters flyte_nb talks to: one connected client per settings, per process.

A :class:`Cluster` is a client (and the ``LocalCluster`` flyte_nb started for it, if any)
plus what was learnt about it: whether its workers run on this machine, which of the
run's stores they were checked to reach, the resources they declare, and who waits for
a job's start event. ``close_clusters`` disconnects them all (at exit too).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import platform
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..._runtime._dask import STARTED_TOPIC
from ..._version import __version__
from ...errors import ConfigError
from ...model._cluster_info import web_link
from ._liveness import SilentWorkers
from ._scheduled import ScheduledCalls

#: seconds the workers' declared resources are trusted before the scheduler is asked again
RESOURCES_TTL_S = 5.0


@dataclass
class Cluster:
    """A connected Dask client, and the LocalCluster flyte_nb started for it, if any."""

    client: Any
    local: Any = None
    #: the Client or Cluster object the user gave (dask: client= / cluster=), if any
    given: Any = None
    #: flyte_nb made the client and closes it; a Client the user gave stays open
    owns_client: bool = True
    #: the workers run on this machine (the callback server's unix socket reaches them)
    same_host: bool = True
    #: the interface of this machine the scheduler is reached through
    own_address: str = "127.0.0.1"
    stores_checked: set[str] = field(default_factory=set)
    #: job key -> the run's loop, and what to call there when a worker says the job started
    starting: dict[str, tuple[asyncio.AbstractEventLoop, Callable[[], object]]] = field(default_factory=dict)
    #: what the kernel heard of each worker lately (executors/dask/_liveness.py)
    silence: SilentWorkers = field(default_factory=SilentWorkers)
    #: when the workers' declared resources were last asked for, and their answer
    _declared: tuple[float, dict[str, float]] = field(default=(-RESOURCES_TTL_S, {}), init=False, repr=False)

    _calls: ScheduledCalls | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.client.subscribe_topic(STARTED_TOPIC, self._job_started)

    @property
    def by_object(self) -> bool:
        """The user gave a Client or Cluster object (not an address, nor flyte_nb's LocalCluster)."""
        return self.given is not None

    def scheduled_calls(self) -> ScheduledCalls:
        """The routes of task calls that come through the scheduler (subscribed on first use)."""
        if self._calls is None:
            self._calls = ScheduledCalls(self.client)
        return self._calls

    def _job_started(self, event: tuple[float, str | list[str]]) -> None:  # on the client's loop
        """Jobs started (a worker announces the starts of a moment together): each run's
        loop hears of its jobs in one call, not one per job."""
        keys = [event[1]] if isinstance(event[1], str) else event[1]
        by_loop: dict[asyncio.AbstractEventLoop, list[Callable[[], object]]] = {}
        for key in keys:
            entry = self.starting.pop(key, None)
            if entry is not None:
                by_loop.setdefault(entry[0], []).append(entry[1])
        for loop, callbacks in by_loop.items():
            try:
                loop.call_soon_threadsafe(_call_each, callbacks)
            except RuntimeError:  # that run's loop has closed
                pass

    def declared_resources(self, fresh: bool = False) -> dict[str, float]:
        """The largest amount of each resource one worker declares, by name (asked of the
        scheduler at most every few seconds, unless ``fresh``: workers come and go, but not
        per action)."""
        asked, largest = self._declared
        if fresh or time.monotonic() - asked >= RESOURCES_TTL_S:
            largest = {}
            for worker in self.client.scheduler_info(n_workers=-1)["workers"].values():
                for name, amount in (worker.get("resources") or {}).items():
                    largest[name] = max(largest.get(name, 0.0), float(amount))
            self._declared = (time.monotonic(), largest)
        return largest

    def close(self) -> None:
        """Close the client flyte_nb made (a Cluster object the user gave keeps running); a
        Client the user gave stays open, only flyte_nb's subscriptions on it end."""
        if self._calls is not None:
            self._calls.close()
        if self.owns_client:
            self.client.close()
        else:
            self.client.unsubscribe_topic(STARTED_TOPIC)
        if self.local is not None:
            self.local.close()


CLUSTERS: dict[tuple[Any, ...], Cluster] = {}
CLUSTERS_LOCK = threading.Lock()


def check_store(cluster: Cluster, store: Any) -> None:
    if store.protocol == "memory":
        raise ConfigError(
            "a memory:// store lives inside this kernel, so Dask workers cannot reach it; "
            "use a file:// store (the default) or an object store such as s3://bucket/prefix"
        )
    if not store.is_local:
        return
    store.make_folders(store.root)  # with the store's mode, not the umask's
    # a file only this check writes: a folder of the same name on a worker's own disk is not the store
    token = uuid.uuid4().hex
    probe = os.path.join(store.root, f".flyte_nb-reach-{token}")
    with open(probe, "w", encoding="utf-8") as handle:
        handle.write(token)
    try:
        seen = cluster.client.run(_holds, probe, token)
    finally:
        os.remove(probe)
    blind = sorted(worker for worker, found in seen.items() if not found)
    if blind:
        raise ConfigError(
            f"Dask workers {', '.join(blind)} cannot see the store folder {store.root}; use a folder they share "
            "with this machine, or an object store (storage: s3://bucket/prefix)"
        )


def _holds(path: str, token: str) -> bool:
    """On a worker: the file at ``path`` is there and holds ``token``."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read() == token
    except OSError:
        return False


def check_workers(client: Any, address: str) -> None:
    """Workers of an existing cluster run the kernel's Python and flyte_nb version."""
    ours = ".".join(platform.python_version_tuple()[:2])
    pythons = client.run(platform.python_version)
    if not pythons:
        raise ConfigError(f"the Dask cluster at {address} has no workers; start some (dask worker {address})")
    for worker, version in pythons.items():
        if ".".join(version.split(".")[:2]) != ours:
            raise ConfigError(
                f"Dask worker {worker} runs Python {version} but this kernel runs {ours}; pickled functions only "
                "travel between equal versions"
            )
    inside = [worker for worker, pid in client.run(os.getpid).items() if pid == os.getpid()]
    if inside:
        raise ConfigError(
            f"Dask workers {', '.join(sorted(inside))} run inside this kernel (a cluster made with processes=False); "
            "flyte_nb needs worker processes: make the cluster with processes=True"
        )
    try:
        versions = client.run(_flyte_nb_version)
    except Exception as exc:
        raise ConfigError(
            f"Dask workers at {address} cannot run flyte_nb ({type(exc).__name__}: {exc}); install flyte_nb "
            f"{__version__} where the workers run"
        ) from None
    wrong = {worker: version for worker, version in versions.items() if version != __version__}
    if wrong:
        raise ConfigError(f"Dask workers run other flyte_nb versions than this kernel's {__version__}: {wrong}")


def _flyte_nb_version() -> str:
    from flyte_nb._version import __version__ as version

    return version


def where_workers_are(client: Any, address: str) -> tuple[str, bool]:
    """This machine's address toward the scheduler, and whether every worker runs here."""
    host = address.partition("://")[2].rpartition(":")[0].strip("[]") or "127.0.0.1"
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((host, 9))  # no packet is sent: this picks the interface
            own = probe.getsockname()[0]
    except OSError:  # no route to the scheduler's own address (a gateway or a proxy stands between)
        own = "127.0.0.1"
    ours = {"127.0.0.1", "::1", "localhost", own, socket.gethostname()}
    workers = client.scheduler_info(n_workers=-1)["workers"].values()
    return own, all(worker.get("host") in ours for worker in workers)


#: hosts a server listens on to take every interface: no browser opens them
ANY_INTERFACE = {"0.0.0.0", "::"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: what a dashboard only this machine opens comes with
LOCAL_NOTE = (
    "the dashboard listens on the kernel's machine: a browser elsewhere (a remote JupyterHub) cannot open "
    "this link; set distributed.dashboard.link to a proxied one, e.g. {JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status"
)


def dashboard_of(client: Any) -> tuple[str | None, str | None]:
    """The cluster's dashboard link as Dask itself makes it (``client.dashboard_link``: the
    cluster object's own, or ``distributed.dashboard.link`` filled in, so a JupyterHub proxy
    template is honoured), and a note when only the kernel's machine opens it. A link to
    0.0.0.0 (a scheduler listening on every interface) names the host the kernel reaches the
    scheduler at instead. Not a web link: (None, None). May ask the scheduler: call it off
    the loop."""
    try:
        link = web_link(client.dashboard_link)
    except Exception:  # no dashboard service, a scheduler gone: the run needs no link
        return None, None
    if link is None or link.startswith("/"):
        return link, None
    parts = urlsplit(link)
    host = parts.hostname or ""
    if host in ANY_INTERFACE:
        scheduler = str(getattr(client.scheduler, "address", "") or "")
        host = scheduler.partition("://")[2].rpartition(":")[0].strip("[]")
        if not host or host in ANY_INTERFACE:
            host = "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        netloc = f"{shown}:{parts.port}" if parts.port else shown
        link = parts._replace(netloc=netloc).geturl()
    return link, LOCAL_NOTE if host in LOOPBACK else None


async def workers_now(client: Any) -> tuple[int, int, int]:
    """The cluster's running workers, their threads, and the threads busy now: per worker,
    the tasks the scheduler has it processing, at most its threads (the scheduler's own
    state, as Dask's dashboard counts it; a parent waiting for its children counts while it
    waits). Two small messages to the scheduler, sent together; runs on the client's loop."""
    threads_of, processing = await asyncio.gather(client.scheduler.ncores_running(), client.scheduler.processing())
    busy = sum(min(int(n), len(processing.get(worker) or ())) for worker, n in threads_of.items())
    return len(threads_of), sum(int(n) for n in threads_of.values()), busy


@atexit.register
def close_clusters() -> None:
    """Disconnect from every cluster, and stop the LocalClusters flyte_nb started (at exit,
    or before a cluster this process was given by address goes away)."""
    with CLUSTERS_LOCK:
        clusters = list(CLUSTERS.values())
        CLUSTERS.clear()
    for cluster in clusters:
        try:
            cluster.close()
        except Exception:  # the interpreter is going away; its processes with it
            pass


def _call_each(callbacks: list[Callable[[], object]]) -> None:
    for callback in callbacks:
        callback()
