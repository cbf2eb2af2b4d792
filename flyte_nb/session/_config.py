"""Configuration: ``flyte.init(...)``, ``flyte.init_from_config(path)`` and the config file.

A config file is YAML::

    backend: local            # local | docker | dask
    storage: file://.flyte_nb # where runs keep data (fsspec URL)
    storage_shared: false     # true: store files readable by the group (a team store)
    store_key: null           # HMAC key of the store's entries (default: one made per user)
    max_kept_io_bytes: 67108864  # a past run's entry inputs/outputs kept up to this size (64 MiB)
    limits:
      max_actions: 50000      # per run (Flyte 2's limit)
      max_action_concurrency: 0
    local:
      max_threads: 64         # threads for sync task bodies
    docker: {...}             # settings of the docker backend
    dask: {...}               # settings of the dask backend
    mybackend: {...}          # settings a registered backend declares (register_backend)
    secrets:
      files: [~/team/secrets.toml]  # secrets files read after the user's own secrets.toml

Flyte's own remote sections (``admin``, ``image``, ``task``) are accepted and ignored,
so a Flyte config file works unchanged; any other key is an error naming it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._checks import is_int_at_least
from .._paths import user_config_dir
from ..errors import ConfigError
from ..model import _base_image
from ..model._limits import DEFAULT_MAX_ACTIONS
from ._config_schema import BACKEND_SCHEMAS, check_section, registered_sections, split_registered_sections
from ._identity import remember_identity
from ._remote_settings import remote_file_settings, remote_init_settings, warn_remote_settings_ignored

if TYPE_CHECKING:
    from ..data._store import Store
    from ..model._storage_config import Storage as StorageConfig

#: Environment variable naming a config file; checked first.
CONFIG_ENV_VAR = "FLYTE_NB_CONFIG"

#: The keys of each backend section (what each accepts: flyte_nb.session._config_schema).
BACKEND_SETTINGS: dict[str, frozenset[str]] = {name: frozenset(keys) for name, keys in BACKEND_SCHEMAS.items()}
LIMIT_KEYS = frozenset({"max_actions", "max_action_concurrency", "max_io_bytes"})
TOP_LEVEL_KEYS = frozenset(
    {"backend", "storage", "storage_options", "storage_shared", "store_key", "max_kept_io_bytes", "limits", "secrets"}
) | frozenset(BACKEND_SETTINGS)
#: Sections of a Flyte 2 config file that configure a remote cluster; irrelevant here.
#: Default of ``max_kept_io_bytes``: 64 MiB.
DEFAULT_MAX_KEPT_IO_BYTES = 64 << 20

FLYTE_REMOTE_SECTIONS = frozenset({"admin", "image", "task", "console", "logger"})


@dataclass(frozen=True)
class Config:
    """The settings in force: backend, storage URL, run limits, per-backend settings."""

    backend: str = "local"
    storage: str | None = None
    #: passed to fsspec for the storage URL (e.g. s3: endpoint_url via client_kwargs, key, secret)
    storage_options: dict[str, Any] = field(default_factory=dict)
    #: the store is shared with others (a team store): its files are not made private to the user
    storage_shared: bool = False
    #: the key sealing store entries the kernel unpickles (None: a key made once per user)
    store_key: str | None = field(default=None, repr=False)  # a secret: kept out of reprs and logs
    #: a run's entry inputs and outputs are kept for flyte.remote up to this many bytes each (pickled)
    max_kept_io_bytes: int = DEFAULT_MAX_KEPT_IO_BYTES
    max_actions: int = DEFAULT_MAX_ACTIONS
    max_action_concurrency: int = 0
    max_io_bytes: int | None = None
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str | None = None
    #: secrets files (TOML) read after the user's own ``secrets.toml`` (``secrets: {files: [...]}``)
    secrets_files: tuple[str, ...] = ()

    def settings(self, backend: str | None = None) -> dict[str, Any]:
        """The settings section of ``backend`` (default: the current one)."""
        return dict(self.backends.get(backend or self.backend, {}))


_current: Config | None = None
_announced = False


def current_config() -> Config:
    """The config set by ``init``/``init_from_config``; the local backend if neither ran."""
    global _current
    if _current is None:
        _current = Config()
    return _current


def configured_store(config: Config | None = None) -> Store:
    """The store ``config`` (default: the config in force) names, sealing with its
    ``store_key`` when it has one; the environment's (``$FLYTE_NB_STORAGE`` and its options)
    when the config names no storage."""
    from ..data._seal import Sealer
    from ..data._store import Store, default_storage_options

    config = config or current_config()
    sealer = Sealer(config.store_key.encode()) if config.store_key else None
    if config.storage is None and not config.storage_options:
        return Store(None, shared=config.storage_shared, sealer=sealer, **default_storage_options())
    return Store(config.storage, shared=config.storage_shared, sealer=sealer, **config.storage_options)


def _is_cluster_storage(value: object) -> bool:
    """Whether ``value`` is a ``flyte.storage.Storage`` (S3, GCS, ABFS): a Flyte cluster's
    blob-store settings. Its module loads only when one is given."""
    if value is None or isinstance(value, str):
        return False
    from ..model._storage_config import Storage

    return isinstance(value, Storage)


def _configured_base_image() -> str | None:
    return current_config().settings("docker").get("base_image")


# Image.uri names the docker base image of the config in force; the config lives here, above
# the model, so the model asks through this hook (a config can only be set through this module).
_base_image.configured_base_image = _configured_base_image


def init(
    backend: str | None = None,
    *,
    storage: str | StorageConfig | None = None,
    storage_options: dict[str, Any] | None = None,
    storage_shared: bool | None = None,
    store_key: str | None = None,
    max_kept_io_bytes: int | None = None,
    max_actions: int | None = None,
    max_action_concurrency: int | None = None,
    max_io_bytes: int | None = None,
    local: dict[str, Any] | None = None,
    docker: dict[str, Any] | None = None,
    dask: dict[str, Any] | None = None,
    **flyte_options: Any,
) -> Config:
    """Set the backend and settings that later runs use, and return them.

    ``flyte.init()`` alone selects the embedded local backend. Options of the Flyte 2
    SDK's ``init`` that concern a remote cluster (``endpoint``, ``project``, ``org``, ...)
    are accepted and ignored, so code written for it runs unchanged; one
    :class:`~flyte_nb.errors.RemoteSettingsIgnoredWarning` names those given. Runs are always
    kept in flyte_nb's store, so ``local_persistence=True`` is accepted and changes nothing.
    A registered backend's settings go by its name: ``flyte.init("mybackend", mybackend={...})``.
    """
    sections, flyte_options = split_registered_sections(flyte_options)
    _check_flyte_options(flyte_options, "flyte.init")
    ignored = remote_init_settings(flyte_options)
    if _is_cluster_storage(storage):  # a Flyte cluster's blob-store settings, not flyte_nb's store
        ignored, storage = sorted([*ignored, f"storage={type(storage).__name__}(...)"]), None
    warn_remote_settings_ignored(ignored, "flyte.init()", stacklevel=2)
    remember_identity(flyte_options)
    base = Config()
    data: dict[str, Any] = {"backend": backend or base.backend}
    if storage is not None:
        data["storage"] = storage
    if storage_options is not None:
        data["storage_options"] = storage_options
    if storage_shared is not None:
        data["storage_shared"] = storage_shared
    if store_key is not None:
        data["store_key"] = store_key
    if max_kept_io_bytes is not None:
        data["max_kept_io_bytes"] = max_kept_io_bytes
    limits = {
        k: v
        for k, v in (
            ("max_actions", max_actions),
            ("max_action_concurrency", max_action_concurrency),
            ("max_io_bytes", max_io_bytes),
        )
        if v is not None
    }
    if limits:
        data["limits"] = limits
    for name, section in (("local", local), ("docker", docker), ("dask", dask), *sections.items()):
        if section is not None:
            data[name] = section
    return _install(config_from_mapping(data, "flyte.init()"))


def init_from_config(path_or_config: str | os.PathLike[str] | None = None, **flyte_options: Any) -> Config:
    """Read a YAML config file and make it current.

    With no path, looks for ``$FLYTE_NB_CONFIG``, ``./config.yaml``, ``./.flyte/config.yaml``
    and the user config folder, in that order; finding none, it uses the local backend and
    says so once. An explicit path that does not exist is an error.
    """
    cluster_storage = flyte_options.pop("storage", None)
    _check_flyte_options(flyte_options, "flyte.init_from_config")
    ignored = remote_init_settings(flyte_options)
    if cluster_storage is not None:
        if not _is_cluster_storage(cluster_storage):
            raise TypeError(
                f"flyte.init_from_config(storage=...) takes a flyte.storage.S3, GCS or ABFS, got {cluster_storage!r}; "
                "set flyte_nb's own store in the config file (storage: s3://bucket/prefix)"
            )
        ignored = sorted([*ignored, f"storage={type(cluster_storage).__name__}(...)"])
    warn_remote_settings_ignored(ignored, "flyte.init_from_config()", stacklevel=2)
    remember_identity(flyte_options)
    if path_or_config is not None:
        path = Path(path_or_config).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"config file {str(path)!r} does not exist (resolved to {path.resolve()}); "
                "create it, pass the right path, or call flyte.init_from_config() with no path to use defaults"
            )
        return _install(load_config_file(path))
    for candidate in config_search_path():
        if candidate.is_file():
            return _install(load_config_file(candidate))
    _announce_default()
    return _install(Config())


def config_search_path() -> list[Path]:
    """Where ``init_from_config()`` looks for a config file, in order."""
    paths: list[Path] = []
    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        paths.append(Path(env).expanduser())
    paths.append(Path.cwd() / "config.yaml")
    paths.append(Path.cwd() / ".flyte" / "config.yaml")
    paths.append(user_config_dir() / "config.yaml")
    return paths


def load_config_file(path: Path) -> Config:
    """Parse and validate one config file."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {str(path)!r}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {str(path)!r} is not UTF-8 text (byte {exc.object[exc.start : exc.start + 1]!r} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a mapping of settings, got {type(data).__name__}")
    warn_remote_settings_ignored(remote_file_settings(data), f"config file {str(path)!r}", stacklevel=3)
    return config_from_mapping(data, str(path))


def config_from_mapping(data: dict[str, Any], source: str) -> Config:
    """Validate a mapping shaped like the config file into a :class:`Config`."""
    from ..executors import available_backends, is_backend

    schemas = registered_sections(set(data) - TOP_LEVEL_KEYS - FLYTE_REMOTE_SECTIONS, source)
    unknown = set(data) - TOP_LEVEL_KEYS - FLYTE_REMOTE_SECTIONS - set(schemas)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in {source}; "
            f"allowed keys are {', '.join(sorted(TOP_LEVEL_KEYS))}"
        )
    backend = data.get("backend", "local")
    if not is_backend(backend):
        raise ConfigError(
            f"unknown backend {backend!r} in {source}; available backends: {', '.join(available_backends())}"
        )
    storage = data.get("storage")
    if storage is not None and (not isinstance(storage, str) or not storage.strip()):
        raise ConfigError(f"storage in {source} must be a URL string such as 'file://.flyte_nb', got {storage!r}")
    storage_options = data.get("storage_options") or {}
    if not isinstance(storage_options, dict):
        raise ConfigError(f"storage_options in {source} must be a mapping, got {storage_options!r}")
    storage_shared = data.get("storage_shared", False)
    if not isinstance(storage_shared, bool):
        raise ConfigError(
            f"storage_shared in {source} must be a bool (true or false, unquoted), got {storage_shared!r}; "
            "write e.g. storage_shared: true"
        )
    store_key = data.get("store_key")
    if store_key is not None and (not isinstance(store_key, str) or not store_key.strip()):
        raise ConfigError(
            f"store_key in {source} must be a non-empty str (a secret shared by the store's users), got "
            f"{type(store_key).__name__}; make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    max_kept_io_bytes = data.get("max_kept_io_bytes", DEFAULT_MAX_KEPT_IO_BYTES)
    if not is_int_at_least(max_kept_io_bytes, 0):
        raise ConfigError(
            f"max_kept_io_bytes in {source} must be an int >= 0 (bytes; 0 keeps none), got {max_kept_io_bytes!r}; "
            "write e.g. max_kept_io_bytes: 268435456 for 256 MiB"
        )
    limits = _section(data, "limits", LIMIT_KEYS, source)
    secrets_files = _secrets_files(_section(data, "secrets", frozenset({"files"}), source), source)
    for key, value in limits.items():
        low = 1 if key == "max_actions" else 0
        if not is_int_at_least(value, low):
            raise ConfigError(f"limits.{key} in {source} must be an int >= {low}, got {value!r}")
    schemas = {**BACKEND_SCHEMAS, **schemas}
    backends = {
        name: check_section(name, _section(data, name, frozenset(schema), source), source, schema)
        for name, schema in schemas.items()
        if name in data
    }
    return replace(
        Config(),
        backend=backend,
        storage=storage,
        storage_options=dict(storage_options),
        storage_shared=storage_shared,
        store_key=store_key,
        max_kept_io_bytes=max_kept_io_bytes,
        max_actions=limits.get("max_actions", DEFAULT_MAX_ACTIONS),
        max_action_concurrency=limits.get("max_action_concurrency", 0),
        max_io_bytes=limits.get("max_io_bytes"),
        backends=backends,
        source=source,
        secrets_files=secrets_files,
    )


def _secrets_files(section: dict[str, Any], source: str) -> tuple[str, ...]:
    files = section.get("files") or []
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        raise ConfigError(
            f"secrets.files in {source} must be a list of file paths, got {files!r}; "
            "write e.g. secrets: {files: [~/team/secrets.toml]}"
        )
    return tuple(files)


def switch_backend(backend: str) -> Config:
    """Make ``backend`` current, keeping every other setting in force (``%flyte backend NAME``)."""
    config = current_config()
    return _install(replace(config_from_mapping({"backend": backend}, "the backend switch"), **_kept(config)))


def _kept(config: Config) -> dict[str, Any]:
    return {
        "storage": config.storage,
        "storage_options": dict(config.storage_options),
        "storage_shared": config.storage_shared,
        "store_key": config.store_key,
        "max_kept_io_bytes": config.max_kept_io_bytes,
        "max_actions": config.max_actions,
        "max_action_concurrency": config.max_action_concurrency,
        "max_io_bytes": config.max_io_bytes,
        "backends": {name: dict(section) for name, section in config.backends.items()},
        "source": config.source,
        "secrets_files": config.secrets_files,
    }


def _section(data: dict[str, Any], name: str, allowed: frozenset[str], source: str) -> dict[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{name} in {source} must be a mapping, got {section!r}")
    unknown = set(section) - allowed
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))} under {name} in {source}; "
            f"allowed keys are {', '.join(sorted(allowed))}"
        )
    return dict(section)


#: Options of the Flyte 2 SDK's init functions that only matter for a remote cluster.
_FLYTE_REMOTE_OPTIONS = frozenset(
    {
        "org",
        "project",
        "domain",
        "root_dir",
        "log_level",
        "log_format",
        "reset_root_logger",
        "user_log_level",
        "endpoint",
        "headless",
        "insecure",
        "insecure_skip_verify",
        "ca_cert_file_path",
        "auth_type",
        "command",
        "proxy_command",
        "api_key",
        "client_id",
        "client_credentials_secret",
        "auth_client_config",
        "rpc_retries",
        "http_proxy_url",
        "disable_keyring",
        "batch_size",
        "image_builder",
        "images",
        "source_config_path",
        "sync_local_sys_paths",
        "image_registry",
        "load_plugin_type_transformers",
        "local_persistence",
        "local_tracked",
        "local_tracked_strict",
        "scopes",
    }
)


def _check_flyte_options(options: dict[str, Any], where: str) -> None:
    unknown = set(options) - _FLYTE_REMOTE_OPTIONS
    if unknown:
        raise TypeError(f"{where}() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")


def _install(config: Config) -> Config:
    global _current
    _current = config
    return config


def _announce_default() -> None:
    global _announced
    if not _announced:
        _announced = True
        print(
            "flyte_nb: no config file found (looked for $FLYTE_NB_CONFIG, ./config.yaml, ./.flyte/config.yaml "
            f"and {user_config_dir() / 'config.yaml'}); using the embedded local backend.",
            file=sys.stderr,
        )
