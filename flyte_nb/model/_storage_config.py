"""``flyte.storage.Storage`` / ``S3`` / ``GCS`` / ``ABFS``: a Flyte cluster's object-store settings.

The Flyte 2 SDK takes one as ``flyte.init(storage=...)`` for the credentials and endpoint of
the cluster's blob store. flyte_nb keeps runs in its own store (``flyte.init(storage="s3://...",
storage_options={...})``), so ``init`` accepts these, names them once in its
:class:`~flyte_nb.errors.RemoteSettingsIgnoredWarning`, and keeps its store. The classes have
the SDK's fields, ``auto()`` (from the same environment variables) and ``for_sandbox()``.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any, ClassVar


def _from_env(mapping: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The fields among ``names`` whose environment variable is set (and not empty)."""
    return {name: os.environ[mapping[name]] for name in names if os.environ.get(mapping[name])}


@dataclass(frozen=True)
class Storage:
    """Blob-store settings for any provider: retries, backoff, debug logging."""

    retries: int = 3
    backoff: datetime.timedelta = datetime.timedelta(seconds=5)
    enable_debug: bool = False
    attach_execution_metadata: bool = True

    _KEY_ENV_VAR_MAPPING: ClassVar[dict[str, str]] = {
        "enable_debug": "FLYTE_STORAGE_DEBUG",
        "retries": "FLYTE_STORAGE_RETRIES",
        "backoff": "FLYTE_STORAGE_BACKOFF_SECONDS",
    }

    @classmethod
    def _auto_as_kwargs(cls) -> dict[str, Any]:
        return _from_env(Storage._KEY_ENV_VAR_MAPPING, ("enable_debug", "retries", "backoff"))

    @classmethod
    def auto(cls) -> Storage:
        """The settings from the environment (``FLYTE_STORAGE_RETRIES``, ...)."""
        return cls(**cls._auto_as_kwargs())


@dataclass(frozen=True)
class S3(Storage):
    """S3 (or S3-compatible) settings: endpoint, static keys, region, addressing style."""

    endpoint: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None
    addressing_style: str | None = None

    _KEY_ENV_VAR_MAPPING: ClassVar[dict[str, str]] = {
        "endpoint": "FLYTE_AWS_ENDPOINT",
        "access_key_id": "FLYTE_AWS_ACCESS_KEY_ID",
        "secret_access_key": "FLYTE_AWS_SECRET_ACCESS_KEY",
        "addressing_style": "FLYTE_AWS_S3_ADDRESSING_STYLE",
    } | Storage._KEY_ENV_VAR_MAPPING

    @classmethod
    def auto(cls, region: str | None = None) -> S3:
        """The settings from ``FLYTE_AWS_ENDPOINT``, ``FLYTE_AWS_ACCESS_KEY_ID``, ... and ``region``."""
        kwargs = Storage._auto_as_kwargs()
        kwargs |= _from_env(cls._KEY_ENV_VAR_MAPPING, ("endpoint", "access_key_id", "secret_access_key"))
        kwargs |= _from_env(cls._KEY_ENV_VAR_MAPPING, ("addressing_style",))
        if region:
            kwargs["region"] = region
        return cls(**kwargs)

    @classmethod
    def for_sandbox(cls) -> S3:
        """The Flyte sandbox's MinIO: ``http://localhost:4566``, key ``minio``."""
        return cls(
            **Storage._auto_as_kwargs(),
            endpoint="http://localhost:4566",
            access_key_id="minio",
            secret_access_key="miniostorage",
        )


@dataclass(frozen=True)
class GCS(Storage):
    """Google Cloud Storage settings (the common ones only)."""

    @classmethod
    def auto(cls) -> GCS:
        return cls(**Storage._auto_as_kwargs())


@dataclass(frozen=True)
class ABFS(Storage):
    """Azure Blob Storage settings: account name and key, or a service principal."""

    account_name: str | None = None
    account_key: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None

    _KEY_ENV_VAR_MAPPING: ClassVar[dict[str, str]] = {
        "account_name": "AZURE_STORAGE_ACCOUNT_NAME",
        "account_key": "AZURE_STORAGE_ACCOUNT_KEY",
        "tenant_id": "AZURE_TENANT_ID",
        "client_id": "AZURE_CLIENT_ID",
        "client_secret": "AZURE_CLIENT_SECRET",
    }

    @classmethod
    def auto(cls) -> ABFS:
        """The settings from ``AZURE_STORAGE_ACCOUNT_NAME``, ``AZURE_TENANT_ID``, ..."""
        return cls(**_from_env(cls._KEY_ENV_VAR_MAPPING, tuple(cls._KEY_ENV_VAR_MAPPING)))
