"""The store layout has one definition (``flyte_nb/data/_layout.py``) and runs follow it.

The source rule, kept simple on purpose: outside ``data/_layout.py``, no string literal in
``flyte_nb/`` (docstrings and comments excepted: they may draw the tree) may *begin* with a
store top folder and a slash (``runs/``, ``cache/``, ``blobs/``, ``files/``, ``doctor/``), or
contain a run's inner segment (``/actions/``, ``/callbacks/``, ``/traces/``, ``/errors/``,
``/logs/``, ``/inputs/``, ``/outputs``, ``/attempt-``, ``run.json``). Such a key is built with
a ``_layout`` function instead. Bare folder names (``"cache"``) are not flagged: they are also
ordinary words (a task option, a magic command).
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from pathlib import Path

import flyte_nb as flyte
from flyte_nb.data import _cache as cache
from flyte_nb.data import _layout as layout

PACKAGE = Path(flyte.__file__).parent
LAYOUT = PACKAGE / "data" / "_layout.py"
_KEY = re.compile(
    r"^(?:[rbuRBU]{0,2}[fF]?[rR]?)(?:'''|\"\"\"|'|\")"  # the literal's prefix and opening quote
    r"(?:(?:runs|cache|blobs|files|doctor)/"
    r"|.*(?:/actions/|/callbacks/|/traces/|/errors/|/logs/|/inputs/|/outputs|/attempt-|run\.json))",
    re.DOTALL,
)
#: literals that look like store keys but are not: (module, literal start), each with its reason
NOT_KEYS = {
    ("_image.py", 'f"files/'): "a folder inside a docker build context, not the store",
}


def _docstring_starts(tree: ast.AST) -> set[tuple[int, int]]:
    starts = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    starts.add((body[0].value.lineno, body[0].value.col_offset))
    return starts


def key_literals(path: Path) -> list[str]:
    """The string literals of ``path`` that spell a store key (see the module docstring)."""
    text = path.read_text()
    docstrings = _docstring_starts(ast.parse(text))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING or token.start in docstrings:
            continue
        if _KEY.match(token.string) and not any(
            path.name == module and token.string.startswith(start) for module, start in NOT_KEYS
        ):
            found.append(f"{os.path.relpath(path, PACKAGE.parent)}:{token.start[0]}: {token.string}")
    return found


def test_no_module_but_the_layout_spells_a_store_key():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) if path != LAYOUT for hit in key_literals(path)]
    assert found == [], "build these keys with flyte_nb/data/_layout.py:\n" + "\n".join(found)


def test_the_scan_catches_the_old_spellings_and_spares_docstrings(tmp_path: Path):
    sample = tmp_path / "sample.py"
    source = (
        '"""Drawn here: runs/<run>/actions/<action>/job."""\n'
        'prefix = f"runs/{run}/actions/{action}/attempt-{attempt}"\n'
        'key = f"cache/{task}/{digest}"\n'
        'out = job + "/outputs"\n'
        'record = f"{prefix}/run.json"\n'
        'option = changes["cache"]\n'
    )
    sample.write_text(source)
    found = key_literals(sample)
    assert [hit.split(": ", 1)[1] for hit in found] == [
        'f"runs/{run}/actions/{action}/attempt-{attempt}"',
        'f"cache/{task}/{digest}"',
        '"/outputs"',
        'f"{prefix}/run.json"',
    ]


env = flyte.TaskEnvironment("layout", max_inline_io_bytes=1024)


@env.task(cache="auto")
async def double(data: bytes) -> bytes:
    print("doubled")
    return data * 2


@env.task
async def fails() -> None:
    raise ValueError("on purpose")


@env.task
async def main(data: bytes) -> int:
    out = await double(data)
    try:
        await fails()
    except Exception:
        pass
    return len(out)


def test_a_local_run_writes_exactly_the_keys_the_layout_gives(tmp_path: Path):
    root = tmp_path / "store"
    flyte.init(storage=f"file://{root}", local={"copy_io": True})
    data = b"z" * 5000  # above the inline limit: offloaded as an input and as outputs
    run = flyte.with_runcontext(name="layout").run(main, data)
    assert run.outputs()[0] == 10000
    written = {
        os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        for folder, _, names in os.walk(root)
        for name in names
    }
    name = run.name
    # action ids in call order: main #0, double #1, fails #2; first attempts
    expected = {
        layout.run_record(name),
        layout.run_actions_key(name),
        layout.run_page_key(name),
        layout.run_cache_use_key(name),  # double wrote a cache entry
        layout.run_inputs_key(name),
        layout.run_outputs_key(name),
        layout.run_log_key(name, "1-double"),
        layout.run_error_key(name, "2-fails"),
        layout.input_key(name, 0, 1, "data"),
        layout.input_key(name, 1, 1, "data"),
        layout.output_key(name, 1, 1),
        cache.cache_key(double, (data,), {}),
    }
    assert written == expected
    assert run.url.endswith(layout.run_root(name))
    assert run.page_url is not None and run.page_url.endswith(layout.run_page_key(name))
    assert all(key.split("/", 1)[0] in layout.TOP_FOLDERS for key in written)
    assert {layout.run_of(key) for key in written} == {name, None}
