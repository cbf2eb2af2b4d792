"""Building ``flyte.Image`` specs on the local engine: classic builder, no registry, no pull.

The build context is made in memory (a Dockerfile and the files the spec copies, less what
its ``with_dockerignore`` leaves out) and sent through the docker SDK's low-level ``build``
call, which uses the engine's classic builder. An ``Image.from_dockerfile`` is built from its
own folder; every image its ``FROM`` lines name must already be on the engine (the classic
builder would pull a missing one, and no registry is reachable), else the build fails first,
naming it.
pip inside the build trusts the host's CA bundle (``PIP_CERT``, ``REQUESTS_CA_BUNDLE``,
``SSL_CERT_FILE`` or pip's own ``cert`` setting), so builds work behind the same TLS proxy
the host's pip works behind.
"""

from __future__ import annotations

import configparser
import io
import os
import re
import tarfile
import time
from typing import Any

from ..._version import __version__
from ...errors import ImageBuildError
from ...model._image import IgnorePatterns, Image, PipPackages, ProjectLayer, walk_files

BUILD_LOG_TAIL = 25
LABEL = "flyte_nb.image"
#: connections a client keeps to its engine (the engine's call and kill threads, and a few more)
ENGINE_CONNECTIONS = 48


def build_image(client: Any, image: Image, default_base: str) -> tuple[str, list[str]]:
    """Build ``image`` unless its tag exists; returns the tag and the build log (empty when
    nothing was built). The base image must already be on the engine."""
    import docker

    tag = image.tag(default_base)
    try:
        client.images.get(tag)
        return tag, []
    except docker.errors.ImageNotFound:
        pass
    try:
        image.validate()
    except ImageBuildError:
        raise
    except ValueError as exc:
        raise ImageBuildError(f"image {tag} cannot be built: {exc}") from None
    labels = {LABEL: image.digest(default_base), "flyte_nb.version": __version__}
    if image.dockerfile is not None:
        return tag, _build_dockerfile(client, image, tag, labels)
    installs = any(isinstance(layer, (PipPackages, ProjectLayer)) for layer in image.layers)
    context = image.render(default_base, ca_bundle=host_ca_bundle() if installs else None)
    source = dict(fileobj=_tar(context.text(), context.files, context.ignore), custom_context=True)
    building = f"building image {tag} from {image.base(default_base)}"
    log = _run_build(client, tag, labels, building, f"built image {tag}", context.text(), source)
    return tag, log


def _run_build(
    client: Any,
    tag: str,
    labels: dict[str, str],
    building: str,
    built: str,
    dockerfile: str,
    source: dict[str, Any],
) -> list[str]:
    """Build ``tag`` on the engine from ``source`` (a tar context or a folder), never pulling,
    and give its log, ending with ``flyte_nb: <built> in <s> s``."""
    started = time.perf_counter()
    stream = client.api.build(tag=tag, rm=True, forcerm=True, pull=False, decode=True, labels=labels, **source)
    log = _follow(stream, building, f"Dockerfile:\n{dockerfile}")
    log.append(f"flyte_nb: {built} in {time.perf_counter() - started:.1f} s")
    return log


def _build_dockerfile(client: Any, image: Image, tag: str, labels: dict[str, str]) -> list[str]:
    """Build an ``Image.from_dockerfile`` from its folder, once its ``FROM`` images are known present."""
    import docker

    assert image.dockerfile is not None
    path = str(image.dockerfile)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for base in from_images(text):
        try:
            client.images.get(base)
        except docker.errors.ImageNotFound:
            raise ImageBuildError(
                f"the Dockerfile {path} starts FROM {base}, which is not on this Docker engine, and flyte_nb "
                f"never pulls (no registry is reachable from builds). Put {base} on the engine first (docker "
                "build or docker load), or change the FROM to an image the engine has, such as the docker "
                "backend's base image"
            ) from None
    source = dict(path=os.path.dirname(path), dockerfile=os.path.basename(path))
    building = f"building image {tag} from the Dockerfile {path}"
    return _run_build(client, tag, labels, building, f"built image {tag} from {path}", text, source)


def _follow(stream: Any, what: str, shown: str) -> list[str]:
    """The build's log, or an ``ImageBuildError`` with ``shown`` and the log's tail."""
    log: list[str] = []
    for chunk in stream:
        if "stream" in chunk:
            log.extend(line for line in chunk["stream"].splitlines() if line.strip())
        if "error" in chunk:
            tail = "\n".join(log[-BUILD_LOG_TAIL:])
            if not shown.endswith("\n"):
                shown += "\n"
            raise ImageBuildError(
                f"{what} failed: {chunk['error'].strip()}\n{shown}Last lines of the build log:\n{tail}"
            )
    return log


_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<stage>\S+))?", re.IGNORECASE | re.MULTILINE)
_ARG = re.compile(r"^\s*ARG\s+(?P<name>\w+)(?:=(?P<value>\S*))?", re.IGNORECASE | re.MULTILINE)


def from_images(dockerfile: str) -> list[str]:
    """The images a Dockerfile's ``FROM`` lines name (``ARG`` defaults substituted), less
    ``scratch`` and its own stages."""
    first_from = _FROM.search(dockerfile)
    head = dockerfile[: first_from.start()] if first_from else dockerfile
    args = {m.group("name"): (m.group("value") or "").strip("\"'") for m in _ARG.finditer(head)}
    stages: set[str] = set()
    images: list[str] = []
    for match in _FROM.finditer(dockerfile):
        name = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), match.group("image"))
        if name.lower() != "scratch" and name.lower() not in stages and name not in images:
            images.append(name)
        if match.group("stage"):
            stages.add(match.group("stage").lower())
    return images


def image_python(client: Any, tag: str) -> str:
    """The ``major.minor`` of the Python in image ``tag`` (a throwaway container, no network)."""
    # created, started and removed by hand: ``containers.run(remove=True)`` leaves the container
    # behind when it cannot start (an image without python3), which is the case this checks
    container = client.containers.create(
        tag, ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], network_mode="none"
    )
    try:
        container.start()
        status = container.wait().get("StatusCode", 1)
        out = container.logs(stdout=True, stderr=status != 0)
    finally:
        container.remove(force=True)
    if status != 0:
        from docker.errors import ContainerError

        raise ContainerError(container, status, container.attrs.get("Config", {}).get("Cmd"), tag, out)
    return out.decode().strip()


def engine_client(host: str | None) -> Any:
    """A docker SDK client for ``host`` (``DOCKER_HOST`` or the default socket when None)."""
    import docker

    # connections for every engine thread (executors/docker/_engine.py) at once, none discarded
    pool = ENGINE_CONNECTIONS
    return docker.DockerClient(base_url=host, max_pool_size=pool) if host else docker.from_env(max_pool_size=pool)


def _tar(dockerfile: str, files: dict[str, str], ignore: IgnorePatterns | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(data))
        for inside, host_path in files.items():
            if not os.path.isdir(host_path):
                archive.add(host_path, arcname=inside)
                continue
            archive.add(host_path, arcname=inside, recursive=False)
            folders: set[str] = set()
            for file in walk_files(host_path, ignore):  # the folder, less what .dockerignore leaves out
                relative = os.path.relpath(file, host_path)
                for parent in _parents(relative):
                    if parent not in folders:
                        folders.add(parent)
                        archive.add(os.path.join(host_path, parent), arcname=f"{inside}/{parent}", recursive=False)
                archive.add(file, arcname=f"{inside}/{relative}")
    buffer.seek(0)
    return buffer


def _parents(relative: str) -> list[str]:
    """``a/b/c.txt`` -> ``["a", "a/b"]``."""
    parts = relative.replace(os.sep, "/").split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def host_ca_bundle() -> str | None:
    """The CA bundle the host's pip uses, when one is set (environment, then pip's config)."""
    for name in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        path = os.environ.get(name)
        if path and os.path.isfile(path):
            return path
    files = ["/etc/pip.conf", "/etc/xdg/pip/pip.conf", os.path.expanduser("~/.pip/pip.conf")]
    files.append(os.path.join(os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config")), "pip", "pip.conf"))
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(os.environ["PIP_CONFIG_FILE"])
    found = None
    for file in files:  # later files win, as in pip
        parser = configparser.ConfigParser()
        try:
            parser.read(file)
        except configparser.Error:
            continue
        for section in ("global", "install"):
            path = parser.get(section, "cert", fallback=None)
            if path and os.path.isfile(path):
                found = path
    return found
