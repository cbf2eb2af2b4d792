"""The SDK's image constructors and resources on the docker backend: a Dockerfile of your own,
a uv script, flyte.build, python_version, GPUs and /dev/shm."""

from __future__ import annotations

import os
import sys

import pytest

import flyte_nb as flyte
from flyte_nb.errors import AppleSiliconNotAvailableError, ConfigError, ImageBuildError

from .conftest import IMAGE

OURS = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _value(run):
    out = run.outputs()
    return out[0] if isinstance(out, tuple) and len(out) == 1 and type(out) is not tuple else out


@pytest.fixture(autouse=True)
def no_images_left(docker_client):
    """Each test's images are content-tagged by its temporary files, so every run would add
    new ones: whatever flyte-nb/* image a test built is removed after it."""
    before = {image.id for image in docker_client.images.list(name="flyte-nb/*")}
    yield
    for image in docker_client.images.list(name="flyte-nb/*"):
        if image.id not in before:
            for tag in image.tags:
                _remove(docker_client, tag)


def _remove(client, tag: str) -> None:
    try:
        client.images.remove(tag, force=True)
    except Exception:
        pass


def test_a_dockerfile_with_a_local_from_is_built_and_runs_tasks(docker_run, tmp_path):
    tmp_path = tmp_path / "context"  # beside the run's store, not around it
    tmp_path.mkdir()
    (tmp_path / "Dockerfile").write_text(
        f"ARG BASE={IMAGE}\nFROM ${{BASE}}\nCOPY greeting.txt /opt/greeting.txt\nENV FROM_DOCKERFILE=yes\n"
    )
    (tmp_path / "greeting.txt").write_text("hello from a Dockerfile")
    (tmp_path / "secret.env").write_text("left out")
    (tmp_path / ".dockerignore").write_text("*.env\n")
    image = flyte.Image.from_dockerfile(tmp_path / "Dockerfile", registry="localhost", name="own-dockerfile")
    _remove(docker_run, image.uri)

    built = flyte.build(image)
    assert built == flyte.ImageBuild(uri=image.uri, remote_run=None)
    assert docker_run.images.get(built.uri).labels["flyte_nb.image"] == built.uri.rsplit(":", 1)[1]

    @flyte.TaskEnvironment("own-dockerfile", image=image).task
    def inside() -> str:
        with open("/opt/greeting.txt") as handle:
            return f"{handle.read()} {os.environ['FROM_DOCKERFILE']}"

    assert _value(flyte.run(inside)) == "hello from a Dockerfile yes"
    assert flyte.build(image).uri == built.uri  # built once: the tag is there
    assert flyte.build(image, force=True).uri == built.uri


def test_a_dockerfile_whose_from_is_not_on_the_engine_fails_without_pulling(docker_run, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM flyte-nb-test/not-on-this-engine:0.0\nRUN true\n")
    image = flyte.Image.from_dockerfile(tmp_path / "Dockerfile", registry="localhost", name="missing-from")
    with pytest.raises(ImageBuildError, match=r"starts FROM flyte-nb-test/not-on-this-engine:0.0, which is not on"):
        flyte.build(image)

    @flyte.TaskEnvironment("missing-from", image=image).task
    def never() -> int:
        return 1

    with pytest.raises(ImageBuildError, match="flyte_nb never pulls"):
        flyte.run(never).outputs()


def test_a_uv_script_image_runs_its_tasks(docker_run, tmp_path):
    script = tmp_path / "job.py"
    script.write_text('# /// script\n# requires-python = ">=3.10"\n# dependencies = []\n# ///\n')
    image = flyte.Image.from_uv_script(script, name="uv-script").with_env_vars({"FROM_SCRIPT_IMAGE": "1"})
    _remove(docker_run, image.uri)

    @flyte.TaskEnvironment("uv-script", image=image).task
    def inside() -> str:
        return os.environ["FROM_SCRIPT_IMAGE"]

    assert _value(flyte.run(inside)) == "1"


def test_a_python_version_other_than_the_kernels_is_a_clear_error(docker_run):
    other = (sys.version_info[0], sys.version_info[1] + 1)
    image = flyte.Image.from_debian_base(python_version=other, name="other-python")

    @flyte.TaskEnvironment("other-python", image=image).task
    def never() -> int:
        return 1

    with pytest.raises(ConfigError) as caught:
        flyte.run(never).outputs()
    message = str(caught.value)
    assert f"asks for Python {other[0]}.{other[1]}" in message and f"this kernel runs Python {OURS}" in message
    assert "Run the notebook kernel on Python" in message


def test_a_base_with_another_python_fails_before_building(docker_run, tmp_path):
    tmp_path = tmp_path / "context"
    tmp_path.mkdir()
    # a base whose python3 says 3.9: the check runs before the layers are built
    (tmp_path / "Dockerfile").write_text(
        f"FROM {IMAGE}\nUSER root\nRUN printf '#!/bin/sh\\necho 3.9\\n' > /usr/local/bin/python3 "
        "&& chmod 755 /usr/local/bin/python3\n"
    )
    fake = "flyte-nb-test/python39:1"
    docker_run.images.build(path=str(tmp_path), tag=fake, pull=False, rm=True)
    image = flyte.Image.from_base(fake).with_env_vars({"NEVER": "built"})

    @flyte.TaskEnvironment("py39-base", image=image).task
    def never() -> int:
        return 1

    try:
        with pytest.raises(ConfigError) as caught:
            flyte.run(never).outputs()
        message = str(caught.value)
        assert f"the base image {fake!r}" in message and "has Python 3.9" in message and f"is Python {OURS}" in message
        assert "Use a base image with Python" in message
        with pytest.raises(Exception, match="No such image|not found"):
            docker_run.images.get(image.tag(IMAGE))  # nothing was built on it
    finally:
        _remove(docker_run, fake)


def _has_gpu_runtime(client) -> bool:
    return "nvidia" in (client.info().get("Runtimes") or {})


def test_a_gpu_request_fails_fast_where_the_engine_has_no_gpu(docker_run):
    if _has_gpu_runtime(docker_run):
        pytest.skip("this engine has an NVIDIA runtime")
    env = flyte.TaskEnvironment("wants-gpu", resources=flyte.Resources(gpu="T4:1"))

    @env.task
    def never() -> int:
        return 1

    with pytest.raises(ConfigError) as caught:
        flyte.with_runcontext(name="gpu-request").run(never)  # a script stops on the failed run
    message = str(caught.value)
    assert "requests 1 x GPU T4" in message and "cannot give containers GPUs" in message
    assert "could not select device driver" in message and "NVIDIA Container Toolkit" in message
    assert not docker_run.containers.list(all=True, filters={"label": "flyte_nb.run=gpu-request"})

    tpu = flyte.TaskEnvironment("wants-tpu", resources=flyte.Resources(gpu=flyte.TPU("V5P")))

    @tpu.task
    def never_tpu() -> int:
        return 1

    with pytest.raises(ConfigError, match=r"requests 1 x TPU V5P .* NVIDIA GPUs only"):
        flyte.run(never_tpu).outputs()

    mac = flyte.TaskEnvironment("wants-metal", resources=flyte.Resources(gpu=flyte.APPLE_SILICON()))

    @mac.task
    def never_metal() -> int:
        return 1

    with pytest.raises(AppleSiliconNotAvailableError, match="cannot use a Mac's Metal GPU"):
        flyte.run(never_metal).outputs()


def test_shm_sets_the_containers_dev_shm(docker_client, tmp_path):
    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE, "cleanup": False})
    env = flyte.TaskEnvironment("big-shm", resources=flyte.Resources(shm="256Mi"))

    @env.task
    def shm_size() -> int:
        stats = os.statvfs("/dev/shm")
        return stats.f_blocks * stats.f_frsize

    try:
        assert _value(flyte.with_runcontext(name="shm-size").run(shm_size)) == 256 * 1024**2
        (container,) = docker_client.containers.list(all=True, filters={"label": "flyte_nb.run=shm-size"})
        assert container.attrs["HostConfig"]["ShmSize"] == 256 * 1024**2
    finally:
        for container in docker_client.containers.list(all=True, filters={"label": "flyte_nb.run=shm-size"}):
            container.remove(force=True)


def test_dockerignore_leaves_files_out_of_a_copied_folder(docker_run, tmp_path):
    src = tmp_path / "src"
    (src / "cache").mkdir(parents=True)
    (src / "keep.txt").write_text("kept")
    (src / "drop.tmp").write_text("dropped")
    (src / "cache" / "blob").write_text("dropped")
    ignore = tmp_path / ".dockerignore"
    ignore.write_text("*.tmp\ncache\n")
    image = flyte.Image.from_debian_base(name="ignored").with_dockerignore(ignore).with_source_folder(src, "/opt")
    _remove(docker_run, image.uri)

    @flyte.TaskEnvironment("ignored", image=image).task
    def listing() -> list[str]:
        return sorted(os.listdir("/opt/src"))

    assert _value(flyte.run(listing)) == ["keep.txt"]


def test_an_image_without_python3_is_a_clear_error(docker_run, tmp_path):
    (tmp_path / "Dockerfile").write_text(
        f"FROM {IMAGE}\nUSER root\nRUN rm -f /usr/bin/python3 /usr/bin/python3.* /usr/local/bin/python3\n"
    )
    image = flyte.Image.from_dockerfile(tmp_path / "Dockerfile", registry="localhost", name="no-python")
    try:
        with pytest.raises(ConfigError, match=r"cannot run python3 .* must be Python " + OURS):
            flyte.build(image)
        # the container that tried python3 could not start; it is removed all the same
        assert docker_run.containers.list(all=True, filters={"ancestor": image.uri}) == []
    finally:
        _remove(docker_run, image.uri)
