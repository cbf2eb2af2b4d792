"""``flyte.storage``: the Flyte 2 SDK's blob-store settings classes (``S3``, ``GCS``, ``ABFS``,
``Storage``).

``flyte.init(storage=flyte.storage.S3(...))`` is accepted and named once in the
:class:`~flyte_nb.errors.RemoteSettingsIgnoredWarning`: those settings are for a Flyte
cluster's store. flyte_nb's own store is set with ``flyte.init(storage="s3://bucket/prefix",
storage_options={...})`` (fsspec options) or the config file.
"""

from ..model._storage_config import ABFS, GCS, S3, Storage

__all__ = ["ABFS", "GCS", "S3", "Storage"]
