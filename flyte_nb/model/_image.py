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
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from ..errors import ConfigError

#: where the first pip layer makes the virtual environment later layers install into
VENV = "/opt/flyte_nb/venv"
#: the host's CA bundle, copied into the build so pip trusts what the host trusts
BUILD_CA = "/opt/flyte_nb/build-ca.pem"
TAG_REPOSITORY = "flyte-nb"
DEFAULT_BASE_IMAGE = os.environ.get("FLYTE_NB_BASE_IMAGE", "flyte-nb-base:bookworm")


def _no_configured_base_image() -> str | None:
    return None


#: the docker ``base_image`` of the config in force, or None; the session (which holds the
#: config, a floor above) replaces it when it loads
configured_base_image: Callable[[], str | None] = _no_configured_base_image


@dataclass(frozen=True)
class Layer:
    """One step of an image spec: Dockerfile lines plus the files they copy."""

    def lines(self, context: BuildContext) -> list[str]:
        raise NotImplementedError

    def identity(self) -> str:
        """What the image's hash covers for this layer (file contents included)."""
        return repr(self)


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

    def identity(self) -> str:
        return repr(self) + _file_digest(self.file)

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

    def identity(self) -> str:
        return repr(self) + _file_digest(self.src)

    def lines(self, context: BuildContext) -> list[str]:
        inside = context.add_file(self.src)
        if os.path.isdir(self.src) and not self.contents_only:
            dst = self.dst.rstrip("/") + "/" + os.path.basename(os.path.normpath(self.src))
        else:
            dst = self.dst
        return [f"COPY {inside} {dst}"]


@dataclass(frozen=True)
class Image:
    """A container image: a base tag and layers (pip, apt, commands, env, files).

    Make one with :meth:`from_debian_base` (the docker backend's base image, from the
    config) or :meth:`from_base` (any local tag), then add layers with the ``with_*``
    methods; each returns a new ``Image``.
    """

    base_image: str | None = None
    name: str | None = None
    python_version: tuple[int, int] = field(default_factory=lambda: (sys.version_info[0], sys.version_info[1]))
    layers: tuple[Layer, ...] = ()

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
        container, so ``flyte_version`` / ``install_flyte`` change nothing."""
        # tuple(): a (major, minor) list, as YAML gives, becomes the pair the parameter promises
        version = (
            cast("tuple[int, int]", tuple(python_version))
            if python_version
            else (sys.version_info[0], sys.version_info[1])
        )
        return cls(base_image=None, name=name, python_version=version)

    @classmethod
    def from_base(cls, image_uri: str) -> Image:
        """An image already on the local engine, by tag (never pulled unless the config says so)."""
        if not isinstance(image_uri, str) or not image_uri.strip():
            raise ConfigError(f"Image.from_base needs an image tag such as 'python:3.11-slim', got {image_uri!r}")
        return cls(base_image=image_uri)

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
        """Copy a local folder into the image (its files' contents are part of the hash)."""
        path = _existing(src, "with_source_folder")
        if not os.path.isdir(path):
            raise ConfigError(f"with_source_folder: {path} is not a folder (use with_source_file for a file)")
        return self._with(SourceCopy(path, dst, copy_contents_only))

    def _with(self, layer: Layer) -> Image:
        return replace(self, layers=(*self.layers, layer))

    # ------------------------------------------------------------------ identity
    def base(self, default_base: str) -> str:
        """The base tag, ``default_base`` for :meth:`from_debian_base` images."""
        return self.base_image or default_base

    def digest(self, default_base: str) -> str:
        """A hash of everything the image is made of."""
        text = "\n".join([self.base(default_base), *(layer.identity() for layer in self.layers)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def tag(self, default_base: str) -> str:
        """The local tag this spec is built under (the base itself when there are no layers)."""
        if not self.layers:
            return self.base(default_base)
        name = _tag_name(self.name or "image")
        return f"{TAG_REPOSITORY}/{name}:{self.digest(default_base)}"

    @property
    def uri(self) -> str:
        """The tag, with the base image the config in force names."""
        return self.tag(configured_base_image() or DEFAULT_BASE_IMAGE)

    def dockerfile(self, default_base: str, ca_bundle: str | None = None) -> BuildContext:
        """The Dockerfile and files to build this image from."""
        context = BuildContext(ca_bundle=ca_bundle)
        context.lines.append(f"FROM {self.base(default_base)}")
        for layer in self.layers:
            context.lines.extend(layer.lines(context))
        return context


@dataclass
class BuildContext:
    """A Dockerfile being written, and the host files it copies (path in context -> host path)."""

    ca_bundle: str | None = None
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


def _walk(path: str) -> Iterator[str]:
    if os.path.isfile(path):
        yield path
        return
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            yield os.path.join(folder, name)


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    for file in _walk(path):
        digest.update(os.path.relpath(file, path).encode())
        with open(file, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()
