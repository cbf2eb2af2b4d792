"""Settings for a Flyte cluster, given to flyte_nb: accepted, named in one warning, ignored.

Code written for the Flyte 2 SDK often connects to a cluster (``flyte.init(endpoint=...)``,
a config file's ``admin`` section, ``with_runcontext(mode="remote")``). flyte_nb runs it
locally; it says once per call which of those settings it ignores, so nobody believes a run
went to the cluster.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..errors import RemoteSettingsIgnoredWarning

#: the Flyte 2 SDK's init() options that only matter for a cluster, with their SDK defaults
#: (an option left at its default is not reported)
REMOTE_INIT_SETTINGS: dict[str, Any] = {
    "org": None,
    "project": None,
    "domain": None,
    "endpoint": None,
    "headless": False,
    "insecure": False,
    "insecure_skip_verify": False,
    "ca_cert_file_path": None,
    "auth_type": "Pkce",
    "command": None,
    "proxy_command": None,
    "api_key": None,
    "client_id": None,
    "client_credentials_secret": None,
    "auth_client_config": None,
    "rpc_retries": 3,
    "http_proxy_url": None,
    "disable_keyring": False,
    "image_registry": None,
    "scopes": None,
}

#: keys of a Flyte config file that point at a cluster (``admin.*`` is all of that section)
_REMOTE_FILE_KEYS = {"task": ("org", "project", "domain")}


def remote_init_settings(options: dict[str, Any]) -> list[str]:
    """The names of the cluster settings among ``options`` given a value other than the default."""
    return sorted(
        name
        for name, value in options.items()
        if name in REMOTE_INIT_SETTINGS and value is not None and value != REMOTE_INIT_SETTINGS[name]
    )


def remote_file_settings(data: dict[str, Any]) -> list[str]:
    """The dotted keys of a Flyte config file's mapping that point at a cluster."""
    found: list[str] = []
    admin = data.get("admin")
    if isinstance(admin, dict):
        found += [f"admin.{key}" for key in admin]
    for section, keys in _REMOTE_FILE_KEYS.items():
        values = data.get(section)
        if isinstance(values, dict):
            found += [f"{section}.{key}" for key in keys if values.get(key) is not None]
    return sorted(found)


def warn_remote_settings_ignored(names: list[str], where: str, stacklevel: int) -> None:
    """One :class:`RemoteSettingsIgnoredWarning` naming every ignored setting (none: no warning)."""
    if not names:
        return
    warnings.warn(
        f"{where}: ignoring remote setting(s) {', '.join(names)}; flyte_nb runs Flyte 2 code locally "
        "(its configured backend, runs kept in its own store), never on a Flyte cluster",
        RemoteSettingsIgnoredWarning,
        stacklevel=stacklevel + 1,
    )
