"""``flyte.build``: build an image spec on the local Docker engine, now.

The docker settings of the config in force apply (``host``, ``base_image``, ``pull``),
whichever backend runs tasks. The image is checked as an action's would be (its base on the
engine, its Python the kernel's) and built once per spec; ``force=True`` builds it again.
``wait=False`` is accepted: a local build always finishes before ``build`` returns.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import ConfigError
from ..executors import create_executor
from ..model._image import DEFAULT_BASE_IMAGE, Image, ImageBuild
from ._config import current_config


def build(image: Image, dry_run: bool = False, force: bool = False, wait: bool = True) -> ImageBuild:
    """Build ``image`` on the local engine and return ``ImageBuild(uri=<its tag>)``;
    ``dry_run=True`` only says the tag it would have."""
    if not isinstance(image, Image):
        raise ConfigError(f"flyte.build takes a flyte.Image, got {image!r}")
    settings = current_config().settings("docker")
    if dry_run:
        return ImageBuild(uri=image.tag(settings.get("base_image") or DEFAULT_BASE_IMAGE), remote_run=None)
    executor: Any = create_executor("docker", settings)
    tag, log = executor.build(image, force=bool(force))
    if log:
        print(log[-1])  # "flyte_nb: built image <tag> in <s> s"
    return ImageBuild(uri=tag, remote_run=None)


async def _build_aio(image: Image, dry_run: bool = False, force: bool = False, wait: bool = True) -> ImageBuild:
    return await asyncio.to_thread(build, image, dry_run, force, wait)


# the async twin as an attribute of the function (flyte.build.aio, as Flyte 2 spells it)
build.aio = _build_aio  # type: ignore[attr-defined]
