"""How a container reaches the run's store.

A ``file://`` store is bind-mounted at the same path, so keys mean the same inside and
out, and the container needs no network. Any other fsspec store (``s3://``, ``gs://``, ...)
is reached over the network: the container gets the store's URL and options in its
environment, the filesystem package and everything it needs in the runtime bundle, and
the AWS / Google / Azure credential variables of the kernel's environment. ``memory://``
lives in the kernel's process and cannot be shared.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from ...data._seal import RUN_KEY_ENV_VAR
from ...data._store import STORAGE_ENV_VAR, STORAGE_OPTIONS_ENV_VAR, STORAGE_SHARED_ENV_VAR, Store
from ...errors import ConfigError

#: environment variables forwarded to containers of a run whose store is remote
CREDENTIAL_PREFIXES = ("AWS_", "GOOGLE_", "AZURE_", "FSSPEC_")


@dataclass(frozen=True)
class StoreAccess:
    """What a container of this run needs to use the store: mounts, environment, network."""

    store: Store
    network: str
    packages: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return self.store.url if not self.store.is_local else self.store.root

    def volumes(self) -> dict[str, dict[str, str]]:
        if self.store.is_local:
            return {self.store.root: {"bind": self.store.root, "mode": "rw"}}
        return {}

    def environment(self, run: str | None = None) -> dict[str, str]:
        """The container's environment for the store; with ``run``, that run's key too
        (``$FLYTE_NB_RUN_KEY``: it seals and checks ``runs/<run>/`` entries and nothing else).
        The key is in the container's environment, which only its user and the Docker
        engine's admins can read, never in a file of the store."""
        environment = {STORAGE_ENV_VAR: self.url}
        if self.store.shared:
            environment[STORAGE_SHARED_ENV_VAR] = "1"
        if run is not None:
            environment[RUN_KEY_ENV_VAR] = self.store.sealer.for_run(run).to_env()
        if self.store.is_local:
            return environment
        if self.store.storage_options:
            environment[STORAGE_OPTIONS_ENV_VAR] = json.dumps(self.store.storage_options)
        for name, value in os.environ.items():
            if name.startswith(CREDENTIAL_PREFIXES):
                environment[name] = value
        return environment


def store_access(store: Store | None, network: str | None) -> StoreAccess:
    """The access plan for ``store``; ``network`` is the config's (None: the fitting default)."""
    if store is None:
        raise ConfigError("the docker backend needs a store to share data with containers; set storage: file://...")
    if store.protocol == "memory":
        raise ConfigError(
            "a memory:// store lives inside this kernel, so containers cannot reach it; "
            "use a file:// store (the default) or an object store such as s3://bucket/prefix"
        )
    if store.is_local:
        return StoreAccess(store, network or "none")
    if network == "none":
        raise ConfigError(
            f"the store {store.url} is reached over the network, but docker: {{network: none}} cuts containers off; "
            "use a network that reaches it (bridge, or host for a server on this machine)"
        )
    try:
        json.dumps(store.storage_options)
    except TypeError as exc:
        raise ConfigError(
            f"storage_options must be plain data (strings, numbers, lists, dicts) to reach containers: {exc}"
        ) from None
    return StoreAccess(store, network or "bridge", filesystem_packages(store))


def filesystem_packages(store: Store) -> tuple[str, ...]:
    """Top-level modules of the store's fsspec implementation and of everything it requires."""
    from importlib import metadata

    cls = type(store.fs)
    top = cls.__module__.partition(".")[0]
    if top == "fsspec":
        return ()
    owners = metadata.packages_distributions()
    provides: dict[str, list[str]] = {}
    for module, dists in owners.items():
        for dist in dists:
            provides.setdefault(dist.lower().replace("_", "-"), []).append(module)
    wanted = [*owners.get(top, [])]
    seen: set[str] = set()
    modules: set[str] = {top}
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here: an optional dependency of another platform or Python
        modules.update(provides.get(name, []))
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            wanted.append(_requirement_name(requirement))
    return tuple(sorted(m for m in modules if m.isidentifier()))


def _requirement_name(requirement: str) -> str:
    for stop in " ;<>=!~[(":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip()
