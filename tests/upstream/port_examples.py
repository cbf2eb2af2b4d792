"""Copy the Flyte 2 SDK's example programs into tests/upstream/examples/, changing only imports.

    python tests/upstream/port_examples.py /path/to/flyte-sdk.git

Reads ``examples/<path>`` at the repository's HEAD for each name in ``examples.json`` (the ones that
run in the SDK's local mode and need nothing this machine lacks) and writes
``examples/<path>`` here with ``import flyte`` -> ``import flyte_nb as flyte`` (and the same for
``import flyte.<sub>`` and ``from flyte[.<sub>] import``), and ``flyte.init_from_config(...)`` ->
``flyte.init()`` (the SDK's local mode needed that too: it has no config file here). A header
comment names the source and every change.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
MANIFEST = json.loads((HERE / "examples.json").read_text())


def balanced_call_end(text: str, open_paren: int) -> int:
    depth = 0
    for index in range(open_paren, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError("unbalanced parentheses")


def port(source: str, init_from_config_to_init: bool = True) -> tuple[str, list[str]]:
    changes: list[str] = []
    lines = []
    for line in source.splitlines(keepends=True):
        new = re.sub(r"^(\s*)import flyte\s*$", r"\1import flyte_nb as flyte\n", line)
        new = re.sub(r"^(\s*)import flyte\.(\w+)\s*$", r"\1import flyte_nb as flyte, flyte_nb.\2\n", new)
        new = re.sub(r"^(\s*)from flyte((?:\.\w+)*) import ", r"\1from flyte_nb\2 import ", new)
        if new != line:
            change = f"`{line.strip()}` -> `{new.strip()}`"
            if change not in changes:
                changes.append(change)
        lines.append(new)
    text = "".join(lines)
    while init_from_config_to_init and (start := text.find("flyte.init_from_config(")) != -1:
        end = balanced_call_end(text, start + len("flyte.init_from_config"))
        old = text[start:end]
        text = text[:start] + "flyte.init()" + text[end:]
        changes.append(f"`{' '.join(old.split())}` -> `flyte.init()` (the SDK's local run needed it too)")
    return text, changes


NOTEBOOK = "interactive/interactive.ipynb"


def port_notebook(repo: str, commit: str) -> None:
    """The SDK's interactive notebook with its ``import flyte`` cell changed, and a first cell saying so.

    ``flyte.init_from_config()`` stays: with no config file flyte_nb's uses its local backend.
    """
    source = subprocess.run(
        ["git", "-C", repo, "show", f"HEAD:examples/{NOTEBOOK}"], capture_output=True, text=True, check=True
    ).stdout
    notebook = json.loads(source)
    changes = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            text = "".join(cell["source"])
            new, _ = port(text, init_from_config_to_init=False)
            if new != text:
                changes.append(f"`{text.strip()}` -> `{new.strip()}`")
                cell["source"] = new.splitlines(keepends=True)
    note = (
        f"Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/{NOTEBOOK}, commit {commit[:12]}); "
        f"changed: {'; '.join(changes)}; this cell added."
    )
    notebook["cells"].insert(
        0, {"cell_type": "markdown", "id": "ported-from-flyte-sdk", "metadata": {}, "source": [note]}
    )
    out = HERE / "examples" / NOTEBOOK
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(notebook, indent=1) + "\n")
    print(f"ported {NOTEBOOK} ({len(changes)} changes)")


def main(repo: str) -> None:
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    port_notebook(repo, commit.stdout.strip())
    for name in MANIFEST["ported"]:
        source = subprocess.run(
            ["git", "-C", repo, "show", f"HEAD:examples/{name}"], capture_output=True, text=True, check=True
        ).stdout
        text, changes = port(source)
        header = [
            f"# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/{name},",
            f"# commit {commit.stdout.strip()[:12]}); changed:",
            *(f"#   {change}" for change in changes),
        ]
        out = HERE / "examples" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(header) + "\n" + text)
        print(f"ported {name} ({len(changes)} changes)")


if __name__ == "__main__":
    main(sys.argv[1])
