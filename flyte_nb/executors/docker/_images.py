"""Building ``flyte.Image`` specs on the local engine: classic builder, no registry, no pull.

The build context is made in memory (a Dockerfile and the files the spec copies) and sent
through the docker SDK's low-level ``build`` call, which uses the engine's classic builder.
pip inside the build trusts the host's CA bundle (``PIP_CERT``, ``REQUESTS_CA_BUNDLE``,
``SSL_CERT_FILE`` or pip's own ``cert`` setting), so builds work behind the same TLS proxy
the host's pip works behind.
"""

from __future__ import annotations

import configparser
import io
import os
import tarfile
import time
from typing import Any

from ..._version import __version__
from ...errors import ImageBuildError
from ...model._image import Image, PipPackages

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
    pip = any(isinstance(layer, PipPackages) for layer in image.layers)
    context = image.dockerfile(default_base, ca_bundle=host_ca_bundle() if pip else None)
    started = time.perf_counter()
    log: list[str] = []
    stream = client.api.build(
        fileobj=_tar(context.text(), context.files),
        custom_context=True,
        tag=tag,
        rm=True,
        forcerm=True,
        pull=False,
        decode=True,
        labels={LABEL: image.digest(default_base), "flyte_nb.version": __version__},
    )
    for chunk in stream:
        if "stream" in chunk:
            log.extend(line for line in chunk["stream"].splitlines() if line.strip())
        if "error" in chunk:
            tail = "\n".join(log[-BUILD_LOG_TAIL:])
            raise ImageBuildError(
                f"building image {tag} from {image.base(default_base)} failed: {chunk['error'].strip()}\n"
                f"Dockerfile:\n{context.text()}Last lines of the build log:\n{tail}"
            )
    log.append(f"flyte_nb: built image {tag} in {time.perf_counter() - started:.1f} s")
    return tag, log


def image_python(client: Any, tag: str) -> str:
    """The ``major.minor`` of the Python in image ``tag`` (a throwaway container, no network)."""
    out = client.containers.run(
        tag, ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], remove=True, network_mode="none"
    )
    return out.decode().strip()


def engine_client(host: str | None) -> Any:
    """A docker SDK client for ``host`` (``DOCKER_HOST`` or the default socket when None)."""
    import docker

    # connections for every engine thread (executors/docker/_engine.py) at once, none discarded
    pool = ENGINE_CONNECTIONS
    return docker.DockerClient(base_url=host, max_pool_size=pool) if host else docker.from_env(max_pool_size=pool)


def _tar(dockerfile: str, files: dict[str, str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(data))
        for inside, host_path in files.items():
            archive.add(host_path, arcname=inside, recursive=True)
    buffer.seek(0)
    return buffer


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
