"""docs/kubernetes.md stays true: its YAML parses, its flyte_nb config loads, and every flyte_nb
name, ``flyte.init`` keyword and ``dask:`` key it mentions exists in the code."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import flyte_nb
from flyte_nb.executors.dask import _cluster
from flyte_nb.session._config import TOP_LEVEL_KEYS, config_from_mapping
from flyte_nb.session._config_schema import BACKEND_SCHEMAS

DOC = Path(__file__).resolve().parents[2] / "docs" / "kubernetes.md"
TEXT = DOC.read_text()
DASK_KEYS = set(BACKEND_SCHEMAS["dask"])

#: what dask-kubernetes's KubeCluster and make_cluster_spec / make_worker_spec take (the operator's
#: dask_kubernetes/operator/kubecluster/kubecluster.py; the package is not a test dependency)
KUBECLUSTER_KEYWORDS = {
    "KubeCluster": {
        "name", "namespace", "image", "n_workers", "resources", "env", "worker_command",
        "port_forward_cluster_ip", "create_mode", "shutdown_on_close", "idle_timeout", "resource_timeout",
        "scheduler_service_type", "custom_cluster_spec", "scheduler_forward_port", "jupyter", "quiet",
    },
    "make_cluster_spec": {
        "name", "image", "n_workers", "resources", "env", "worker_command", "scheduler_service_type",
        "idle_timeout", "jupyter",
    },
    "make_worker_spec": {"image", "n_workers", "resources", "env", "worker_command"},
    "adapt": {"minimum", "maximum"},
    "add_worker_group": {"name", "n_workers", "resources", "custom_spec", "image", "env", "worker_command"},
}  # fmt: skip
#: backticked lower-case words in the prose that are not flyte_nb config keys: the operator's API
#: (checked above where called), packages and commands, and Kubernetes fields
OTHER_WORDS = {
    "adapt", "add_worker_group", "custom_spec", "from_name", "make_cluster_spec", "make_worker_spec", "scale",
    "scheduler_address", "cloudpickle", "distributed", "gcsfs", "s3fs", "kubectl", "minimum",
}  # fmt: skip


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", TEXT, flags=re.S | re.M)


def _documents() -> list[Any]:
    return [doc for block in _blocks("yaml") for doc in yaml.safe_load_all(block) if doc is not None]


def _manifests() -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in _documents() if "apiVersion" in doc}


def test_every_yaml_block_parses_and_the_manifests_are_the_operators():
    manifests = _manifests()
    assert set(manifests) == {"DaskCluster", "DaskWorkerGroup", "DaskAutoscaler"}
    assert {m["apiVersion"] for m in manifests.values()} == {"kubernetes.dask.org/v1"}
    cluster = manifests["DaskCluster"]
    name = cluster["metadata"]["name"]
    assert manifests["DaskWorkerGroup"]["spec"]["cluster"] == name
    assert manifests["DaskAutoscaler"]["spec"]["cluster"] == name
    # flyte_nb waits for a first worker before it submits: an autoscaler at 0 would never start one
    assert manifests["DaskAutoscaler"]["spec"]["minimum"] >= 1
    assert cluster["spec"]["worker"]["replicas"] >= 1
    assert cluster["spec"]["scheduler"]["service"]["selector"]["dask.org/cluster-name"] == name
    pods = [
        cluster["spec"]["worker"]["spec"],
        cluster["spec"]["scheduler"]["spec"],
        manifests["DaskWorkerGroup"]["spec"]["worker"]["spec"],
    ]
    containers = [c for pod in pods for c in pod["containers"]]
    assert len({c["image"] for c in containers}) == 1  # one image, matching the kernel
    # current distributed has only the `dask` command (dask-scheduler / dask-worker are gone)
    assert sorted(c["args"][:2] for c in containers) == [["dask", "scheduler"], ["dask", "worker"], ["dask", "worker"]]
    for container in containers:
        if container["args"][1] == "worker":
            declared = container["args"][container["args"].index("--resources") + 1]
            assert re.fullmatch(r"(\w+=[\d.e]+,)*\w+=[\d.e]+", declared), declared
    gpu = manifests["DaskWorkerGroup"]["spec"]["worker"]["spec"]["containers"][0]
    assert "GPU=1" in gpu["args"][gpu["args"].index("--resources") + 1]
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == 1
    # the Service the operator names after the cluster is the address the doc gives workers and kernel
    for address in re.findall(r"(?:tcp|tls)://([\w.-]+)\.svc\.cluster\.local:8786", TEXT):
        assert address == f"{name}-scheduler.dask"


def test_the_flyte_nb_config_blocks_load():
    configs = [doc for doc in _documents() if "apiVersion" not in doc]
    assert configs, "the doc shows a config file"
    for data in configs:
        config = config_from_mapping(data, str(DOC))
        assert config.backend == "dask"


def _calls(name: str) -> list[ast.Call]:
    calls = []
    for block in _blocks("python"):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called == name:
                    calls.append(node)
    return calls


def test_every_flyte_init_keyword_and_dask_key_exists():
    accepted = set(inspect.signature(flyte_nb.init).parameters) - {"flyte_options"}
    inits = _calls("init")
    assert len(inits) >= 2
    given = set()
    for call in inits:
        assert {kw.arg for kw in call.keywords} <= accepted
        for kw in call.keywords:
            if kw.arg == "dask":
                assert isinstance(kw.value, ast.Dict)
                keys = {ast.literal_eval(k) for k in kw.value.keys if k is not None}
                assert keys <= DASK_KEYS, keys - DASK_KEYS
                given |= keys & {"cluster", "client"}
    assert given == {"cluster", "client"}  # both ways of passing a cluster are shown
    # `dask: {key: ...}`, `dask={"key": ...}` and `dask: key` anywhere in the text
    named = set(re.findall(r"""(?<![\w./-])dask\s*[:=]\s*\{?\s*["']?([a-z_]+)""", TEXT))
    named |= set(re.findall(r"(?<![\w./-])dask\.([a-z_]+)\b(?![./\w-])", TEXT))
    assert named and named <= DASK_KEYS, named - DASK_KEYS


def test_backticked_config_words_are_flyte_nb_keys_or_known_others():
    spans = re.findall(r"`([^`\n]+)`", TEXT)
    words = {m.group(1) for s in spans if (m := re.fullmatch(r"([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?::\s.*)?", s))}
    words -= {"check_workers"}  # the function named as where the checks live
    assert hasattr(_cluster, "check_workers")
    unknown = words - DASK_KEYS - TOP_LEVEL_KEYS - OTHER_WORDS
    assert unknown == set(), f"docs/kubernetes.md names {sorted(unknown)}: not a flyte_nb config key"
    assert {"callback", "connect_timeout", "storage", "storage_options"} <= words


def test_flyte_names_exist():
    for dotted in set(re.findall(r"\bflyte\.([A-Za-z_][\w.]*[A-Za-z_])", TEXT)):
        target: Any = flyte_nb
        for part in dotted.split("."):
            assert hasattr(target, part), f"flyte.{dotted} in docs/kubernetes.md does not exist"
            target = getattr(target, part)
    assert "WorkerLostError" in TEXT and hasattr(flyte_nb.errors, "WorkerLostError")


def test_dask_kubernetes_keywords_are_the_operators():
    for function, accepted in KUBECLUSTER_KEYWORDS.items():
        for call in _calls(function):
            used = {kw.arg for kw in call.keywords}
            assert used <= accepted, f"{function}({', '.join(sorted(used - accepted))}=...) in docs/kubernetes.md"


def test_the_tls_client_settings_are_distributeds():
    security_class = pytest.importorskip("distributed.security").Security
    (call,) = _calls("Security")
    security = security_class(**{kw.arg: ast.literal_eval(kw.value) for kw in call.keywords})  # unknown names raise
    assert security.require_encryption


def _joined(source: str) -> str:
    """Source with adjacent string literals across lines joined, as the message reads."""
    return re.sub(r'"\s*\n\s*f?"', "", source)


def test_the_errors_quoted_are_the_codes():
    source = _joined(inspect.getsource(_cluster))
    for fragment in (
        "pickled functions only travel between equal versions",
        "cannot run flyte_nb (",
        "Dask workers run other flyte_nb versions than this kernel's",
        "cannot see the store folder",
    ):
        assert fragment in TEXT and fragment in source, fragment
    executor = _joined(inspect.getsource(__import__("flyte_nb.executors.dask._executor", fromlist=["_"])))
    assert "or raise dask: connect_timeout" in TEXT and "or raise dask: connect_timeout" in executor
