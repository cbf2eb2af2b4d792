"""The docker backend on an s3:// store: containers reach it over the network, not a mount."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from docker_support import IMAGE, containers_of
from moto_s3 import BUCKET, s3_options

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.errors import ConfigError
from flyte_nb.io import File

env = flyte.TaskEnvironment("s3docker", max_inline_io_bytes=1024 * 1024)  # 3 MiB values go through s3


@env.task
async def shout(text: str) -> File:
    import os

    path = f"/tmp/{text}.txt"
    with open(path, "w") as handle:
        handle.write(text.upper() + " " + os.environ["FLYTE_NB_STORAGE"].split("://")[0])
    return File.new_remote(path)  # uploaded from the container to s3


@env.task
async def big(n: int) -> bytes:
    return b"x" * n


@env.task
async def driver(words: list[str]) -> list[str]:
    files = await asyncio.gather(*[shout(w) for w in words])
    blob = await big(3 * 1024 * 1024)  # over the inline limit below: offloaded to s3 and back
    texts = []
    for f in files:
        with open(f.download()) as handle:
            texts.append(handle.read())
    return [*texts, str(len(blob))]


@pytest.fixture
def s3_docker(docker_client, moto_endpoint):
    url = f"s3://{BUCKET}/docker-{uuid.uuid4().hex[:8]}"
    options = s3_options(moto_endpoint)
    # host networking: the moto server listens on the host's 127.0.0.1
    flyte.init("docker", storage=url, storage_options=options, docker={"base_image": IMAGE, "network": "host"})
    return Store(url, **options)


def test_actions_in_containers_use_an_s3_store(s3_docker, docker_client):
    run = flyte.run(driver, ["hello", "s3"])
    assert run.outputs()[0] == ["HELLO s3", "S3 s3", str(3 * 1024 * 1024)]
    assert len(run.controller.actions) == 4
    keys = list(s3_docker.keys(f"runs/{run.name}"))
    assert any(key.endswith("/job.result") for key in keys)  # outcomes written by containers
    assert any("/callbacks/" in key for key in keys)  # the offloaded output, through the kernel
    assert list(s3_docker.keys("blobs"))  # the Files the containers uploaded
    assert containers_of(docker_client, run.name) == []


def test_a_remote_store_needs_a_network(docker_client, moto_endpoint):
    url = f"s3://{BUCKET}/docker-none"
    options = s3_options(moto_endpoint)
    flyte.init("docker", storage=url, storage_options=options, docker={"base_image": IMAGE, "network": "none"})
    with pytest.raises(ConfigError, match="network: none"):
        flyte.run(driver, ["x"]).outputs()
