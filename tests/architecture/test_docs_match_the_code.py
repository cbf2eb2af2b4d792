"""docs/architecture.md and README's layout name modules that exist, and every floor."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "flyte_nb"


def _named_paths(text: str) -> set[str]:
    # `session/_run.py`, `flyte_nb/__init__.py`, `executors/docker/` as written in the prose
    return set(re.findall(r"`((?:flyte_nb/)?[a-z_]+(?:/[a-z_]+)*(?:\.py|/))", text))


def _exists(path: str) -> bool:
    # a path is given from the package or the repository root, or (in a paragraph about one
    # folder) by its name within that folder
    path = path.removeprefix("flyte_nb/")
    if (PACKAGE / path).exists() or (ROOT / path).exists():
        return True
    return any(str(found.relative_to(PACKAGE)).endswith("/" + path.rstrip("/")) for found in PACKAGE.rglob("*"))


def test_architecture_doc_names_only_real_modules():
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = _named_paths(text)
    assert len(named) > 20  # the walk-through names the modules it passes through
    assert sorted(p for p in named if not _exists(p)) == []


def test_every_floor_of_the_contract_is_in_the_doc_and_the_readme():
    pyproject = (ROOT / "pyproject.toml").read_text()
    layers = pyproject[pyproject.index('id = "floors"') :]
    layers = layers[layers.index("layers = [") : layers.index("]")]
    floors = {m.strip() for m in re.split(r"[|:]", " : ".join(re.findall(r'"([^"]+)"', layers)))}
    floors = {m for m in floors if not m.endswith("__main__")}
    assert "flyte_nb.model" in floors and len(floors) >= 12
    doc = (ROOT / "docs" / "architecture.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for module in floors:
        short = module.removeprefix("flyte_nb.")
        as_path = short.replace(".", "/")
        assert as_path in doc, f"docs/architecture.md does not draw {module}"
        if not short.startswith("_") or short in ("_runtime", "_cli"):
            assert f"flyte_nb/{as_path}" in readme, f"README's layout does not list {module}"


def test_readme_layout_names_only_real_paths():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout") :]
    layout = layout[: layout.index("```", layout.index("```") + 3)]
    named = set(re.findall(r"^(\S+/\S*)", layout, flags=re.M))
    assert len(named) > 10
    assert sorted(p for p in named if not (ROOT / p.rstrip("/")).exists()) == []
