"""Run history: ``flyte.remote.Run`` reads ended runs back from the store, in a new process too."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.data import _layout as layout

ROOT = Path(__file__).resolve().parents[2]

env = flyte.TaskEnvironment("history")


@env.task
def add(x: int, y: int = 10) -> int:
    return x + y


@env.task
def pair(word: str) -> tuple[str, int]:
    return word.upper(), len(word)


@env.task
def explode(x: int) -> int:
    raise ValueError(f"bad {x}")


def _in_new_process(store_url: str, code: str) -> dict:
    """Run ``code`` in a fresh Python on the same store; it prints one JSON line."""
    script = f"import json\nimport flyte_nb as flyte\nflyte.init(storage={store_url!r})\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_process_reads_past_runs_phases_outputs_and_inputs(tmp_path: Path) -> None:
    url = f"file://{tmp_path / 'store'}"
    flyte.init(storage=url)
    first = flyte.with_runcontext(name="hist-add").run(add, 5)
    second = flyte.with_runcontext(name="hist-pair").run(pair, word="abc")
    with pytest.raises(ValueError):
        flyte.with_runcontext(name="hist-boom").run(explode, 1)
    assert first.outputs()[0] == 15 and second.outputs() == ("ABC", 3)

    seen = _in_new_process(
        url,
        """
        added = flyte.remote.Run.get("hist-add")
        paired = flyte.remote.Run.get.aio  # the coroutine twin exists
        paired = flyte.remote.Run.get("hist-pair")
        boom = flyte.remote.Run.get("hist-boom")
        try:
            boom.outputs()
            boom_outputs = "none raised"
        except flyte.errors.RuntimeUserError as e:
            boom_outputs = str(e)
        try:
            flyte.remote.Run.get("no-such-run")
            missing = "none raised"
        except flyte.errors.RunNotFoundError as e:
            missing = str(e)
        print(json.dumps({
            "added": [added.name, added.phase, added.done(), list(added.outputs()), added.inputs().to_dict()],
            "paired": [paired.phase, list(paired.outputs()), paired.outputs().named_outputs, dict(paired.inputs())],
            "task": added.task_name,
            "url": added.url,
            "boom": [boom.phase, boom_outputs, dict(boom.inputs())],
            "missing": missing,
            "all": [r.name for r in flyte.remote.Run.listall()],
            "failed": [r.name for r in flyte.remote.Run.listall(in_phase=("failed",))],
            "succeeded": [r.name for r in flyte.remote.Run.listall(in_phase=flyte.models.ActionPhase.SUCCEEDED)],
            "by_task": [r.name for r in flyte.remote.Run.listall(task_name="add")],
            "limited": [r.name for r in flyte.remote.Run.listall(limit=1)],
        }))
        """,
    )
    assert seen["added"] == ["hist-add", "succeeded", True, [15], {"x": 5, "y": 10}]
    assert seen["paired"] == ["succeeded", ["ABC", 3], {"o0": "ABC", "o1": 3}, {"word": "abc"}]
    assert seen["task"].endswith("add") and seen["url"] == first.url
    assert seen["boom"][0] == "failed" and "hist-boom failed" in seen["boom"][1] and seen["boom"][2] == {"x": 1}
    assert "no-such-run" in seen["missing"] and str(tmp_path / "store") in seen["missing"]
    assert seen["all"] == ["hist-boom", "hist-pair", "hist-add"]  # newest first
    assert seen["failed"] == ["hist-boom"]
    assert seen["succeeded"] == ["hist-pair", "hist-add"]
    assert seen["by_task"] == ["hist-add"]
    assert seen["limited"] == ["hist-boom"]


def test_the_aio_twins_give_the_same_runs(tmp_path: Path) -> None:
    flyte.init(storage=f"file://{tmp_path / 'store'}")
    flyte.with_runcontext(name="hist-aio").run(add, 1, y=2)

    async def read() -> None:
        run = await flyte.remote.Run.get.aio("hist-aio")
        assert tuple(await run.outputs.aio()) == (3,) and dict(await run.inputs.aio()) == {"x": 1, "y": 2}
        assert [r.name async for r in flyte.remote.Run.listall.aio()] == ["hist-aio"]
        with pytest.raises(flyte.errors.RunNotFoundError, match="nope"):
            await flyte.remote.Run.get.aio("nope")

    asyncio.run(read())


def test_listing_reads_only_the_records_never_a_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flyte.init(storage=f"file://{tmp_path / 'store'}")
    for i in range(3):
        flyte.with_runcontext(name=f"hist-{i}").run(add, i)
    read: list[str] = []
    original = Store.get

    def counting_get(self: Store, key: str) -> bytes:
        read.append(key)
        return original(self, key)

    monkeypatch.setattr(Store, "get", counting_get)
    runs = list(flyte.remote.Run.listall())
    assert [r.name for r in runs] == ["hist-2", "hist-1", "hist-0"]
    assert sorted(read) == sorted(layout.run_record(f"hist-{i}") for i in range(3))
    read.clear()
    assert runs[0].outputs()[0] == 12
    assert read == [layout.run_outputs_key("hist-2")]  # a value is loaded only when asked for


@env.task
def shout(text: str) -> int:
    return len(text)


def test_entry_values_above_the_cap_are_not_kept_and_outputs_says_so(tmp_path: Path) -> None:
    url = f"file://{tmp_path / 'store'}"
    assert flyte.init(storage=url).max_kept_io_bytes == 64 << 20  # the default: 64 MiB
    flyte.init(storage=url, max_kept_io_bytes=1000)
    flyte.with_runcontext(name="hist-big").run(shout, "x" * 5000)
    past = flyte.remote.Run.get("hist-big")
    assert past.outputs()[0] == 5000  # small: kept
    with pytest.raises(flyte.errors.FlyteNbError, match=r"did not keep its inputs: they are 5,0\d\d bytes") as caught:
        past.inputs()
    assert "above the 1,000 bytes" in str(caught.value) and "flyte.init(max_kept_io_bytes=...)" in str(caught.value)
    assert not (tmp_path / "store" / layout.run_inputs_key("hist-big")).exists()
    with pytest.raises(flyte.errors.ConfigError, match="max_kept_io_bytes .* must be an int >= 0"):
        flyte.init(storage=url, max_kept_io_bytes=-1)
