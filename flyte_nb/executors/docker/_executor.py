"""The docker backend: each action in its own container (cold start).

An attempt is: ship the inputs to the store (u), write a job (the task's function,
cloudpickled by value, and the inputs' payloads), create and start a container of the
environment's image (t) running ``python -m flyte_nb._runtime``, wait, read the outcome
from the store (d), collect the logs, remove the container. flyte_nb's runtime and its
pure-Python dependencies are bind-mounted read-only; a ``file://`` store is mounted at
the same path, so keys mean the same inside and out. Docker's blocking SDK runs in the
engine's own threads, and a container's end arrives as an engine event (executors/docker/_engine.py):
the loop never waits on the engine, and no running container holds a thread. Images are
never pulled unless asked.

The run's entry action stays in the kernel and orchestrates; each action it starts gets a
container. Reusable worker containers (``ReusePolicy``) come next; until then an action
running in a container that calls further tasks runs them inline, in that container.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..._version import __version__
from ...data import _layout as layout
from ...errors import ConfigError, ContainerError, OOMError, WorkerLostError
from ...model._image import DEFAULT_BASE_IMAGE, Image
from ...wire._job import CallbackAddress
from ...wire._outcome import Outcome
from .. import _transfer as transfer
from .._base import ActionSpec, ExecutorCapabilities
from .._callbacks import CALLBACK_DIR_IN_CONTAINER, SOCKET_NAME, CallbackServer
from .._jobs import pooled_callees, read_outcome, write_job
from .._shipped import ShippedJobExecutor
from ._bundle import runtime_bundle
from ._engine import engine_for, kill_container
from ._images import build_image, engine_client, image_python
from ._pool import SOCKET_IN_CONTAINER, WorkerPool, logs_of, pool_for
from ._resources import check_devices, container_limits
from ._sandbox import DEFAULT_PIDS_LIMIT, Sandbox, SandboxPolicy
from ._secrets import ContainerSecrets, secrets_tmpfs
from ._store_access import StoreAccess, store_access

LIB_IN_CONTAINER = "/opt/flyte_nb/lib"
LABEL = "flyte_nb"
LOG_TAIL_LINES = 20


_CLIENTS: dict[str | None, Any] = {}
_CHECKED: dict[str | None, set[str]] = {}


@dataclass(frozen=True, slots=True)
class _Place:
    """Where one attempt runs: its image's tag, the store as its container reaches it, and
    the sandbox its container runs in."""

    image: str
    access: StoreAccess
    sandbox: Sandbox


class DockerExecutor(ShippedJobExecutor):
    """Runs each action in a fresh container of its environment's image."""

    name = "docker"
    where = "its container"
    #: every action gets a container, the run's entry action too; task calls made inside a
    #: container come back to the kernel and become child actions (executors/_callbacks.py)
    #: an action is running from its container's creation, or from when a reusable worker
    #: takes it; before that (an image build, a full pool) it shows as queued (reports_start)
    capabilities = ExecutorCapabilities(reports_start=True, entry_in_process=False, process_boundary=True)

    def __init__(
        self,
        *,
        base_image: str = DEFAULT_BASE_IMAGE,
        host: str | None = None,
        pull: bool = False,
        network: str | None = None,
        reuse: bool = True,
        cleanup: bool = True,
        user: str | None = None,
        users: dict[str, str] | None = None,
        pids_limit: int = DEFAULT_PIDS_LIMIT,
    ) -> None:
        super().__init__()
        self.base_image = base_image
        self.host = host
        self.pull = bool(pull)
        self.network = network
        self.cleanup = bool(cleanup)
        # who containers run as and what they may do (executors/docker/_sandbox.py); checked here
        self._sandboxes = SandboxPolicy(user, users, pids_limit)
        self._client: Any = _CLIENTS.get(host)
        self._engine = engine_for(host)  # its threads and exit events (no thread starts here)
        self._swept = False
        # images checked (present, right Python) by any run of this process on this engine
        self._checked_images: set[str] = _CHECKED.setdefault(host, set())
        self._lock = threading.RLock()  # one engine connection and one image check at a time
        self._live: dict[int, Any] = {}  # action id -> container, while it runs
        self._build_logs: dict[str, list[str]] = {}  # tag -> log of a build not yet shown
        self._access: StoreAccess | None = None
        self._warmed: set[tuple[str, int]] = set()  # pools this run started ahead of their calls
        self._warming: set[asyncio.Future[None]] = set()
        self.kernel = f"{socket.gethostname()}:{os.getpid()}"

    @property
    def user(self) -> str:
        """The user containers run as (``"uid:gid"`` or ``"root"``), unless ``docker: {users:
        ...}`` names their image: the kernel's own, or flyte_nb's when the kernel is root."""
        return self._sandboxes.default().user

    # ------------------------------------------------------------------ engine
    def _docker(self) -> Any:
        with self._lock:
            return self._connect()

    def _connect(self) -> Any:
        if self._client is None:
            try:
                import docker
            except ImportError as exc:
                raise ConfigError("the docker backend needs the docker SDK: pip install 'flyte_nb[docker]'") from exc
            try:
                client = engine_client(self.host)
                client.ping()
            except docker.errors.DockerException as exc:
                where = self.host or os.environ.get("DOCKER_HOST", "the default socket")
                raise ConfigError(
                    f"cannot reach a Docker engine at {where}: {exc}. Start the Docker "
                    "engine (or point DOCKER_HOST or docker: {host: ...} at one), or run on the local backend"
                ) from exc
            self._client = _CLIENTS[self.host] = client  # one connection per engine and process
        self._engine.follow(f"{LABEL}.kernel={self.kernel}")  # exits of this process's containers
        if not self._swept:  # each run starts by removing what dead kernels left behind
            self._swept = True
            self._sweep_strays()
        return self._client

    def _sweep_strays(self) -> None:
        """Remove containers left by kernels of this host that no longer exist."""
        remove_strays(self._client)

    def _ensure_image(self, image: str | Image) -> str:
        """The tag of ``image`` on the engine, checked once per process: present (built from
        its spec, or pulled when allowed) and with the kernel's Python."""
        tag = image.tag(self.base_image) if isinstance(image, Image) else image
        if isinstance(image, Image):  # asked of the spec, whatever tag it shares
            _check_python_version(image, tag)
        if tag not in self._checked_images:
            with self._lock:
                if tag not in self._checked_images:
                    self._check_image(image, tag)
        return tag

    def build(self, image: Image, *, force: bool = False) -> tuple[str, list[str]]:
        """Build ``image`` now (``flyte.build``), checked as an action's image is; returns its
        tag and the build log (empty when the tag was there). ``force`` builds it again."""
        import docker

        tag = image.tag(self.base_image)
        _check_python_version(image, tag)
        with self._lock:
            client = self._connect()
            if force and (image.layers or image.dockerfile is not None):
                try:
                    client.images.remove(tag, force=True)
                except docker.errors.ImageNotFound:
                    pass
                self._checked_images.discard(tag)
            if tag not in self._checked_images:
                self._check_image(image, tag)
        return tag, self._build_logs.pop(tag, [])

    def _check_image(self, image: str | Image, tag: str) -> None:
        """Present (built from its spec, or pulled when allowed) and with the kernel's Python:
        a spec's ``python_version`` first, then its base's Python before any build."""
        client = self._connect()
        spec = image if isinstance(image, Image) else None
        ours = _kernel_python()
        if spec is not None and spec.dockerfile is not None:  # its FROM images are checked by the build
            _, log = build_image(client, spec, self.base_image)
            self._build_logs[tag] = log
            self._check_python(client, tag, ours)
        else:  # the base's Python before building anything on it
            base = spec.base(self.base_image) if spec is not None else tag
            self._ensure_present(client, base)
            self._check_python(client, base, ours, base_of=tag if base != tag else None)
            self._checked_images.add(base)
            if spec is not None and spec.layers:
                _, log = build_image(client, spec, self.base_image)
                self._build_logs[tag] = log
        self._checked_images.add(tag)

    def _ensure_present(self, client: Any, base: str) -> None:
        import docker

        try:
            client.images.get(base)
        except docker.errors.ImageNotFound:
            if not self.pull:
                raise ConfigError(
                    f"image {base!r} is not on this Docker engine and flyte_nb never pulls unless asked. Put it "
                    "on the engine (docker build, load or pull an image with this kernel's Python) or set "
                    "docker: {pull: true}"
                ) from None
            client.images.pull(base)

    def _check_python(self, client: Any, tag: str, ours: str, base_of: str | None = None) -> None:
        """``tag`` has Python ``ours`` (the kernel's), or a ``ConfigError`` naming both and the fix."""
        import docker

        if tag in self._checked_images:
            return
        try:
            theirs = image_python(client, tag)
        except (docker.errors.ContainerError, docker.errors.APIError) as exc:
            raise ConfigError(
                f"image {tag!r} cannot run python3 ({str(exc).strip()}); flyte_nb runs tasks with the image's "
                f"python3, which must be Python {ours} (this kernel's). Use an image with it"
            ) from None
        if theirs != ours:
            what = f"the base image {tag!r} of {base_of!r}" if base_of else f"image {tag!r}"
            raise ConfigError(
                f"{what} has Python {theirs}, but this kernel (and so the image's python_version) is Python "
                f"{ours}; a task's function is pickled in the kernel and only unpickles under the same "
                f"version. Use a base image with Python {ours} (Image.from_base(<tag>) or docker: "
                f"{{base_image: <tag>}}), or run the notebook kernel on Python {theirs}"
            )

    # ------------------------------------------------------------------ actions
    async def _place(self, spec: ActionSpec) -> _Place:
        """The action's image (checked, or built: the action that waited shows its log), the
        store as containers reach it, and the sandbox they run in."""
        data = spec.data
        if self._access is None:
            self._access = store_access(data.store if data is not None else None, self.network)
        resources = spec.task.env.resources
        device = resources is not None and resources.get_device() is not None
        checked = False
        if device:  # before building anything, when the base image is there to ask with
            checked = await self._engine.call(self._check_devices, spec.task.name, resources, self.base_image)
        image = await self._engine.call(self._ensure_image, self._image_of(spec.task.env))
        if device and not checked:
            await self._engine.call(self._check_devices, spec.task.name, resources, image)
        if image in self._build_logs:  # the action that waited for the build shows its log
            _keep_logs(spec, "\n".join(self._build_logs.pop(image)) + "\n")
        return _Place(image, self._access, self._sandboxes.for_image(image))

    def _check_devices(self, task_name: str, resources: Any, probe_image: str) -> bool:
        """An accelerator request this engine cannot meet fails here, before any start; False
        when ``probe_image`` is not on the engine to ask with."""
        import docker

        client = self._docker()
        try:
            client.images.get(probe_image)
        except docker.errors.ImageNotFound:
            return False
        check_devices(client, self.host, task_name, resources, probe_image)
        return True

    async def _callback_socket(self, server: CallbackServer, place: _Place) -> str:
        return f"{CALLBACK_DIR_IN_CONTAINER}/{SOCKET_NAME}"  # the server's folder, mounted in each container

    def _write(
        self, spec: ActionSpec, ledger: transfer.Ledger, job_key: str, callback: CallbackAddress, place: _Place
    ) -> None:
        """The job goes to the store; its container's user gets what it must write."""
        write_job(spec, ledger, job_key, callback)
        assert spec.data is not None
        place.sandbox.hand_job(place.access, spec.data.run, spec.action.id, self._callbacks)

    async def _run(self, spec: ActionSpec, place: _Place, job_key: str, job: bytes | None) -> tuple[Outcome, float]:
        self._warm_pools(spec.task, place.access)
        if spec.task.env.reuse_policy is not None:
            return await self._run_on_pool(spec, place, job_key), 0.0
        return await self._run_in_container(spec, place, job_key)

    async def _run_in_container(self, spec: ActionSpec, place: _Place, job_key: str) -> tuple[Outcome, float]:
        """Start a container of its own for the job, wait for its end, read what it left."""
        data = spec.data
        assert data is not None
        secrets = ContainerSecrets(spec.secrets(), place.sandbox)  # files removed once the container ends
        try:
            if spec.started is not None:
                spec.started()
            started = time.perf_counter()
            starting = asyncio.ensure_future(
                self._engine.call(self._start, spec, place.image, place.access, job_key, secrets)
            )
            try:
                container, exited = await asyncio.shield(starting)
            except asyncio.CancelledError:  # cancelled while the engine starts it: remove it once started
                starting.add_done_callback(self._kill_when_started)
                raise
            t = time.perf_counter() - started
            try:
                status = {"StatusCode": await asyncio.wrap_future(exited)}  # an engine event: no thread waits
            except asyncio.CancelledError:
                await self._engine.kill(container)  # shielded and bounded
                raise
            finally:
                self._live.pop(spec.action.id, None)
                self._engine.forget(container.id)
        finally:
            secrets.remove()
        logs, state = await self._engine.call(self._finish, container)
        _keep_logs(spec, logs)
        try:
            outcome = read_outcome(await asyncio.to_thread(data.store.get_sealed, layout.job_result_key(job_key)))
        except FileNotFoundError:
            oom = bool(state.get("OOMKilled"))
            code = status.get("StatusCode")
            tail = "\n".join(logs.splitlines()[-LOG_TAIL_LINES:])
            reason = "was killed for using more memory than its limit (OOM)" if oom else f"exited with code {code}"
            message = (
                f"the container of action {spec.task.name} #{spec.action.id} {reason} before the task returned."
                + (f"\nLast lines of its log:\n{tail}" if tail else "")
            )
            if oom:
                raise OOMError("OOMKilled", message, exit_code=code, logs=logs) from None
            raise ContainerError(message, exit_code=code, logs=logs) from None
        return outcome, t

    def _warm_pools(self, task: Any, access: StoreAccess) -> None:
        """Start, beside this action's container, the worker pools of the reusable tasks its
        code calls by name, so their workers are up by the time its calls arrive."""
        for callee in pooled_callees(task.func):
            key = (callee.env.name, id(callee.env.reuse_policy))
            if key not in self._warmed:
                self._warmed.add(key)
                warming = asyncio.ensure_future(self._warm_pool(callee, access))
                self._warming.add(warming)
                warming.add_done_callback(self._warming.discard)

    async def _warm_pool(self, task: Any, access: StoreAccess) -> None:
        try:
            image = await self._engine.call(self._ensure_image, self._image_of(task.env))
            await pool_for(self, image, task.env, task.env.reuse_policy, access)
        except Exception:  # the task's own call reports what is wrong with its pool
            pass

    def _image_of(self, env: Any) -> str | Image:
        image = env.image
        return self.base_image if image is None or image == "auto" else image

    async def _run_on_pool(self, spec: ActionSpec, place: _Place, job_key: str) -> Outcome:
        """Run the job on a reusable worker; if the worker dies, once more on another."""
        data = spec.data
        assert data is not None and spec.task.env.reuse_policy is not None
        for chance in (1, 2):
            pool = await pool_for(self, place.image, spec.task.env, spec.task.env.reuse_policy, place.access)
            try:
                seal = data.store.sealer.for_run(data.run).to_env()
                secret = self.callbacks.secret_of(self._token)
                logs = await pool.run(job_key, spec.started, seal, secret, tuple(spec.secrets()))
                break
            except WorkerLostError:
                if chance == 2:
                    raise
        _keep_logs(spec, logs)
        try:
            return read_outcome(await asyncio.to_thread(data.store.get_sealed, layout.job_result_key(job_key)))
        except FileNotFoundError:
            raise WorkerLostError(f"the worker running {spec.task.name} #{spec.action.id} left no result") from None

    # ------------------------------------------------------------------ reusable workers (WorkerLauncher)
    async def start_worker(self, pool: WorkerPool, worker_id: str) -> Any:
        """Create and start one worker container of ``pool`` (in an engine thread)."""
        return await self._engine.call(self._start_worker, pool, worker_id)

    async def stop_worker(self, container: Any) -> None:
        await self._engine.kill(container)  # its own threads: never behind starts

    async def worker_logs(self, container: Any) -> str:
        return await self._engine.call(logs_of, container)

    def _start_worker(self, pool: WorkerPool, worker_id: str) -> Any:
        """Create and start one reusable worker container of ``pool`` (runs in a thread)."""
        client = self._docker()
        self._ensure_image(pool.image)  # a tag checked (or built) by the submitting action
        sandbox = self._sandboxes.for_image(pool.image)
        sandbox.hand(pool.folder, pool.socket)  # the workers' user must reach the pool's socket
        volumes = self._volumes(pool.access)
        volumes[pool.folder] = {"bind": SOCKET_IN_CONTAINER, "mode": "rw"}
        container = client.containers.create(
            pool.image,
            [
                "python3",
                "-m",
                "flyte_nb._runtime.worker",
                f"{SOCKET_IN_CONTAINER}/pool.sock",
                worker_id,
                pool.access.url,
            ],
            environment={
                **self._environment(pool.env, {}, pool.access, sandbox),
                **pool.worker_environment(worker_id),
            },
            volumes=volumes,
            network_mode=pool.access.network,
            labels={**self._labels("", ""), f"{LABEL}.pool": pool.env.name, f"{LABEL}.worker": worker_id},
            **container_limits(pool.env.resources),
            **sandbox.create_options(),
            **secrets_tmpfs(sandbox),  # each action's mounted secrets, written there while it runs
        )
        container.start()
        return container

    def _start(
        self, spec: ActionSpec, image: str, access: StoreAccess, job_key: str, secrets: ContainerSecrets
    ) -> tuple[Any, Any]:
        """Create and start the action's container (in an engine thread); returns it and the
        future of its exit code. Its secrets are variables of its environment and read-only
        files bind-mounted under /etc/flyte/secrets."""
        client = self._docker()
        sandbox = self._sandboxes.for_image(image)
        container = client.containers.create(
            image,
            ["python3", "-m", "flyte_nb._runtime", access.url, job_key],
            environment={
                **self._environment(
                    spec.task.env,
                    spec.data.env_vars if spec.data else {},
                    access,
                    sandbox,
                    spec.data.run if spec.data else None,
                ),
                **self.callbacks.container_environment(self._token),  # its lifeline and the run's secret
                **secrets.environment(),
            },
            volumes=self._volumes(access),
            mounts=secrets.mounts(),
            network_mode=access.network,
            labels=self._labels(spec.data.run if spec.data else "", str(spec.action.id)),
            **container_limits(spec.task.env.resources),
            **sandbox.create_options(),
        )
        self._live[spec.action.id] = container  # from here on, close() removes it whatever happens
        exited = self._engine.expect_exit(container.id)  # before it starts: its end cannot be missed
        container.start()
        return container, exited

    def _volumes(self, access: StoreAccess) -> dict[str, dict[str, str]]:
        volumes = {runtime_bundle(access.packages): {"bind": LIB_IN_CONTAINER, "mode": "ro"}, **access.volumes()}
        if self._callbacks is not None:
            volumes[self._callbacks.folder] = {"bind": CALLBACK_DIR_IN_CONTAINER, "mode": "rw"}
        return volumes

    def _environment(
        self, env: Any, run_vars: dict[str, str], access: StoreAccess, sandbox: Sandbox, run: str | None = None
    ) -> dict[str, str]:
        # the store's URL and options: flyte.io uploads made in the container go to the run's store;
        # the run's key (one-shot containers) seals what it writes
        runtime = {"PYTHONPATH": LIB_IN_CONTAINER, "PYTHONDONTWRITEBYTECODE": "1", **access.environment(run)}
        runtime.update(sandbox.environment())  # a HOME its user may write (the task's env may name another)
        return {**runtime, **env.env_vars, **run_vars}

    def _labels(self, run: str, action: str) -> dict[str, str]:
        return {
            f"{LABEL}.kernel": self.kernel,
            f"{LABEL}.run": run,
            f"{LABEL}.action": action,
            f"{LABEL}.version": __version__,
        }

    def _finish(self, container: Any) -> tuple[str, dict[str, Any]]:
        import docker

        try:
            container.reload()  # for the OOM flag, should the action have left no outcome
            state = dict(container.attrs.get("State", {}))
            logs = container.logs().decode(errors="replace")
        except docker.errors.NotFound:  # removed already (a sweep, a kill): the store has the outcome
            return "", {}
        if self.cleanup:
            self._kill(container)
        return logs, state

    def _kill_when_started(self, starting: asyncio.Future[Any]) -> None:
        if not starting.cancelled() and starting.exception() is None:
            container, _ = starting.result()
            self._engine.forget(container.id)
            self._engine.kill_soon(container)

    def _kill(self, container: Any) -> None:
        kill_container(container)

    async def cancel(self, action_id: int) -> None:
        container = self._live.get(action_id)
        if container is not None:
            await self._engine.kill(container)

    async def _stop_all(self) -> None:
        await asyncio.gather(*[self._engine.kill(c) for c in list(self._live.values())])
        self._live.clear()


def _kernel_python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def _check_python_version(spec: Image, tag: str) -> None:
    """A spec's ``python_version`` must be the kernel's: tasks are pickled in the kernel."""
    ours = _kernel_python()
    wanted = ".".join(map(str, spec.python_version))
    if wanted != ours:
        raise ConfigError(
            f"the image spec {spec.name or tag!r} asks for Python {wanted} (python_version=...), but this "
            f"kernel runs Python {ours}: a task's function is pickled in the kernel and unpickled in the "
            f"container, which only works between equal versions. Run the notebook kernel on Python "
            f"{wanted}, or leave python_version out (it defaults to the kernel's)"
        )


def remove_strays(client: Any, *, everything: bool = False) -> int:
    """Remove flyte_nb's containers whose kernel (a process of this host) has ended, or
    with ``everything`` all of flyte_nb's containers on the engine; returns how many."""
    import docker

    host = socket.gethostname()
    removed = 0
    # sparse: no per-container inspect, which raises NotFound for a container removed meanwhile
    for container in client.containers.list(all=True, filters={"label": f"{LABEL}.kernel"}, sparse=True):
        labels = container.attrs.get("Labels") or {}
        name, _, pid = labels.get(f"{LABEL}.kernel", "").partition(":")
        if everything or (name == host and pid.isdigit() and not _pid_alive(int(pid))):
            try:
                container.remove(force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as exc:
                if exc.status_code != 409:  # 409: its removal is already in progress
                    raise
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _keep_logs(spec: ActionSpec, logs: str) -> None:
    if logs:
        spec.action.append_log(spec.masked(logs))
