"""flyte_nb: Flyte 2 workflows, run from a Jupyter kernel.

``import flyte_nb as flyte`` and the Flyte 2 programming model works unchanged: async
tasks in a ``TaskEnvironment``, fanouts with ``asyncio.gather``, limits with
``asyncio.Semaphore`` or ``flyte.map(..., concurrency=N)``, groups, traces and runs.
Importing it has no side effects: no threads, no Docker calls, no magics.

The public names load on first use (PEP 562): a container that only runs an action's
function imports the few modules that needs, not the whole package.
"""

import importlib as _importlib
import types as _types
import typing as _typing

from ._version import __version__
from .session._display import register_run_display as _register_run_display

if _typing.TYPE_CHECKING:
    from . import errors
    from . import io as io
    from .model._checkpoint import BaseCheckpoint, Checkpoint, latest_checkpoint
    from .model._cluster_options import PodTemplate
    from .model._context import current_context
    from .model._devices import AMD_GPU, APPLE_SILICON, GPU, HABANA_GAUDI, TPU, Device, DeviceClass, Neuron
    from .model._environment import Environment, TaskEnvironment
    from .model._group import group
    from .model._image import Image, ImageBuild
    from .model._logger import logger, system_logger
    from .model._map import MapCall, map
    from .model._plugin_config import load_plugin_config
    from .model._policies import Backoff, Cache, CachePolicy, Resources, RetryStrategy, ReusePolicy, Timeout
    from .model._sdk_aliases import CacheRequest, Documentation, Link, TimeoutType
    from .model._secret import Secret, SecretRequest
    from .model._task import AsyncFunctionTaskTemplate, TaskTemplate
    from .model._task_context import ctx, custom_context, get_custom_context
    from .model._trace import trace
    from .orchestrator import RunSnapshot, State
    from .session._build import build
    from .session._config import Config, init, init_from_config
    from .session._identity import current_domain, current_project, is_control_plane_available, version
    from .session._run import Run, Runner, active_runs, run, with_runcontext

__all__ = [
    "AMD_GPU",
    "APPLE_SILICON",
    "AppHandle",
    "AsyncFunctionTaskTemplate",
    "Backoff",
    "BaseCheckpoint",
    "Cache",
    "CachePolicy",
    "CacheRequest",
    "Checkpoint",
    "ConditionWebhook",
    "Config",
    "Cron",
    "Device",
    "DeviceClass",
    "Documentation",
    "Environment",
    "FixedRate",
    "GPU",
    "HABANA_GAUDI",
    "Image",
    "ImageBuild",
    "Link",
    "MapCall",
    "Neuron",
    "OnArtifact",
    "PodTemplate",
    "Resources",
    "RetryStrategy",
    "ReusePolicy",
    "Run",
    "RunSnapshot",
    "Runner",
    "Secret",
    "SecretRequest",
    "State",
    "TPU",
    "TaskEnvironment",
    "TaskTemplate",
    "Timeout",
    "TimeoutType",
    "Trigger",
    "TriggerTime",
    "TriggeredArtifact",
    "TriggeredPartition",
    "__version__",
    "active_runs",
    "build",
    "build_images",
    "ctx",
    "current_context",
    "current_domain",
    "current_project",
    "custom_context",
    "deploy",
    "errors",
    "get_custom_context",
    "group",
    "init",
    "init_from_api_key",
    "init_from_config",
    "init_in_cluster",
    "init_passthrough",
    "is_control_plane_available",
    "latest_checkpoint",
    "load_interactive_ctx",
    "load_ipython_extension",
    "load_plugin_config",
    "logger",
    "map",
    "new_condition",
    "rerun",
    "run",
    "run_python_script",
    "serve",
    "system_logger",
    "trace",
    "version",
    "with_runcontext",
    "with_servecontext",
]

#: public name -> the private module that defines it
_HOMES = {
    "AMD_GPU": ".model._devices",
    "APPLE_SILICON": ".model._devices",
    "AppHandle": ".model._cluster_only",
    "AsyncFunctionTaskTemplate": ".model._task",
    "Backoff": ".model._policies",
    "BaseCheckpoint": ".model._checkpoint",
    "Cache": ".model._policies",
    "CachePolicy": ".model._policies",
    "CacheRequest": ".model._sdk_aliases",
    "Checkpoint": ".model._checkpoint",
    "ConditionWebhook": ".model._cluster_only",
    "Config": ".session._config",
    "Cron": ".model._cluster_only",
    "Device": ".model._devices",
    "DeviceClass": ".model._devices",
    "Documentation": ".model._sdk_aliases",
    "Environment": ".model._environment",
    "FixedRate": ".model._cluster_only",
    "GPU": ".model._devices",
    "HABANA_GAUDI": ".model._devices",
    "Image": ".model._image",
    "ImageBuild": ".model._image",
    "Link": ".model._sdk_aliases",
    "MapCall": ".model._map",
    "Neuron": ".model._devices",
    "OnArtifact": ".model._cluster_only",
    "PodTemplate": ".model._cluster_options",
    "Resources": ".model._policies",
    "RetryStrategy": ".model._policies",
    "ReusePolicy": ".model._policies",
    "Run": ".session._run",
    "RunSnapshot": ".orchestrator",
    "Runner": ".session._run",
    "Secret": ".model._secret",
    "SecretRequest": ".model._secret",
    "State": ".orchestrator",
    "TPU": ".model._devices",
    "TaskEnvironment": ".model._environment",
    "TaskTemplate": ".model._task",
    "Timeout": ".model._policies",
    "TimeoutType": ".model._sdk_aliases",
    "Trigger": ".model._cluster_only",
    "TriggerTime": ".model._cluster_only",
    "TriggeredArtifact": ".model._cluster_only",
    "TriggeredPartition": ".model._cluster_only",
    "active_runs": ".session._run",
    "build": ".session._build",
    "build_images": ".model._cluster_only",
    "ctx": ".model._task_context",
    "current_context": ".model._context",
    "current_domain": ".session._identity",
    "current_project": ".session._identity",
    "custom_context": ".model._task_context",
    "deploy": ".model._cluster_only",
    "get_custom_context": ".model._task_context",
    "group": ".model._group",
    "init": ".session._config",
    "init_from_api_key": ".model._cluster_only",
    "init_from_config": ".session._config",
    "init_in_cluster": ".model._cluster_only",
    "init_passthrough": ".model._cluster_only",
    "is_control_plane_available": ".session._identity",
    "latest_checkpoint": ".model._checkpoint",
    "load_interactive_ctx": ".model._cluster_only",
    "load_plugin_config": ".model._plugin_config",
    "logger": ".model._logger",
    "map": ".model._map",
    "new_condition": ".model._cluster_only",
    "rerun": ".model._cluster_only",
    "run": ".session._run",
    "run_python_script": ".model._cluster_only",
    "serve": ".model._cluster_only",
    "system_logger": ".model._logger",
    "trace": ".model._trace",
    "version": ".session._identity",
    "with_runcontext": ".session._run",
    "with_servecontext": ".model._cluster_only",
}
#: subpackages reachable as attributes: flyte.errors, flyte.io (File, Directory, DataFrame as in the SDK)
_SUBMODULES: tuple[str, ...] = ("errors", "io")
_SUBMODULES += ("durable", "models", "notify", "storage")  # flyte.durable, flyte.storage.S3, ...
_SUBMODULES += ("report",)  # flyte.report: an action's HTML report
_SUBMODULES += ("remote",)  # flyte.remote.Run: past runs read from the store


def __getattr__(name: str) -> _typing.Any:
    if name in _SUBMODULES:
        value: _typing.Any = _importlib.import_module(f".{name}", __name__)
    elif name in _HOMES:
        value = getattr(_importlib.import_module(_HOMES[name], __name__), name)
        if isinstance(value, type):
            value.__module__ = __name__  # reprs and docs say flyte_nb.X
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    modules = (name for name, value in globals().items() if isinstance(value, _types.ModuleType))
    loaded = {name for name in modules if not name.startswith("_")}
    return sorted(set(__all__) | set(_SUBMODULES) | loaded)


class _NotebookRunDisplay:
    """Runs are drawn by the notebook layer, loaded on the first display. The session sits
    below it and never imports it: this package face, above both, connects them."""

    def widget(self, run: _typing.Any) -> _typing.Any:
        from .notebook._display import widget

        return widget(run)

    def show(self, run: _typing.Any) -> None:
        from .notebook._display import show

        show(run)

    def show_past(self, store: _typing.Any, record: dict[str, _typing.Any]) -> None:
        from .notebook._display import show_past

        show_past(store, record)


_register_run_display(_NotebookRunDisplay())


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext flyte_nb`` registers the ``%%flyte`` and ``%flyte`` magics."""
    from .notebook._magic import load_ipython_extension as load

    load(ipython)
