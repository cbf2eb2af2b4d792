"""Flyte 2 names that only exist for a Flyte cluster.

They are here so code written for the Flyte 2 SDK imports and defines its tasks unchanged;
calling or instantiating one raises :class:`~flyte_nb.errors.ClusterOnlyError`, naming it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from ..errors import ClusterOnlyError

#: name -> what it needs a cluster for (README's "Cluster-only names" table says the same)
CLUSTER_ONLY_CLASSES: dict[str, str] = {
    "AppHandle": "a handle to an app served on a cluster",
    "ConditionWebhook": "a webhook of a cluster's human-in-the-loop condition",
    "Cron": "a schedule run by a cluster's trigger service",
    "FixedRate": "a schedule run by a cluster's trigger service",
    "OnArtifact": "a trigger on artifacts kept by a cluster",
    "Trigger": "triggers are run by a cluster's trigger service",
    "TriggeredPartition": "a trigger input filled by a cluster's trigger service",
}
CLUSTER_ONLY_FUNCTIONS: dict[str, str] = {
    "build_images": "builds the images of environments to deploy on a cluster",
    "deploy": "registers environments and their tasks on a cluster",
    "init_from_api_key": "connects to a cluster with an API key",
    "init_in_cluster": "configures code running inside a cluster",
    "init_passthrough": "connects to a cluster through a passthrough endpoint",
    "load_interactive_ctx": "restores the context a debug-mode task pod on a cluster wrote",
    "new_condition": "human-in-the-loop conditions are resolved through a cluster",
    "rerun": "reruns a run kept by a cluster",
    "run_python_script": "runs a script as a job on a cluster",
    "serve": "serves an app on a cluster",
    "with_servecontext": "options for serving an app on a cluster",
}
CLUSTER_ONLY_VALUES: dict[str, str] = {
    "TriggerTime": "a trigger input filled by a cluster's trigger service",
    "TriggeredArtifact": "a trigger input filled by a cluster's trigger service",
}
CLUSTER_ONLY_NAMES: tuple[str, ...] = tuple(
    sorted({*CLUSTER_ONLY_CLASSES, *CLUSTER_ONLY_FUNCTIONS, *CLUSTER_ONLY_VALUES})
)


def cluster_only_error(name: str) -> ClusterOnlyError:
    return ClusterOnlyError(
        f"flyte_nb runs Flyte 2 code locally; flyte.{name} needs a Flyte cluster "
        "(use the flyte SDK against a cluster for this)"
    )


def _cluster_only_class(name: str, why: str) -> type:
    def refuse(cls: type, *args: Any, **kwargs: Any) -> NoReturn:
        raise cluster_only_error(name)

    return type(name, (), {"__new__": refuse, "__doc__": f"Cluster-only ({why}): raises ClusterOnlyError."})


class _ClusterOnlyCallable:
    """A cluster-only function or value: calling it (or its ``.aio``) raises ClusterOnlyError."""

    def __init__(self, name: str, why: str) -> None:
        self.__name__ = self.__qualname__ = name
        self.__doc__ = f"Cluster-only ({why}): raises ClusterOnlyError."

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise cluster_only_error(self.__name__)

    async def aio(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise cluster_only_error(self.__name__)

    def __repr__(self) -> str:
        return f"<cluster-only flyte.{self.__name__}>"


def _make(name: str) -> Any:
    if name in CLUSTER_ONLY_CLASSES:
        return _cluster_only_class(name, CLUSTER_ONLY_CLASSES[name])
    why = CLUSTER_ONLY_FUNCTIONS.get(name) or CLUSTER_ONLY_VALUES[name]
    return _ClusterOnlyCallable(name, why)


globals().update({name: _make(name) for name in CLUSTER_ONLY_NAMES})
