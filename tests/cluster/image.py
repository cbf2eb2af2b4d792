"""The cluster harness's image: the base image plus dask.distributed, s3fs and this checkout of
flyte_nb, built without any package index.

The base image's Python (Debian bookworm's 3.11) has no pip and no index is reachable, so the
packages come from this machine: the installed files of ``distributed``, ``s3fs`` and
flyte_nb's runtime dependencies (each with what it requires, as installed here) are copied
into the build context, with flyte_nb's own package folder from this checkout. Compiled
extensions carry over because both Pythons are CPython 3.11 on the same Debian release. The
tag is a digest of those distributions' versions and flyte_nb's sources, so an unchanged
checkout reuses the image it built before.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

import flyte_nb

BASE_IMAGE = "flyte-nb-base:bookworm"
REPOSITORY = "flyte-nb-cluster"
#: what a worker, the scheduler and a task body import (flyte_nb's runtime needs, the S3 store)
ROOTS = ("distributed", "s3fs", "cloudpickle", "fsspec", "nest-asyncio", "pyyaml", "platformdirs")
SITE = "/usr/local/lib/python3.11/dist-packages"
DOCKERFILE = f"""FROM {BASE_IMAGE}
COPY site/ {SITE}/
ENV PYTHONDONTWRITEBYTECODE=1 AWS_EC2_METADATA_DISABLED=true
"""


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions(roots: tuple[str, ...] = ROOTS) -> dict[str, metadata.Distribution]:
    """The installed distributions ``roots`` need, by canonical name (their requirements
    without extras, for this Python)."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(roots)
    while todo:
        name = _canonical(todo.pop())
        if name in found or name == "flyte-nb":
            continue
        dist = metadata.distribution(name)
        found[name] = dist
        for line in dist.requires or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return found


def _files_of(dist: metadata.Distribution) -> list[tuple[Path, str]]:
    """(installed file, path relative to site-packages) of a distribution, scripts left out."""
    files = []
    for entry in dist.files or ():
        if str(entry).startswith("..") or entry.suffix == ".pyc":
            continue
        files.append((Path(str(dist.locate_file(entry))), str(entry)))
    return files


def _checkout_files() -> list[tuple[Path, str]]:
    root = Path(flyte_nb.__file__).parent
    return [
        (path, str(path.relative_to(root.parent)))
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


def image_tag(dists: dict[str, metadata.Distribution]) -> str:
    """``flyte-nb-cluster:<digest>`` of the distributions' versions and the checkout's sources."""
    digest = hashlib.sha256(DOCKERFILE.encode())
    digest.update(sys.version.split()[0].rsplit(".", 1)[0].encode())
    for name in sorted(dists):
        digest.update(f"{name}=={dists[name].version}\n".encode())
    for path, relative in _checkout_files():
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    return f"{REPOSITORY}:{digest.hexdigest()[:16]}"


def ensure_image(client: Any) -> tuple[str, float]:
    """The harness image's tag (built now if missing) and the seconds the build took (0 when reused)."""
    dists = distributions()
    tag = image_tag(dists)
    try:
        client.images.get(tag)
        return tag, 0.0
    except Exception:
        pass
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fnb-image-") as context:
        site = Path(context) / "site"
        for dist in dists.values():
            for source, relative in _files_of(dist):
                if source.is_file():
                    target = site / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
        for source, relative in _checkout_files():
            target = site / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        (Path(context) / "Dockerfile").write_text(DOCKERFILE)
        client.images.build(path=context, tag=tag, rm=True, forcerm=True, network_mode="none")
    _remove_other_tags(client, keep=tag)
    return tag, time.monotonic() - start


def _remove_other_tags(client: Any, keep: str) -> None:
    """Images of older checkouts go when a new one is built, once a day old (another test run
    may be using a recent one; one a container uses stays)."""
    from datetime import datetime, timedelta, timezone

    day_ago = datetime.now(timezone.utc) - timedelta(days=1)
    for image in client.images.list(name=REPOSITORY):
        created = datetime.fromisoformat(image.attrs["Created"][:19]).replace(tzinfo=timezone.utc)
        if keep not in image.tags and created < day_ago:
            try:
                client.images.remove(image.id, force=False)
            except Exception:
                pass


if __name__ == "__main__":  # python tests/cluster/image.py: build (or find) the image, say its size
    import docker

    engine = docker.from_env()
    built, took = ensure_image(engine)
    size = engine.images.get(built).attrs["Size"] / 1e6
    print(f"{built}: {size:.0f} MB, built in {took:.1f} s" if took else f"{built}: {size:.0f} MB, reused")
    os._exit(0)
