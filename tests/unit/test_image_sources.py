"""flyte.Image's SDK constructors and methods: uv scripts, Dockerfiles, uv/poetry projects,
.dockerignore, clone, references, validate, code bundles, and flyte.build(dry_run=True)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import flyte_nb as flyte
from flyte_nb.errors import ConfigError, ImageBuildError

BASE = "flyte-nb-base:bookworm"
OURS = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _script(tmp_path: Path, block: str, name: str = "job.py") -> Path:
    path = tmp_path / name
    path.write_text(f"#!/usr/bin/env -S uv run --script\n{block}\nprint('hi')\n")
    return path


def test_a_uv_script_installs_its_pep_723_dependencies(tmp_path):
    script = _script(
        tmp_path, '# /// script\n# requires-python = ">=3.10"\n# dependencies = ["httpx", "six>=1.16"]\n# ///'
    )
    image = flyte.Image.from_uv_script(script, name="uvjob", index_url="https://pypi.example/simple")
    text = image.render(BASE).text()
    assert text.startswith(f"FROM {BASE}\n")
    assert text.splitlines()[-1].endswith("--index-url https://pypi.example/simple httpx 'six>=1.16'")
    assert image.uri.startswith("flyte-nb/uvjob:") and image.python_version == sys.version_info[:2]

    # the script's block is part of the hash; its body is not
    before = image.tag(BASE)
    script.write_text(script.read_text().replace("print('hi')", "print('bye')"))
    assert image.tag(BASE) == before
    script.write_text(script.read_text().replace('"httpx", ', ""))
    assert image.tag(BASE) != before


def test_a_uv_script_without_dependencies_is_the_base_image(tmp_path):
    script = _script(tmp_path, "# /// script\n# dependencies = []\n# ///")
    image = flyte.Image.from_uv_script(script, name="plain")
    assert image.render(BASE).text() == f"FROM {BASE}\n"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("# nothing here", r"has no '# /// script' metadata block \(PEP 723\)"),
        ('# /// script\n# dependencies = ["pkg @ file:///src/pkg"]\n# ///', "depends on local projects"),
        ("# /// script\n# dependencies = [1]\n# ///", "must be a list of strings"),
        ('# /// script\n# dependencies = ["a"\n# ///', "is not valid TOML"),
    ],
)
def test_a_bad_uv_script_says_what_is_wrong_when_built(tmp_path, block, message):
    image = flyte.Image.from_uv_script(_script(tmp_path, block), name="bad")  # defining it checks nothing
    assert image.uri.startswith("flyte-nb/bad:")
    with pytest.raises(ConfigError, match=message):
        image.validate()


def test_a_uv_scripts_requires_python_is_checked_when_the_image_is_built(tmp_path):
    # the SDK's examples say requires-python = ">=3.12" and run locally on any Python
    script = _script(tmp_path, '# /// script\n# requires-python = ">=3.99"\n# dependencies = ["six"]\n# ///')
    image = flyte.Image.from_uv_script(script, name="future")
    with pytest.raises(ConfigError, match=f"requires Python >=3.99, but the image is for Python {OURS}"):
        image.validate()


def test_a_uv_script_must_exist_and_be_python(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        flyte.Image.from_uv_script(tmp_path / "missing.py", name="x").validate()
    other = tmp_path / "job.sh"
    other.write_text("# /// script\n# ///\n")
    with pytest.raises(ConfigError, match="must have a .py extension"):
        flyte.Image.from_uv_script(other, name="x").validate()


def test_a_dockerfile_image_is_tagged_by_its_dockerfile_and_folder(tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nCOPY data.txt /opt/data.txt\n")
    (tmp_path / "data.txt").write_text("one")
    (tmp_path / "scratch.log").write_text("noise")
    (tmp_path / ".dockerignore").write_text("*.log\n")
    image = flyte.Image.from_dockerfile(tmp_path / "Dockerfile", registry="ghcr.io/me", name="mine")
    assert image.dockerfile == tmp_path / "Dockerfile" and image.registry == "ghcr.io/me"
    tag = image.uri
    assert tag.startswith("flyte-nb/mine:")
    (tmp_path / "scratch.log").write_text("more noise")  # left out by .dockerignore
    assert image.uri == tag
    (tmp_path / "data.txt").write_text("two")
    assert image.uri != tag
    with pytest.raises(ConfigError, match="cannot add layers to a Dockerfile-based Image"):
        image.with_pip_packages("six")
    missing = flyte.Image.from_dockerfile(tmp_path / "nope", registry="r", name="n")  # read when built
    with pytest.raises(ConfigError, match="nope does not exist"):
        missing.validate()


def test_from_images_lists_what_a_dockerfile_needs_on_the_engine():
    from flyte_nb.executors.docker._images import from_images

    text = (
        "ARG BASE=python:3.11-slim\nFROM ${BASE} AS build\nRUN true\nFROM build\nFROM scratch\n"
        "FROM --platform=linux/amd64 other:1\n"
    )
    assert from_images(text) == ["python:3.11-slim", "other:1"]


def test_a_uv_project_syncs_its_lock_with_uv(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "My App"\nversion = "0.1"\ndependencies = ["six"]\n')
    (tmp_path / "uv.lock").write_text("version = 1\n")
    image = flyte.Image.from_debian_base(name="uvp").with_uv_project(tmp_path / "pyproject.toml", pre=True)
    lines = image.render(BASE).text().splitlines()
    assert lines[3].endswith("pip install --no-cache-dir --disable-pip-version-check uv")  # into the venv
    assert lines[4:6] == [
        "COPY files/0 /opt/flyte_nb/projects/my-app/pyproject.toml",
        "COPY files/1 /opt/flyte_nb/projects/my-app/uv.lock",
    ]
    assert lines[-1] == (
        "RUN cd /opt/flyte_nb/projects/my-app && uv sync --active --inexact --frozen --no-install-project "
        "--prerelease=allow"
    )
    before = image.tag(BASE)
    (tmp_path / "uv.lock").write_text("version = 1\n# changed\n")
    assert image.tag(BASE) != before

    whole = flyte.Image.from_debian_base().with_uv_project(
        tmp_path / "pyproject.toml", project_install_mode="install_project"
    )
    text = whole.render(BASE).text()
    assert "COPY files/0 /opt/flyte_nb/projects/my-app\n" in text and "--no-editable" in text


def test_a_poetry_project_installs_with_poetry_and_needs_its_lock(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.poetry]\nname = "poet"\n')
    unlocked = flyte.Image.from_debian_base().with_poetry_project(tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError, match=r"poetry.lock does not exist; lock the project \(poetry lock\)"):
        unlocked.validate()
    (tmp_path / "poetry.lock").write_text("# lock\n")
    image = flyte.Image.from_debian_base().with_poetry_project(tmp_path / "pyproject.toml", extra_args="--only main")
    last = image.render(BASE).text().splitlines()[-1]
    assert last == (
        "RUN cd /opt/flyte_nb/projects/poet && POETRY_VIRTUALENVS_CREATE=false poetry install --no-interaction "
        "--no-root --only main"
    )
    with pytest.raises(ConfigError, match="project_install_mode must be"):
        flyte.Image.from_debian_base().with_poetry_project(tmp_path / "pyproject.toml", project_install_mode="all")


def test_dockerignore_leaves_files_out_of_copied_folders_and_the_hash(tmp_path):
    from flyte_nb.model._image import walk_files

    src = tmp_path / "src"
    (src / "pkg" / "__pycache__").mkdir(parents=True)
    (src / "pkg" / "mod.py").write_text("x = 1")
    (src / "pkg" / "__pycache__" / "mod.pyc").write_text("junk")
    (src / "notes.md").write_text("keep")
    (src / "big.bin").write_text("data")
    ignore = tmp_path / ".dockerignore"
    ignore.write_text("# comment\n**/__pycache__\n*.bin\n*.md\n!notes.md\n")
    image = flyte.Image.from_debian_base().with_dockerignore(ignore).with_source_folder(src, "/app")
    kept = sorted(str(Path(f).relative_to(src)) for f in walk_files(str(src), image.ignore_patterns()))
    assert kept == ["notes.md", "pkg/mod.py"]
    before = image.tag(BASE)
    (src / "big.bin").write_text("other data")
    assert image.tag(BASE) == before
    (src / "pkg" / "mod.py").write_text("x = 2")
    assert image.tag(BASE) != before

    missing = flyte.Image.from_debian_base().with_dockerignore(tmp_path / "none")  # checked at build time
    with pytest.raises(ImageBuildError, match="with_dockerignore"):
        missing.validate()


def test_clone_references_code_bundles_and_validate(tmp_path):
    image = flyte.Image.from_debian_base(name="a").with_pip_packages("six")
    copy = image.clone(name="b", registry="r.io", python_version=(3, 99), platform="linux/arm64")
    assert (copy.name, copy.registry, copy.python_version, copy.platform) == ("b", "r.io", (3, 99), ("linux/arm64",))
    assert copy.layers == image.layers and image.name == "a"
    assert copy.clone(base_image="other:1").base(BASE) == "other:1"

    assert flyte.Image.from_ref_name("my-cuda:1").base(BASE) == "my-cuda:1"
    assert flyte.Image.from_ref_name().base(BASE) == BASE  # "default": the backend's base image

    assert image.with_code_bundle() == image  # functions travel with their actions
    with pytest.raises(ConfigError, match="copy_style"):
        image.with_code_bundle(copy_style="some")

    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    needs = flyte.Image.from_debian_base().with_requirements(requirements)
    needs.validate()
    requirements.unlink()
    with pytest.raises(ConfigError, match="requirements.txt does not exist"):
        needs.validate()


def test_build_dry_run_names_the_tag_without_an_engine():
    flyte.init()
    image = flyte.Image.from_debian_base(name="dry").with_pip_packages("six")
    result = flyte.build(image, dry_run=True)
    assert result == flyte.ImageBuild(uri=image.uri, remote_run=None)
    assert result.uri.startswith("flyte-nb/dry:") and result.build_run is None
    with pytest.raises(ConfigError, match="flyte.build takes a flyte.Image"):
        flyte.build("python:3.11")
