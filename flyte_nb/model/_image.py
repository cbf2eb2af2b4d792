"""Image: a container image spec, built once by the docker backend and tagged by its hash.

The Flyte 2 SDK's fluent form works unchanged::

    image = (
        flyte.Image.from_debian_base()
        .with_apt_packages("curl")
        .with_pip_packages("pandas>=2", "pyarrow")
        .with_env_vars({"MODEL_DIR": "/models"})
    )
    env = flyte.TaskEnvironment("train", image=image)

An image is a base tag plus layers. Nothing is built until an action of the environment runs
on the docker backend: flyte_nb then renders a Dockerfile, builds it with the engine's
classic builder (no BuildKit, no registry) and tags it ``flyte-nb/<name>:<hash of the spec>``,
so the same spec is built once per engine and a changed spec gets a new tag. Registries,
platforms and secrets of the SDK are accepted and ignored: images here stay on the local
engine. Code never goes into an image: the action's function travels with the action.

Besides the ``with_*`` layers: :meth:`Image.from_dockerfile` builds a Dockerfile of your own
(its ``FROM`` images must be on the engine), :meth:`Image.from_uv_script` installs a script's
PEP 723 ``dependencies``, :meth:`Image.with_uv_project` / :meth:`Image.with_poetry_project`
install a project's locked dependencies with uv / poetry, :meth:`Image.with_dockerignore` leaves
files out of what is copied, and :meth:`Image.from_ref_name` names an image on the engine.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from ..errors import ConfigError
from . import _base_image
from ._base_image import DEFAULT_BASE_IMAGE
from ._image_sources import (
    IgnorePatterns,
    check_requires_python,
    pyproject_name,
    read_ignore_file,
    script_metadata,
)

#: where the first pip layer makes the virtual environment later layers install into
VENV = "/opt/flyte_nb/venv"
#: the host's CA bundle, copied into the build so pip trusts what the host trusts
BUILD_CA = "/opt/flyte_nb/build-ca.pem"
#: where with_uv_project / with_poetry_project put a project's files in the image
PROJECTS = "/opt/flyte_nb/projects"
#: the SDK's name for the default image reference
DEFAULT_REF_NAME = "default"
ProjectInstallMode = Literal["dependencies_only", "install_project"]
TAG_REPOSITORY = "flyte-nb"


@dataclass(frozen=True)
class Layer:
    """One step of an image spec: Dockerfile lines plus the files they copy."""

    def lines(self, context: BuildContext) -> list[str]:
        raise NotImplementedError

    def identity(self, ignore: IgnorePatterns) -> str:
        """What the image's hash covers for this layer (file contents included, less the files
        ``ignore`` leaves out)."""
        return repr(self)

    def validate(self) -> None:
        """Raise ``ConfigError`` when a file this layer needs is missing."""


@dataclass(frozen=True)
class PipPackages(Layer):
    packages: tuple[str, ...]
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    pre: bool = False
    extra_args: str | None = None

    def pip_options(self) -> list[str]:
        options = ["--no-cache-dir", "--disable-pip-version-check"]
        if self.index_url:
            options += ["--index-url", self.index_url]
        for url in self.extra_index_urls:
            options += ["--extra-index-url", url]
        if self.pre:
            options.append("--pre")
        if self.extra_args:
            options += shlex.split(self.extra_args)
        return options

    def lines(self, context: BuildContext) -> list[str]:
        return [context.pip_install(self.pip_options() + list(self.packages))]


@dataclass(frozen=True)
class Requirements(PipPackages):
    file: str = ""

    def identity(self, ignore: IgnorePatterns) -> str:
        return repr(self) + _file_digest(self.file)

    def validate(self) -> None:
        _must_exist(self.file, "with_requirements")

    def lines(self, context: BuildContext) -> list[str]:
        inside = context.add_file(self.file)
        return [
            f"COPY {inside} /tmp/flyte_nb-requirements.txt",
            context.pip_install([*self.pip_options(), "-r", "/tmp/flyte_nb-requirements.txt"]),
        ]


@dataclass(frozen=True)
class AptPackages(Layer):
    packages: tuple[str, ...]

    def lines(self, context: BuildContext) -> list[str]:
        names = " ".join(shlex.quote(p) for p in self.packages)
        missing = shlex.quote(
            "flyte_nb: the base image has no apt-get, so with_apt_packages cannot install into it; "
            "use a base image with apt"
        )
        install = f"DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends {names}"
        return [
            f"RUN command -v apt-get >/dev/null || {{ echo {missing} >&2; exit 1; }}; "
            f"apt-get update -q && {install} && rm -rf /var/lib/apt/lists/*"
        ]


@dataclass(frozen=True)
class Commands(Layer):
    commands: tuple[str, ...]

    def lines(self, context: BuildContext) -> list[str]:
        return [f"RUN {command}" for command in self.commands]


@dataclass(frozen=True)
class EnvVars(Layer):
    items: tuple[tuple[str, str], ...]

    def lines(self, context: BuildContext) -> list[str]:
        return ["ENV " + " ".join(f"{name}={_quote_env(value)}" for name, value in self.items)]


@dataclass(frozen=True)
class WorkDir(Layer):
    path: str

    def lines(self, context: BuildContext) -> list[str]:
        return [f"WORKDIR {self.path}"]


@dataclass(frozen=True)
class SourceCopy(Layer):
    src: str
    dst: str = "."
    contents_only: bool = False

    def identity(self, ignore: IgnorePatterns) -> str:
        return repr(self) + _file_digest(self.src, ignore)

    def validate(self) -> None:
        _must_exist(self.src, "with_source_file/with_source_folder")

    def lines(self, context: BuildContext) -> list[str]:
        inside = context.add_file(self.src)
        if os.path.isdir(self.src) and not self.contents_only:
            dst = self.dst.rstrip("/") + "/" + os.path.basename(os.path.normpath(self.src))
        else:
            dst = self.dst
        return [f"COPY {inside} {dst}"]


@dataclass(frozen=True)
class UVScript(PipPackages):
    """The PEP 723 ``dependencies`` of a script, installed with pip (read again at each build,
    so the hash follows the script's block)."""

    script: str = ""
    #: the image's Python, which the script's requires-python must allow
    python: tuple[int, int] = (sys.version_info[0], sys.version_info[1])

    def identity(self, ignore: IgnorePatterns) -> str:
        try:
            return repr(self) + repr(script_metadata(self.script))
        except ConfigError as exc:  # not buildable: the build says why
            return repr(self) + str(exc)

    def validate(self) -> None:
        metadata = script_metadata(self.script)
        check_requires_python(metadata.requires_python, self.python, f"the script {self.script}")

    def lines(self, context: BuildContext) -> list[str]:
        dependencies = script_metadata(self.script).dependencies
        if not dependencies:
            return []
        return [context.pip_install(self.pip_options() + list(dependencies))]


@dataclass(frozen=True)
class DockerIgnore(Layer):
    """A ``.dockerignore`` whose patterns leave files out of the folders later layers copy."""

    path: str

    def identity(self, ignore: IgnorePatterns) -> str:
        return repr(self) + (_file_digest(self.path) if os.path.isfile(self.path) else "")

    def validate(self) -> None:
        read_ignore_file(self.path)

    def lines(self, context: BuildContext) -> list[str]:
        return []


@dataclass(frozen=True)
class ProjectLayer(Layer):
    """A uv or poetry project: its lock (and pyproject.toml) or, to install the project too,
    its whole folder, copied to ``PROJECTS/<name>`` and installed by the project's own tool
    into the image's virtual environment."""

    pyproject: str
    lock: str | None
    mode: ProjectInstallMode
    extra_args: str | None = None

    tool = ""

    def identity(self, ignore: IgnorePatterns) -> str:
        if self.mode == "install_project":
            return repr(self) + _file_digest(os.path.dirname(self.pyproject), ignore)
        return repr(self) + _file_digest(self.pyproject) + (_file_digest(self.lock) if self.lock else "")

    def validate(self) -> None:
        _must_exist(self.pyproject, f"with_{self.tool}_project")
        if self.lock is not None and not os.path.isfile(self.lock):
            raise ConfigError(
                f"with_{self.tool}_project: {self.lock} does not exist; lock the project ({self.tool} lock) "
                "or pass the lock file's path"
            )

    def copy_project(self, context: BuildContext) -> tuple[str, list[str]]:
        """Where the project goes in the image, and the lines that copy it there."""
        folder = f"{PROJECTS}/{_tag_name(pyproject_name(self.pyproject))}"
        if self.mode == "install_project":
            return folder, [f"COPY {context.add_file(os.path.dirname(self.pyproject))} {folder}"]
        lines = [f"COPY {context.add_file(self.pyproject)} {folder}/pyproject.toml"]
        if self.lock is not None:
            lines.append(f"COPY {context.add_file(self.lock)} {folder}/{os.path.basename(self.lock)}")
        return folder, lines


@dataclass(frozen=True)
class UVProject(ProjectLayer):
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    pre: bool = False

    tool = "uv"

    def lines(self, context: BuildContext) -> list[str]:
        install_uv = context.pip_install(["--no-cache-dir", "--disable-pip-version-check", "uv"])
        folder, lines = self.copy_project(context)
        options = ["--active", "--inexact"]
        if self.lock is not None:
            options.append("--frozen")
        if self.mode == "dependencies_only":
            options.append("--no-install-project")
        else:
            options.append("--no-editable")
        if self.index_url:
            options += ["--index-url", self.index_url]
        for url in self.extra_index_urls:
            options += ["--extra-index-url", url]
        if self.pre:
            options.append("--prerelease=allow")
        if self.extra_args:
            options += shlex.split(self.extra_args)
        cert = f"SSL_CERT_FILE={BUILD_CA} " if context.ca_bundle else ""
        sync = f"RUN cd {folder} && {cert}uv sync " + " ".join(shlex.quote(o) for o in options)
        return [install_uv, *lines, sync]


@dataclass(frozen=True)
class PoetryProject(ProjectLayer):
    tool = "poetry"

    def lines(self, context: BuildContext) -> list[str]:
        install_poetry = context.pip_install(["--no-cache-dir", "--disable-pip-version-check", "poetry"])
        folder, lines = self.copy_project(context)
        options = ["--no-interaction"]
        if self.mode == "dependencies_only":
            options.append("--no-root")
        if self.extra_args:
            options += shlex.split(self.extra_args)
        cert = f"REQUESTS_CA_BUNDLE={BUILD_CA} " if context.ca_bundle else ""
        install = f"RUN cd {folder} && {cert}POETRY_VIRTUALENVS_CREATE=false poetry install " + " ".join(
            shlex.quote(o) for o in options
        )
        return [install_poetry, *lines, install]


@dataclass(frozen=True)
class Image:
    """A container image: a base tag and layers (pip, apt, commands, env, files, projects), or
    a Dockerfile of your own.

    Make one with :meth:`from_debian_base` (the docker backend's base image, from the
    config), :meth:`from_base` (any local tag), :meth:`from_uv_script`,
    :meth:`from_dockerfile` or :meth:`from_ref_name`, then add layers with the ``with_*``
    methods; each returns a new ``Image``. ``registry``, ``platform`` and ``extendable`` are
    the SDK's and kept as given: a local image is never pushed, is built for this engine's
    platform, and takes layers unless it is made from a Dockerfile.
    """

    base_image: str | None = None
    name: str | None = None
    python_version: tuple[int, int] = field(default_factory=lambda: (sys.version_info[0], sys.version_info[1]))
    layers: tuple[Layer, ...] = ()
    dockerfile: Path | None = None
    registry: str | None = None
    platform: tuple[str, ...] = ("linux/amd64",)
    extendable: bool = True
    #: the name :meth:`from_ref_name` was given
    ref_name: str | None = None

    # ------------------------------------------------------------------ bases
    @classmethod
    def from_debian_base(
        cls,
        python_version: tuple[int, int] | None = None,
        flyte_version: str | None = None,
        install_flyte: bool = True,
        registry: str | None = None,
        registry_secret: Any = None,
        name: str | None = None,
        platform: Any = None,
    ) -> Image:
        """The docker backend's base image (``docker: {base_image: ...}`` in the config,
        ``flyte-nb-base:bookworm`` by default). flyte_nb's runtime is mounted into every
        container, so ``flyte_version`` / ``install_flyte`` change nothing. A
        ``python_version`` other than the kernel's is refused when an action runs on docker
        (the task's function is pickled in the kernel)."""
        return cls(
            base_image=None, name=name, python_version=_version_pair(python_version), registry=registry
        )._with_platform(platform)

    @classmethod
    def from_base(cls, image_uri: str) -> Image:
        """An image already on the local engine, by tag (never pulled unless the config says so)."""
        if not isinstance(image_uri, str) or not image_uri.strip():
            raise ConfigError(f"Image.from_base needs an image tag such as 'python:3.11-slim', got {image_uri!r}")
        return cls(base_image=image_uri)

    @classmethod
    def from_ref_name(cls, name: str = DEFAULT_REF_NAME) -> Image:
        """An image by reference name. Locally the name is the tag of an image on the engine
        (``"my-cuda-image:1"``); the SDK's ``"default"`` is the docker backend's base image."""
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"Image.from_ref_name needs a name, got {name!r}")
        return cls(name=name, ref_name=name)

    @classmethod
    def from_dockerfile(
        cls,
        file: str | Path,
        registry: str | None = None,
        name: str | None = None,
        platform: Any = None,
    ) -> Image:
        """An image built from your Dockerfile, with its folder as the build context (its
        ``.dockerignore`` applies). Every image its ``FROM`` lines name must be on the engine:
        nothing is pulled. No layers can be added: put every step in the Dockerfile."""
        path = _absolute(file)  # read when built (or validated), as in the SDK
        image = cls(dockerfile=Path(path), registry=registry, name=name or "dockerfile", extendable=False)
        return image._with_platform(platform)

    @classmethod
    def from_uv_script(
        cls,
        script: str | Path,
        *,
        name: str,
        registry: str | None = None,
        registry_secret: Any = None,
        python_version: tuple[int, int] | None = None,
        index_url: str | None = None,
        extra_index_urls: str | Iterable[str] | None = None,
        pre: bool = False,
        extra_args: str | None = None,
        platform: Any = None,
        secret_mounts: Any = None,
    ) -> Image:
        """The base image plus the ``dependencies`` of the script's PEP 723 block
        (``# /// script``), installed with pip. The script is read when the image is built
        (or validated), as in the SDK: defining the image, e.g. to run locally, checks nothing
        of it. Then its ``requires-python`` must allow the image's Python, and ``file://``
        dependencies are refused (use :meth:`with_uv_project`)."""
        path = _absolute(script)
        version = _version_pair(python_version)
        base = cls.from_debian_base(python_version=version, registry=registry, name=name, platform=platform)
        layer = UVScript((), index_url, _listed(extra_index_urls), pre, extra_args, script=path, python=version)
        return base._with(layer)

    # ------------------------------------------------------------------ copies
    def clone(
        self,
        registry: str | None = None,
        registry_secret: Any = None,
        name: str | None = None,
        base_image: str | None = None,
        python_version: tuple[int, int] | None = None,
        addl_layer: Layer | None = None,
        extendable: bool | None = None,
        platform: Any = None,
    ) -> Image:
        """A copy with another name, registry, base, Python version or platform, and
        ``addl_layer`` added last."""
        changes: dict[str, Any] = {}
        if registry is not None:
            changes["registry"] = registry
        if name is not None:
            changes["name"] = name
        if base_image is not None:
            if self.dockerfile is not None:
                raise ConfigError("clone(base_image=...) cannot apply to a Dockerfile-based Image; edit its FROM")
            changes["base_image"] = base_image
        if python_version is not None:
            changes["python_version"] = _version_pair(python_version)
        if extendable is not None:
            changes["extendable"] = bool(extendable)
        image = replace(self, **changes)._with_platform(platform)
        return image._with(addl_layer) if addl_layer is not None else image

    # ------------------------------------------------------------------ layers
    def with_pip_packages(
        self,
        *packages: str,
        index_url: str | None = None,
        extra_index_urls: str | Iterable[str] | None = None,
        pre: bool = False,
        extra_args: str | None = None,
        secret_mounts: Any = None,
    ) -> Image:
        """Install Python packages (into a virtual environment that sees the base's packages)."""
        if not packages:
            raise ConfigError("with_pip_packages needs at least one package, e.g. .with_pip_packages('pandas')")
        _check_strings(packages, "with_pip_packages")
        return self._with(PipPackages(tuple(packages), index_url, _listed(extra_index_urls), pre, extra_args))

    def with_requirements(
        self,
        file: str | Path,
        index_url: str | None = None,
        extra_index_urls: str | Iterable[str] | None = None,
        pre: bool = False,
        extra_args: str | None = None,
        secret_mounts: Any = None,
    ) -> Image:
        """Install the packages a requirements file lists (its contents are part of the hash)."""
        path = _existing(file, "with_requirements")
        return self._with(Requirements((), index_url, _listed(extra_index_urls), pre, extra_args, file=path))

    def with_uv_project(
        self,
        pyproject_file: str | Path,
        uvlock: str | Path | None = None,
        index_url: str | None = None,
        extra_index_urls: str | Iterable[str] | None = None,
        pre: bool = False,
        extra_args: str | None = None,
        secret_mounts: Any = None,
        project_install_mode: ProjectInstallMode = "dependencies_only",
    ) -> Image:
        """Install a uv project's dependencies (``uv sync``, ``--frozen`` to its ``uv.lock``
        when there is one) into the image's virtual environment; with
        ``project_install_mode="install_project"`` the whole project folder is copied (less
        what :meth:`with_dockerignore` leaves out) and installed too."""
        pyproject = _absolute(pyproject_file)  # read when built (or validated), as in the SDK
        lock = _lock_file(pyproject, uvlock, "uv.lock", required=False)
        mode = _install_mode(project_install_mode, "with_uv_project")
        return self._with(UVProject(pyproject, lock, mode, extra_args, index_url, _listed(extra_index_urls), bool(pre)))

    def with_poetry_project(
        self,
        pyproject_file: str | Path,
        poetry_lock: str | Path | None = None,
        extra_args: str | None = None,
        secret_mounts: Any = None,
        project_install_mode: ProjectInstallMode = "dependencies_only",
    ) -> Image:
        """Install a Poetry project's locked dependencies (``poetry install --no-root``, its
        ``poetry.lock`` beside ``pyproject.toml`` unless given) into the image's virtual
        environment; ``project_install_mode="install_project"`` installs the project too."""
        pyproject = _absolute(pyproject_file)  # read when built (or validated), as in the SDK
        lock = _lock_file(pyproject, poetry_lock, "poetry.lock", required=True)
        mode = _install_mode(project_install_mode, "with_poetry_project")
        return self._with(PoetryProject(pyproject, lock, mode, extra_args))

    def with_apt_packages(self, *packages: str, secret_mounts: Any = None) -> Image:
        """Install Debian packages with apt-get (the base image must have apt)."""
        if not packages:
            raise ConfigError("with_apt_packages needs at least one package, e.g. .with_apt_packages('curl')")
        _check_strings(packages, "with_apt_packages")
        return self._with(AptPackages(tuple(packages)))

    def with_commands(self, commands: str | Iterable[str], secret_mounts: Any = None) -> Image:
        """Run shell commands while building (one ``RUN`` each)."""
        listed = (commands,) if isinstance(commands, str) else tuple(commands)
        _check_strings(listed, "with_commands")
        return self._with(Commands(listed))

    def with_env_vars(self, env_vars: dict[str, str]) -> Image:
        """Set environment variables in the image."""
        if not isinstance(env_vars, dict) or not all(isinstance(v, str) for v in env_vars.values()):
            raise ConfigError(f"with_env_vars needs a dict of str to str, got {env_vars!r}")
        for key in env_vars:
            if not isinstance(key, str) or not key.replace("_", "a").isalnum() or key[0].isdigit():
                raise ConfigError(f"with_env_vars: {key!r} is not an environment variable name")
        return self._with(EnvVars(tuple(sorted(env_vars.items()))))

    def with_workdir(self, workdir: str) -> Image:
        """The working directory of the image's containers."""
        return self._with(WorkDir(str(workdir)))

    def with_source_file(self, src: str | Path | list[str | Path], dst: str = ".") -> Image:
        """Copy local files into the image (their contents are part of the hash)."""
        image = self
        for one in src if isinstance(src, list) else [src]:
            image = image._with(SourceCopy(_existing(one, "with_source_file"), dst))
        return image

    def with_source_folder(self, src: str | Path, dst: str = ".", copy_contents_only: bool = False) -> Image:
        """Copy a local folder into the image, less what :meth:`with_dockerignore` leaves out
        (its files' contents are part of the hash)."""
        path = _existing(src, "with_source_folder")
        if not os.path.isdir(path):
            raise ConfigError(f"with_source_folder: {path} is not a folder (use with_source_file for a file)")
        return self._with(SourceCopy(path, dst, copy_contents_only))

    def with_dockerignore(self, path: str | Path) -> Image:
        """Leave the files a ``.dockerignore`` matches out of the folders this image copies
        (``with_source_folder``, ``with_uv_project(..., project_install_mode="install_project")``).
        The file must exist when the image is built."""
        return self._with(DockerIgnore(_absolute(path)))

    def with_code_bundle(
        self, copy_style: Literal["loaded_modules", "all"] = "loaded_modules", dst: str = "."
    ) -> Image:
        """Accepted, and nothing to do locally: an action's function travels with the action
        (by value), so no code is copied into images."""
        if copy_style not in ("loaded_modules", "all"):
            raise ConfigError(f"with_code_bundle: copy_style must be 'loaded_modules' or 'all', got {copy_style!r}")
        return self

    def _with(self, layer: Layer) -> Image:
        if self.dockerfile is not None:
            raise ConfigError(
                "flyte_nb cannot add layers to a Dockerfile-based Image (Image.from_dockerfile); "
                "put the step in the Dockerfile itself"
            )
        return replace(self, layers=(*self.layers, layer))

    def _with_platform(self, platform: Any) -> Image:
        if platform is None:
            return self
        return replace(self, platform=(platform,) if isinstance(platform, str) else tuple(platform))

    def validate(self) -> None:
        """Check that every file the image needs is there (``ConfigError`` naming the first
        missing one); a build checks the same."""
        if self.dockerfile is not None and not os.path.isfile(self.dockerfile):
            raise ConfigError(f"Image.from_dockerfile: {self.dockerfile} does not exist or is not a file")
        for layer in self.layers:
            layer.validate()

    # ------------------------------------------------------------------ identity
    def base(self, default_base: str) -> str:
        """The base tag: ``default_base`` for :meth:`from_debian_base` images (and the
        ``"default"`` reference), a reference's own name otherwise."""
        if self.base_image:
            return self.base_image
        if self.ref_name and self.ref_name != DEFAULT_REF_NAME:
            return self.ref_name
        return default_base

    def ignore_patterns(self) -> IgnorePatterns:
        """The patterns of the last :meth:`with_dockerignore` (none without one, or while its
        file is missing: building checks it is there)."""
        ignores = [layer for layer in self.layers if isinstance(layer, DockerIgnore)]
        if not ignores or not os.path.isfile(ignores[-1].path):
            return IgnorePatterns()
        return read_ignore_file(ignores[-1].path)

    def digest(self, default_base: str) -> str:
        """A hash of everything the image is made of."""
        if self.dockerfile is not None:
            folder = os.path.dirname(str(self.dockerfile))
            if not os.path.isfile(self.dockerfile):  # not buildable: the build says why
                return hashlib.sha256(str(self.dockerfile).encode()).hexdigest()[:16]
            ignore = _context_ignore(folder)
            text = "\n".join(["dockerfile", _file_digest(str(self.dockerfile)), _file_digest(folder, ignore)])
            return hashlib.sha256(text.encode()).hexdigest()[:16]
        ignore = self.ignore_patterns()
        text = "\n".join([self.base(default_base), *(layer.identity(ignore) for layer in self.layers)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def tag(self, default_base: str) -> str:
        """The local tag this spec is built under (the base itself when there is nothing to build)."""
        if not self.layers and self.dockerfile is None:
            return self.base(default_base)
        name = _tag_name(self.name or "image")
        return f"{TAG_REPOSITORY}/{name}:{self.digest(default_base)}"

    @property
    def uri(self) -> str:
        """The tag, with the base image the config in force names."""
        return self.tag(_base_image.configured_base_image() or DEFAULT_BASE_IMAGE)

    def render(self, default_base: str, ca_bundle: str | None = None) -> BuildContext:
        """The Dockerfile and files to build this image from (layers on a base; a
        Dockerfile-based image is built from its own folder instead)."""
        if self.dockerfile is not None:
            raise ConfigError("a Dockerfile-based Image is built from its own Dockerfile and folder")
        context = BuildContext(ca_bundle=ca_bundle, ignore=self.ignore_patterns())
        context.lines.append(f"FROM {self.base(default_base)}")
        for layer in self.layers:
            context.lines.extend(layer.lines(context))
        return context


@dataclass
class ImageBuild:
    """What ``flyte.build`` returns: the built image's tag. ``remote_run`` and ``build_run``
    (a cluster's build run) are always None: builds happen on the local engine."""

    uri: str | None
    remote_run: Any = None
    build_run: Any = None


@dataclass
class BuildContext:
    """A Dockerfile being written, and the host files it copies (path in context -> host path)."""

    ca_bundle: str | None = None
    #: what folders copied into the build leave out (with_dockerignore)
    ignore: IgnorePatterns = field(default_factory=IgnorePatterns)
    lines: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    _venv: bool = False

    def add_file(self, host_path: str) -> str:
        inside = f"files/{len(self.files)}"
        self.files[inside] = host_path
        return inside

    def pip_install(self, arguments: list[str]) -> str:
        """A ``RUN`` installing with pip into the image's virtual environment; the first one
        also adds the lines that make that environment."""
        if not self._venv:
            self._venv = True
            if self.ca_bundle:
                self.lines.append(f"COPY {self.add_file(self.ca_bundle)} {BUILD_CA}")
            self.lines.append(f"RUN python3 -m venv --system-site-packages {VENV}")
            self.lines.append(f"ENV VIRTUAL_ENV={VENV} PATH={VENV}/bin:$PATH")
        cert = f"PIP_CERT={BUILD_CA} " if self.ca_bundle else ""
        return f"RUN {cert}python3 -m pip install " + " ".join(shlex.quote(a) for a in arguments)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _listed(urls: str | Iterable[str] | None) -> tuple[str, ...]:
    return (urls,) if isinstance(urls, str) else tuple(urls or ())


def _version_pair(version: Any) -> tuple[int, int]:
    """A ``(major, minor)`` pair (a YAML list or a ``"3.11"`` string too), the kernel's by default."""
    if version is None:
        return (sys.version_info[0], sys.version_info[1])
    if isinstance(version, str):
        version = tuple(version.split("."))
    try:
        major, minor = (int(part) for part in tuple(version)[:2])
    except (TypeError, ValueError):
        raise ConfigError(f"python_version must be (major, minor) such as (3, 11), got {version!r}") from None
    return (major, minor)


def _install_mode(mode: str, where: str) -> ProjectInstallMode:
    if mode not in ("dependencies_only", "install_project"):
        raise ConfigError(
            f"{where}: project_install_mode must be 'dependencies_only' or 'install_project', got {mode!r}"
        )
    return cast("ProjectInstallMode", mode)


def _lock_file(pyproject: str, given: str | Path | None, default: str, *, required: bool) -> str | None:
    """The lock given, else the one beside ``pyproject`` (when there is one, or ``required``)."""
    if given is not None:
        return _absolute(given)
    beside = os.path.join(os.path.dirname(pyproject), default)
    return beside if required or os.path.isfile(beside) else None


def _absolute(path: str | Path) -> str:
    return os.path.abspath(os.path.expanduser(str(path)))


def _must_exist(path: str, where: str) -> None:
    if not os.path.exists(path):
        raise ConfigError(f"{where}: {path} does not exist")


def _context_ignore(folder: str) -> IgnorePatterns:
    path = os.path.join(folder, ".dockerignore")
    return read_ignore_file(path) if os.path.isfile(path) else IgnorePatterns()


def _existing(path: str | Path, where: str) -> str:
    resolved = os.path.abspath(os.path.expanduser(str(path)))
    if not os.path.exists(resolved):
        raise ConfigError(f"{where}: {resolved} does not exist")
    return resolved


def _check_strings(values: Iterable[Any], where: str) -> None:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} takes non-empty strings, got {value!r}")


def _quote_env(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _tag_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in name.lower()).strip("._-")
    return cleaned or "image"


def walk_files(path: str, ignore: IgnorePatterns | None = None) -> Iterator[str]:
    """The files under ``path`` (or ``path`` itself), less those ``ignore`` leaves out."""
    if os.path.isfile(path):
        yield path
        return
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        if ignore:
            dirs[:] = [d for d in dirs if not ignore.ignores(os.path.relpath(os.path.join(folder, d), path))]
        for name in sorted(files):
            file = os.path.join(folder, name)
            if not ignore or not ignore.ignores(os.path.relpath(file, path)):
                yield file


def _file_digest(path: str, ignore: IgnorePatterns | None = None) -> str:
    digest = hashlib.sha256()
    for file in walk_files(path, ignore):
        digest.update(os.path.relpath(file, path).encode())
        with open(file, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()
