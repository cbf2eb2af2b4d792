"""Secrets a task asks for: ``flyte.Secret`` and ``secrets=`` on environments and tasks.

A :class:`Secret` names a secret (its ``key``, and its ``group`` in stores that have them)
and how the task sees it: as an environment variable (``as_env_var``, by default the group
and key in upper case, ``-`` made ``_``, as the Flyte 2 SDK names it) or, with ``mount=``,
as a file ``/etc/flyte/secrets/<group>/<key in lower case>``. A :class:`Secret` holds
names only; the values are found by the session when a run starts (its environment, the
user's secrets file) and kept in a :class:`SecretValues` that never pickles, so no value
can reach the store, a cache key or a job payload written to the store. What an action
gets of them crosses to containers and workers as ``wire``'s ``SecretDelivery``.
"""

from __future__ import annotations

import hashlib
import pathlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Optional, Union

from ..errors import ConfigError

#: where the SDK (and flyte_nb's containers) put secrets asked for with ``mount=``
SECRETS_MOUNT = "/etc/flyte/secrets"
#: the environment variable naming the folder that holds mounted secrets, where that is not
#: :data:`SECRETS_MOUNT` (in-process and Dask actions; flytekit's name for the same thing)
SECRETS_DIR_ENV = "FLYTE_SECRETS_DEFAULT_DIR"
#: what a secret's value becomes in the logs and run records flyte_nb keeps
MASK = "[secret]"
#: shorter values are not masked (masking "1" would garble every log)
MASKED_MIN_LENGTH = 4
_ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"  # compiled on first use (re caches it)


@dataclass
class Secret:
    """A secret a task needs: ``flyte.Secret("openai-key", as_env_var="OPENAI_API_KEY")``.

    ``key``: its name; ``group``: its group (optional); ``as_env_var``: the environment
    variable it appears as (default ``GROUP_KEY`` upper-cased, ``-`` made ``_``, unless it
    is mounted); ``mount``: ``/etc/flyte/secrets`` (the one path the SDK supports) to get it
    as the file ``/etc/flyte/secrets/<group>/<key in lower case>`` instead.
    """

    key: str
    group: Optional[str] = None  # noqa: UP045 (the SDK's spelling, shown in signatures)
    mount: pathlib.Path | None = None
    as_env_var: Optional[str] = None  # noqa: UP045

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"Secret needs a non-empty key (str), got {self.key!r}")
        if self.group is not None and (not isinstance(self.group, str) or not self.group):
            raise ValueError(f"Secret group must be a non-empty str or None, got {self.group!r}")
        if not self.mount and not self.as_env_var:
            self.as_env_var = default_env_name(self.key, self.group)
        if self.mount:
            if str(self.mount) != SECRETS_MOUNT:
                raise ValueError(f"Only {SECRETS_MOUNT} is supported as secret mount path today.")
            for part in (self.key, self.group or "_"):  # they name a file and its folder
                if "/" in part or "\0" in part or part in (".", ".."):
                    raise ValueError(
                        f"a mounted secret's key and group name a file and its folder: they cannot contain '/' "
                        f"or NUL or be '.' or '..', got {part!r}"
                    )
        if self.as_env_var is not None and not re.match(_ENV_NAME, self.as_env_var):
            raise ValueError(f"Invalid environment variable name: {self.as_env_var}, must match {_ENV_NAME}")

    @property
    def name(self) -> str:
        """How messages name it: ``group/key`` or ``key``."""
        return f"{self.group}/{self.key}" if self.group else self.key

    @property
    def file_name(self) -> str | None:
        """Its file under the mount folder (``<group>/<key in lower case>``), when mounted."""
        if not self.mount:
            return None
        return f"{self.group}/{self.key.lower()}" if self.group else self.key.lower()

    def stable_hash(self) -> str:
        """Deterministic, process-independent hash (as hex string)."""
        data = (self.key, self.group or "", str(self.mount) if self.mount else "", self.as_env_var or "")
        return hashlib.sha256("|".join(data).encode("utf-8")).hexdigest()

    def __hash__(self) -> int:
        return int(self.stable_hash()[:16], 16)


SecretRequest = Union[str, Secret, list[str | Secret]]  # noqa: UP007 (the SDK's alias, a Union)


def default_env_name(key: str, group: str | None) -> str:
    """The environment variable the SDK names a secret by: ``GROUP_KEY``, upper case, ``-`` as ``_``."""
    name = f"{group}_{key}" if group else key
    return name.replace("-", "_").upper()


def secrets_from_request(secrets: SecretRequest | None) -> list[Secret]:
    """A ``secrets=`` value as a list of :class:`Secret` (a str is ``Secret(key=...)``)."""
    if secrets is None:
        return []
    if isinstance(secrets, str):
        return [Secret(key=secrets)]
    if isinstance(secrets, Secret):
        return [secrets]
    return [Secret(key=s) if isinstance(s, str) else s for s in secrets]


def check_secret_request(secrets: Any, where: str) -> tuple[Secret, ...]:
    """``secrets=`` of ``where`` as a tuple of :class:`Secret`, or a ``TypeError`` saying what it takes."""
    if secrets is None:
        return ()
    items = [secrets] if isinstance(secrets, str | Secret) else secrets
    if not isinstance(items, list | tuple) or not all(isinstance(s, str | Secret) for s in items):
        raise TypeError(
            f"secrets= of {where} must be a secret's key (str), flyte.Secret(...) or a list of them, "
            f"got {type(secrets).__name__}"
        )
    return tuple(secrets_from_request(list(items)))


class SecretValues:
    """One run's secret values, found when first asked for (by the session's ``resolve``).

    It refuses to pickle, so no value can travel into the store by accident; executors
    ask it for the values of each action's secrets.
    """

    def __init__(self, resolve: Callable[[Secret], str] | None = None) -> None:
        self._resolve = resolve
        self._values: dict[tuple[str | None, str], str] = {}

    def require(self, secrets: Iterable[Secret]) -> None:
        """Find every one of ``secrets`` now (raising the resolver's error for a missing one)."""
        for secret in secrets:
            self._value(secret)

    def value(self, secret: Secret) -> str:
        """The value of ``secret`` (found now if it was not yet)."""
        return self._value(secret)

    def values(self) -> Iterator[str]:
        """The values found so far (to keep them out of logs)."""
        return iter(list(self._values.values()))

    def mask(self, text: str) -> str:
        """``text`` with every value found so far (of at least :data:`MASKED_MIN_LENGTH`
        characters) replaced by :data:`MASK`: what flyte_nb keeps of an action's output."""
        if not self._values:
            return text
        for value in sorted(self._values.values(), key=len, reverse=True):
            if len(value) >= MASKED_MIN_LENGTH and value in text:
                text = text.replace(value, MASK)
        return text

    def _value(self, secret: Secret) -> str:
        ident = (secret.group, secret.key)
        if ident not in self._values:
            if self._resolve is None:
                raise ConfigError(f"secret {secret.name!r} was asked for, but this run has no way to find secrets")
            self._values[ident] = self._resolve(secret)
        return self._values[ident]

    def __repr__(self) -> str:
        return f"<SecretValues: {len(self._values)} found>"

    def __reduce__(self) -> Any:
        raise TypeError("a run's secret values never pickle (they must not reach the store or a job file)")
