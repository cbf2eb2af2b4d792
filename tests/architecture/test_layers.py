"""The floors hold: imports only go down, and no two modules import each other in a circle.

import-linter checks the layers contract in pyproject.toml; the circle check below reads
the same import graph (grimp, import-linter's own) and counts every import: top level,
inside functions and under ``TYPE_CHECKING``. Type-only circles are allowed inside
``flyte_nb.model`` alone, where the task, its environment and the records name each other.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def _circles(exclude_type_checking_imports: bool) -> list[list[str]]:
    graph = grimp.build_graph("flyte_nb", exclude_type_checking_imports=exclude_type_checking_imports, cache_dir=None)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    # Tarjan's strongly connected components, iteratively (no recursion limit to meet)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_floors_contract_holds():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_import_circle_at_runtime():
    assert _circles(exclude_type_checking_imports=True) == []


def test_type_only_circles_stay_inside_the_model():
    outside = [
        c for c in _circles(exclude_type_checking_imports=False) if not all(m.startswith("flyte_nb.model.") for m in c)
    ]
    assert outside == []


def test_the_circle_finder_finds_a_circle(tmp_path, monkeypatch):
    # the check above must be able to fail: a two-module circle in a throwaway package
    pkg = tmp_path / "flyte_nb_circle_probe"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from . import b\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("flyte_nb_circle_probe", cache_dir=None)
    assert "flyte_nb_circle_probe.b" in graph.find_modules_directly_imported_by("flyte_nb_circle_probe.a")
    assert "flyte_nb_circle_probe.a" in graph.find_modules_directly_imported_by("flyte_nb_circle_probe.b")
