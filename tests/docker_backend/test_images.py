"""Image specs built by the docker backend: once per spec, tagged by hash, never pulled."""

from __future__ import annotations

import os
import subprocess

import pytest

import flyte_nb as flyte
from flyte_nb.executors.docker._images import ImageBuildError

from .conftest import IMAGE

image = (
    flyte.Image.from_debian_base(name="flyte-nb-test")
    .with_pip_packages("six")
    .with_env_vars({"GREETING": "hello from the image"})
    .with_commands(["echo built-by-a-command > /opt/marker.txt"])
)
env = flyte.TaskEnvironment("imagetest", image=image)


@env.task
def inside() -> tuple[str, str, str, str]:
    import sys

    import six

    with open("/opt/marker.txt") as handle:
        marker = handle.read().strip()
    return six.__version__, os.environ["GREETING"], marker, sys.prefix


def _remove_images(client, *tags: str) -> None:
    for tag in tags:
        try:
            client.images.remove(tag, force=True)
        except Exception:
            pass


def test_a_spec_is_built_once_and_its_packages_env_and_commands_are_there(docker_run):
    tag = image.tag(IMAGE)
    _remove_images(docker_run, tag)
    run = flyte.with_runcontext(name="image-build-1").run(inside)
    version, greeting, marker, prefix = run.outputs()
    assert version and greeting == "hello from the image" and marker == "built-by-a-command"
    assert prefix == "/opt/flyte_nb/venv"
    built = docker_run.images.get(tag)
    assert built.labels["flyte_nb.image"] == tag.rsplit(":", 1)[1]
    assert "flyte_nb: built image" in "".join(run.controller.actions[0].logs or ())

    # a fresh executor (another run) finds the tag and builds nothing
    again = flyte.with_runcontext(name="image-build-2").run(inside)
    assert again.outputs() == (version, greeting, marker, prefix)
    assert "built image" not in "".join(again.controller.actions[0].logs or ())
    assert docker_run.images.get(tag).id == built.id


def test_apt_on_a_base_without_apt_says_so(docker_run):
    spec = flyte.Image.from_debian_base(name="no-apt").with_apt_packages("jq")

    @flyte.TaskEnvironment("noapt", image=spec).task
    def never() -> int:
        return 1

    with pytest.raises(ImageBuildError, match="has no apt-get"):
        flyte.run(never).outputs()
    assert not docker_run.containers.list(all=True, filters={"ancestor": IMAGE, "status": "exited"})


def test_a_failing_build_shows_the_step_and_the_log(docker_run):
    spec = flyte.Image.from_debian_base(name="broken").with_commands(["echo about-to-fail && exit 3"])

    @flyte.TaskEnvironment("broken", image=spec).task
    def never() -> int:
        return 1

    with pytest.raises(ImageBuildError) as caught:
        flyte.run(never).outputs()
    message = str(caught.value)
    assert "returned a non-zero code: 3" in message and "about-to-fail" in message
    assert "RUN echo about-to-fail && exit 3" in message  # the Dockerfile is shown


def test_apt_packages_are_installed_from_a_base_with_apt(docker_run, apt_base):
    spec = flyte.Image.from_base(apt_base).with_apt_packages("jq")
    _remove_images(docker_run, spec.tag(IMAGE))

    @flyte.TaskEnvironment("withapt", image=spec).task
    def jq_version() -> str:
        return subprocess.run(["jq", "--version"], capture_output=True, text=True, check=True).stdout.strip()

    assert flyte.run(jq_version).outputs()[0].startswith("jq-")
