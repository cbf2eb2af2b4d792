"""flyte.Image specs: the SDK's fluent form, the Dockerfile they render, the tag they get."""

from __future__ import annotations

import pytest

import flyte_nb as flyte
from flyte_nb.errors import ConfigError

BASE = "flyte-nb-base:bookworm"


def test_the_sdk_fluent_form_renders_one_dockerfile_line_per_step():
    image = (
        flyte.Image.from_debian_base(name="train")
        .with_apt_packages("curl", "git")
        .with_pip_packages("pandas>=2", "pyarrow", pre=True)
        .with_env_vars({"MODEL_DIR": "/models", "QUOTED": 'say "hi" $HOME'})
        .with_commands(["mkdir -p /models"])
        .with_workdir("/work")
    )
    text = image.render(BASE).text().splitlines()
    assert text[0] == f"FROM {BASE}"
    assert "apt-get install -y -q --no-install-recommends curl git" in text[1]
    assert text[2] == "RUN python3 -m venv --system-site-packages /opt/flyte_nb/venv"
    assert text[3].startswith("ENV VIRTUAL_ENV=/opt/flyte_nb/venv PATH=/opt/flyte_nb/venv/bin:$PATH")
    assert text[4].endswith("--pre 'pandas>=2' pyarrow")
    assert text[5] == 'ENV MODEL_DIR="/models" QUOTED="say \\"hi\\" \\$HOME"'
    assert text[6:] == ["RUN mkdir -p /models", "WORKDIR /work"]
    assert image.tag(BASE).startswith("flyte-nb/train:")


def test_the_tag_is_a_hash_of_the_spec():
    one = flyte.Image.from_debian_base().with_pip_packages("six")
    assert one.tag(BASE) == flyte.Image.from_debian_base().with_pip_packages("six").tag(BASE)
    assert one.tag(BASE) != one.with_env_vars({"A": "1"}).tag(BASE)
    assert one.tag(BASE) != one.tag("other-base:1")
    assert one.tag(BASE) != flyte.Image.from_debian_base().with_pip_packages("six==1.16").tag(BASE)
    # without layers there is nothing to build: the base itself
    assert flyte.Image.from_base("python:3.11-slim").tag(BASE) == "python:3.11-slim"
    assert flyte.Image.from_debian_base().tag(BASE) == BASE


def test_copied_files_are_part_of_the_hash(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    image = flyte.Image.from_debian_base().with_requirements(requirements)
    before = image.tag(BASE)
    requirements.write_text("six==1.16.0\n")
    assert flyte.Image.from_debian_base().with_requirements(requirements).tag(BASE) != before
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.py").write_text("A = 1\n")
    copied = flyte.Image.from_debian_base().with_source_folder(folder, "/app")
    first = copied.tag(BASE)
    (folder / "a.py").write_text("A = 2\n")
    assert flyte.Image.from_debian_base().with_source_folder(folder, "/app").tag(BASE) != first
    assert copied.render(BASE).text().splitlines()[-1] == "COPY files/0 /app/src"


def test_the_host_ca_bundle_is_used_by_pip_only_when_given():
    image = flyte.Image.from_debian_base().with_pip_packages("six")
    assert "PIP_CERT" not in image.render(BASE).text()
    context = image.render(BASE, ca_bundle="/etc/ssl/certs/ca-certificates.crt")
    assert "RUN PIP_CERT=/opt/flyte_nb/build-ca.pem python3 -m pip install" in context.text()
    assert list(context.files.values()) == ["/etc/ssl/certs/ca-certificates.crt"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: flyte.Image.from_base(""), "needs an image tag"),
        (lambda: flyte.Image.from_debian_base().with_pip_packages(), "at least one package"),
        (lambda: flyte.Image.from_debian_base().with_apt_packages("curl", 3), "non-empty strings"),
        (lambda: flyte.Image.from_debian_base().with_env_vars({"1X": "a"}), "not an environment variable name"),
        (lambda: flyte.Image.from_debian_base().with_requirements("/no/such/file.txt"), "does not exist"),
        (lambda: flyte.TaskEnvironment("e", image=3), "image must be an image tag"),
    ],
)
def test_bad_specs_are_clear_errors(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_environments_take_tags_specs_and_auto():
    spec = flyte.Image.from_debian_base().with_pip_packages("six")
    assert flyte.TaskEnvironment("a", image=spec).image is spec
    assert flyte.TaskEnvironment("b", image="auto").image == "auto"
    assert flyte.TaskEnvironment("c", image="python:3.11-slim").image == "python:3.11-slim"
