"""Dask clusters the user already has, given as objects: what is accepted, duck-typed.

``dask: {client: Client(...)}`` and ``dask: {cluster: KubeCluster(...)}`` (any object with
the ``distributed`` Cluster interface) are recognised by their methods and attributes, so
this module never imports dask: the config is checked before the backend loads.
"""

from __future__ import annotations

from typing import Any

#: what a Client must offer flyte_nb
CLIENT_METHODS = ("submit", "map", "run", "scheduler_info", "subscribe_topic")


def is_dask_client(value: Any) -> bool:
    """Whether ``value`` works as a ``distributed.Client`` (duck-typed: dask is not imported)."""
    return not isinstance(value, (str, bytes)) and all(callable(getattr(value, name, None)) for name in CLIENT_METHODS)


def is_dask_cluster(value: Any) -> bool:
    """Whether ``value`` is a Dask cluster object (``LocalCluster``, ``KubeCluster``,
    ``SLURMCluster``, a dask-gateway or Coiled cluster): it says its scheduler's address."""
    return isinstance(getattr(value, "scheduler_address", None), str) and not is_dask_client(value)


def describe(value: Any) -> str:
    """A given object, as an error message names it."""
    shown = repr(value)
    return f"{type(value).__module__}.{type(value).__qualname__} ({shown[:80]}{'...' if len(shown) > 80 else ''})"
