"""Options of environments and tasks that only mean something on a Flyte cluster.

Code written for the Flyte 2 SDK sets them (``queue=``, ``pod_template=``,
``interruptible=``...); flyte_nb accepts and keeps them, and names each one once per
process in a :class:`~flyte_nb.errors.RemoteSettingsIgnoredWarning`, not once per task.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import RemoteSettingsIgnoredWarning

#: option -> why it does nothing locally (the notice says it)
CLUSTER_ONLY_OPTIONS: dict[str, str] = {
    "pod_template": "a Kubernetes pod spec",
    "interruptible": "spot/preemptible nodes",
    "queue": "a cluster's queue",
    "service_account": "a cluster's service account",
    "plugin_config": "a cluster's task plugin",
    "include": "files added to the code bundle deployed to a cluster",
    "links": "links shown in a cluster's UI",
    "triggers": "a cluster's trigger service",
    "task_resolver": "loading tasks in a cluster's containers",
    "entrypoint": "a hint to a cluster's UI",
    "produces_artifacts": "a cluster's artifact service",
}


@dataclass
class PodTemplate:
    """A Kubernetes pod template for ``pod_template=`` (the Flyte 2 SDK's): kept, used only on
    a cluster."""

    pod_spec: Any = None
    primary_container_name: str = "primary"
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


_noticed: set[str] = set()
_lock = threading.Lock()


def given(options: Mapping[str, Any]) -> list[str]:
    """The cluster-only options among ``options`` set to something (not None, False or empty)."""
    return sorted(name for name, value in options.items() if name in CLUSTER_ONLY_OPTIONS and _is_set(value))


def _is_set(value: Any) -> bool:
    if value is None or value is False:
        return False
    return not (isinstance(value, tuple | list | dict) and not value)


def notice_cluster_only(options: Mapping[str, Any], where: str, stacklevel: int = 2) -> None:
    """Warn once per process for each cluster-only option of ``options`` that is set."""
    with _lock:
        new = [name for name in given(options) if name not in _noticed]
        _noticed.update(new)
    if not new:
        return
    reasons = "; ".join(f"{name} ({CLUSTER_ONLY_OPTIONS[name]})" for name in new)
    warnings.warn(
        f"{where}: {reasons} only mean(s) something on a Flyte cluster; flyte_nb runs tasks locally and "
        "ignores it (shown once per option)",
        RemoteSettingsIgnoredWarning,
        stacklevel=stacklevel + 1,
    )


def forget_notices() -> None:
    """Show every notice again (for tests)."""
    with _lock:
        _noticed.clear()
