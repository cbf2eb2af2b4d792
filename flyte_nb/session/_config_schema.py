"""What each key of a backend section (``local:``, ``docker:``, ``dask:``, or the section
of a registered third-party backend) accepts.

Sections are checked when the config is loaded (``init_from_config``, ``init(docker=...)``),
so ``pull: 'false'`` or ``network: 42`` fails there, naming ``section.key``, the value given
and a value that works, instead of turning true, or into an engine error at the first
run. A key set to ``null`` means its default. The built-in sections are declared here; a
registered backend declares its own (:func:`flyte_nb.executors.register_backend`'s
``settings=``, or its ``settings_schema``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._checks import is_finite_number, is_int_at_least
from ..errors import ConfigError
from ..executors import Setting, available_backends, backend_settings

__all__ = ["BACKEND_SCHEMAS", "Setting", "check_section", "registered_sections", "split_registered_sections"]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\0" not in value


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _at_least(low: int) -> Callable[[Any], bool]:
    return lambda value: is_int_at_least(value, low)


def _users(value: Any) -> bool:
    return isinstance(value, Mapping) and all(_text(k) and _text(v) for k, v in value.items())


def _resources(value: Any) -> bool:
    return isinstance(value, Mapping) and all(_text(k) and is_finite_number(v) and v >= 0 for k, v in value.items())


def _memory_limit(value: Any) -> bool:
    return is_int_at_least(value, 1) or _text(value)


def _positive_seconds(value: Any) -> bool:
    return is_finite_number(value) and value > 0


def _dask_cluster(value: Any) -> bool:
    from ..executors.dask._given import is_dask_cluster  # the dask backend loads only when a dask section is checked

    return is_dask_cluster(value)


def _dask_client(value: Any) -> bool:
    from ..executors.dask._given import is_dask_client

    return is_dask_client(value)


def _one_of(*choices: str) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and value in choices


_BOOL = Setting("a bool (true or false, unquoted)", _is_bool, "true")

BACKEND_SCHEMAS: dict[str, dict[str, Setting]] = {
    "local": {
        "max_threads": Setting("an int >= 1", _at_least(1), "64"),
        "copy_io": _BOOL,
    },
    "docker": {
        "base_image": Setting("an image name (str)", _text, "'flyte-nb-base:bookworm'"),
        "host": Setting("a Docker engine URL (str)", _text, "'unix:///var/run/docker.sock'"),
        "pull": _BOOL,
        "network": Setting("a Docker network name (str)", _text, "'bridge'"),
        "reuse": _BOOL,
        "cleanup": _BOOL,
        "user": Setting("a user for the containers (str: name or uid[:gid])", _text, "'root' or '1000:1000'"),
        "users": Setting(
            "a mapping of image name or tag to a user (str to str)", _users, "{'my-image:latest': 'root'}"
        ),
        "pids_limit": Setting("an int >= 1 (processes per container)", _at_least(1), "512"),
    },
    "dask": {
        "address": Setting("a scheduler address (str)", _text, "'tcp://scheduler:8786'"),
        "cluster": Setting(
            "a Dask cluster object (LocalCluster, KubeCluster, SLURMCluster, a dask-gateway or Coiled cluster: "
            "anything with a scheduler_address; a Client goes in dask: client, an address in dask: address)",
            _dask_cluster,
            "KubeCluster(...)",
        ),
        "client": Setting(
            "a distributed.Client (a cluster object goes in dask: cluster, an address in dask: address)",
            _dask_client,
            "Client(cluster)",
        ),
        "n_workers": Setting("an int >= 1", _at_least(1), "4"),
        "threads_per_worker": Setting("an int >= 1", _at_least(1), "16"),
        "memory_limit": Setting("bytes (int >= 1) or a size (str)", _memory_limit, "'4GiB' or 'auto'"),
        "worker_resources": Setting(
            "a mapping of resource name to a number >= 0", _resources, "{'GPU': 1, 'MEMORY': 8e9}"
        ),
        "callback": Setting(
            "one of 'auto', 'unix', 'tcp', 'scheduler'", _one_of("auto", "unix", "tcp", "scheduler"), "'auto'"
        ),
        "callback_host": Setting("a host name or address (str)", _text, "'10.0.0.5'"),
        "connect_timeout": Setting("seconds (a number > 0)", _positive_seconds, "30"),
    },
}


def check_section(
    name: str, section: Mapping[str, Any], source: str, schema: Mapping[str, Setting] | None = None
) -> dict[str, Any]:
    """The section's settings with ``null`` ones left out, or :class:`ConfigError` naming
    ``name.key``, the value given and the fix. ``schema``: what the section accepts
    (default: the built-in backend ``name``'s)."""
    schema = BACKEND_SCHEMAS[name] if schema is None else schema
    checked: dict[str, Any] = {}
    for key, value in section.items():
        if value is None:
            continue  # null: the backend's default
        setting = schema[key]
        if not setting.check(value):
            raise ConfigError(
                f"{name}.{key} in {source} must be {setting.kind}, got {value!r} ({type(value).__name__}); "
                f"write e.g. {name}: {{{key}: {setting.example}}}"
            )
        checked[key] = value
    return checked


def registered_sections(keys: Iterable[str], source: str) -> dict[str, dict[str, Setting]]:
    """Which of ``keys`` (keys of a config that are not built-in) name a registered backend,
    and what each one's section accepts. A key naming a backend that declares no settings is
    a :class:`ConfigError` saying how to declare them; other keys are left to the caller."""
    keys = [k for k in keys if k not in BACKEND_SCHEMAS]
    if not keys:
        return {}  # nothing to look up: the installed packages' entry points stay unread
    registered = set(available_backends())
    schemas: dict[str, dict[str, Setting]] = {}
    for key in sorted(k for k in keys if k in registered and k not in BACKEND_SCHEMAS):
        schema = backend_settings(key)
        if schema is None:
            raise ConfigError(
                f"{key} in {source} is a section of settings, but the {key!r} backend declares none; "
                f"remove the section, or declare what it accepts with "
                f"register_backend({key!r}, ..., settings={{'some_key': Setting(...)}}) "
                f"or a settings_schema attribute on the executor class"
            )
        schemas[key] = schema
    return schemas


def split_registered_sections(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``flyte.init``'s extra keyword arguments split into (sections of registered backends,
    the rest): ``flyte.init(mybackend={...})`` gives a registered backend its settings."""
    if not options:
        return {}, {}
    registered = set(available_backends()) - set(BACKEND_SCHEMAS)
    sections = {key: value for key, value in options.items() if key in registered}
    rest = {key: value for key, value in options.items() if key not in registered}
    return sections, rest
