"""flyte_nb's public names against the Flyte 2 SDK's (``flyte``, ``flyte.errors``, ``flyte.io``).

``sdk_names.json`` was written once by ``make_sdk_names.py`` from the SDK itself (flyte 2.12.1);
these tests never import the SDK. Every SDK name exists in the same flyte_nb module, or is in
README's "Cluster-only names" table and raises ``ClusterOnlyError`` when used. For every function
and class flyte_nb has, the SDK's parameter names are accepted, its classes are classes, and its
exceptions keep the SDK's bases. A failure lists everything that differs, grouped by module.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

from flyte_nb.errors import ClusterOnlyError

HERE = Path(__file__).parent
SDK = json.loads((HERE / "sdk_names.json").read_text())
README = HERE.parents[1] / "README.md"
#: the SDK module -> the flyte_nb module code written for it gets with ``import flyte_nb as flyte``
NB_MODULES = {"flyte": "flyte_nb", "flyte.errors": "flyte_nb.errors", "flyte.io": "flyte_nb.io"}


def readme_cluster_only() -> set[str]:
    """The names in the first column of README's "Cluster-only names" table."""
    text = README.read_text()
    match = re.search(r"^### Cluster-only names\n(.*?)(?=^#)", text, re.S | re.M)
    assert match, "README has no '### Cluster-only names' section"
    names: set[str] = set()
    for line in match.group(1).splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first_cell))
    return names


CLUSTER_ONLY = readme_cluster_only()


def readme_parity_names() -> set[str]:
    """The names README's parity table ("What works") gives in its first column: every
    identifier in backticks there, and each dotted part of one (`flyte.GPU(...)` names GPU)."""
    text = README.read_text()
    match = re.search(r"^## What works: parity with the Flyte 2 SDK\n(.*?)(?=^#)", text, re.S | re.M)
    assert match, "README has no '## What works: parity with the Flyte 2 SDK' section"
    names: set[str] = set()
    for line in match.group(1).splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            for code in re.findall(r"`([^`]+)`", line.split("|")[1]):
                names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    return names


def nb_object(sdk_module: str, name: str) -> Any:
    module = importlib.import_module(NB_MODULES[sdk_module])
    return getattr(module, name)


def has_name(sdk_module: str, name: str) -> bool:
    try:
        nb_object(sdk_module, name)
    except AttributeError:
        return False
    return True


def grouped(problems: dict[str, list[str]], title: str) -> str:
    lines = [title]
    for module, items in problems.items():
        if items:
            lines.append(f"{module} ({len(items)}):")
            lines.extend(f"  {item}" for item in items)
    return "\n".join(lines)


def test_the_sdk_names_were_recorded() -> None:
    assert SDK["sdk_version"] == "2.12.1"
    assert {module: len(names) for module, names in SDK["modules"].items()} == {
        "flyte": 70,
        "flyte.errors": 56,
        "flyte.io": 6,
    }


def test_every_sdk_name_exists_or_is_cluster_only() -> None:
    missing: dict[str, list[str]] = {}
    for module, names in SDK["modules"].items():
        missing[module] = [
            f"{name} ({entry['kind']})"
            for name, entry in names.items()
            if not has_name(module, name) and not (module == "flyte" and name in CLUSTER_ONLY)
        ]
    total = sum(len(items) for items in missing.values())
    assert total == 0, grouped(missing, f"{total} SDK names are neither in flyte_nb nor cluster-only in README:")


def test_readme_parity_table_names_every_sdk_name() -> None:
    """README's parity table is true to the SDK's list: each name of the SDK's ``flyte`` module has
    a row (or is in the cluster-only table), and ``flyte.errors`` / ``flyte.io`` have theirs."""
    named = readme_parity_names() | CLUSTER_ONLY
    missing = sorted(name for name in SDK["modules"]["flyte"] if name not in named)
    assert not missing, f"README's parity table has no row naming: {', '.join(missing)}"
    io_missing = sorted(name for name in SDK["modules"]["flyte.io"] if name not in named)
    assert not io_missing, f"README's parity table has no flyte.io row naming: {', '.join(io_missing)}"
    assert "errors" in named, "README's parity table has no flyte.errors row"


def test_readme_cluster_only_names_are_sdk_names_that_raise_the_clear_error() -> None:
    assert CLUSTER_ONLY, "README's cluster-only table lists no names"
    problems: list[str] = []
    for name in sorted(CLUSTER_ONLY):
        if name not in SDK["modules"]["flyte"]:
            problems.append(f"{name}: not a name of the SDK's flyte module")
            continue
        if not has_name("flyte", name):
            problems.append(f"{name}: README calls it cluster-only but flyte_nb has no flyte_nb.{name}")
            continue
        try:
            nb_object("flyte", name)()
        except ClusterOnlyError as exc:
            if f"flyte.{name}" not in str(exc):
                problems.append(f"{name}: ClusterOnlyError does not name flyte.{name}: {exc}")
        except Exception as exc:
            problems.append(f"{name}: raised {type(exc).__name__}: {exc}, not ClusterOnlyError")
        else:
            problems.append(f"{name}: using it raised nothing, not ClusterOnlyError")
    assert not problems, "\n".join(["README's cluster-only names:", *problems])


def accepted(sdk_parameter: dict[str, str], nb_parameters: dict[str, inspect.Parameter]) -> bool:
    """Whether a call passing the SDK's parameter (by name, or position) is accepted by flyte_nb."""
    name, kind = sdk_parameter["name"], sdk_parameter["kind"]
    if kind in ("VAR_POSITIONAL", "VAR_KEYWORD"):
        mine = [p for p in nb_parameters.values() if p.kind.name == kind]
        return bool(mine)
    if name in nb_parameters:
        return True
    if kind == "POSITIONAL_ONLY":
        return any(p.kind.name == "VAR_POSITIONAL" for p in nb_parameters.values())
    return any(p.kind.name == "VAR_KEYWORD" for p in nb_parameters.values())


#: classes that ``env.task`` makes: code written for the SDK names them in ``isinstance`` checks and
#: annotations but never calls them, so only their kind is compared, not their constructor
MADE_BY_THE_LIBRARY = {"TaskTemplate", "AsyncFunctionTaskTemplate"}


def signature_problem(sdk_entry: dict[str, Any], obj: Any) -> str | None:
    sdk_parameters = [p for p in sdk_entry.get("parameters") or [] if not p["name"].startswith("_")]
    if not sdk_parameters:
        return None
    try:
        nb_parameters = dict(inspect.signature(obj).parameters)
    except (TypeError, ValueError):  # a class whose __init__ is a builtin's, e.g. an exception's
        nb_parameters = dict(inspect.signature(obj.__init__).parameters)
    nb_parameters.pop("self", None)
    rejected = [
        p["name"] if p["kind"] not in ("VAR_POSITIONAL", "VAR_KEYWORD") else f"*{p['name']}"
        for p in sdk_parameters
        if not accepted(p, nb_parameters)
    ]
    if rejected:
        return "does not accept the SDK's " + ", ".join(rejected)
    return None


def sdk_base(name: str) -> type | None:
    """flyte_nb's counterpart of a base class of an SDK exception: a builtin, or a flyte.errors name."""
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type):
        return builtin
    if name in SDK["modules"]["flyte.errors"] and has_name("flyte.errors", name):
        found = nb_object("flyte.errors", name)
        return found if isinstance(found, type) else None
    return None


def kind_problem(entry: dict[str, Any], obj: Any) -> str | None:
    kind = entry["kind"]
    if kind in ("class", "dataclass", "exception") and not inspect.isclass(obj):
        return f"the SDK's is a {kind}, flyte_nb's a {type(obj).__name__}"
    if kind == "function" and not callable(obj):
        return f"the SDK's is a function, flyte_nb's a {type(obj).__name__}"
    if kind == "exception":
        if not issubclass(obj, BaseException):
            return "the SDK's is an exception, flyte_nb's is not"
        lost = [base for base in entry["bases"] if (expected := sdk_base(base)) and not issubclass(obj, expected)]
        if lost:
            return "is not a subclass of " + ", ".join(lost) + " (the SDK's is)"
    return None


def test_present_names_have_the_sdk_kind_and_parameters() -> None:
    problems: dict[str, list[str]] = {}
    for module, names in SDK["modules"].items():
        items = problems.setdefault(module, [])
        for name, entry in names.items():
            if (module == "flyte" and name in CLUSTER_ONLY) or not has_name(module, name):
                continue  # cluster-only names and missing names have their own tests
            obj = nb_object(module, name)
            signature = None if name in MADE_BY_THE_LIBRARY else signature_problem(entry, obj)
            for problem in (kind_problem(entry, obj), signature):
                if problem:
                    items.append(f"{name}: {problem}")
    total = sum(len(items) for items in problems.values())
    assert total == 0, grouped(problems, f"{total} names differ from the SDK's in kind or parameters:")
