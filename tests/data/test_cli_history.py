"""``flyte-nb runs``, ``flyte-nb show`` and ``flyte-nb clean --older-than`` on a store a plain script wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import flyte_nb as flyte

env = flyte.TaskEnvironment("clihist")

@env.task(cache="auto")
def square(x: int) -> int:
    return x * x

@env.task
def explode(x: int) -> int:
    raise ValueError(f"exploded on {x}")

@env.task
async def good(n: int) -> int:
    return sum([square(i) for i in range(n)])

@env.task
async def bad(n: int) -> int:
    return square(n) + explode(n)

flyte.init(storage=STORE)
flyte.with_runcontext(name="cli-good").run(good, 3)
try:
    flyte.with_runcontext(name="cli-bad").run(bad, 2)
except ValueError:
    pass
"""


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "FLYTE_NB_CONFIG": str(cwd / "no-config.yaml")}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=environ, check=False
    )


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _python("-m", "flyte_nb", *args, cwd=cwd)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store in which a script ran a succeeding run, then one whose child failed."""
    folder = tmp_path_factory.mktemp("clihist")
    url = f"file://{folder / 'store'}"
    script = folder / "runs_two.py"
    script.write_text(f"STORE = {url!r}\n" + textwrap.dedent(SCRIPT))
    done = _python(str(script), cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder, url


def test_runs_lists_both_newest_first_with_their_phases(store: tuple[Path, str]) -> None:
    folder, url = store
    table = _cli("runs", "--store", url, cwd=folder)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "TASK", "PHASE", "STARTED", "DURATION", "ACTIONS"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["cli-bad", "clihist.bad", "failed"],
        ["cli-good", "clihist.good", "succeeded"],
    ]

    listed = json.loads(_cli("runs", "--store", url, "--json", cwd=folder).stdout)
    assert [(r["name"], r["phase"], r["actions"]) for r in listed] == [
        ("cli-bad", "failed", 3),
        ("cli-good", "succeeded", 4),
    ]
    failed_only = json.loads(_cli("runs", "--store", url, "--json", "--phase", "failed", cwd=folder).stdout)
    assert [r["name"] for r in failed_only] == ["cli-bad"]
    by_task = json.loads(_cli("runs", "--store", url, "--json", "--task", "good", cwd=folder).stdout)
    assert [r["name"] for r in by_task] == ["cli-good"]
    assert len(json.loads(_cli("runs", "--store", url, "--json", "--limit", "1", cwd=folder).stdout)) == 1


def test_show_prints_the_failed_actions_error_and_where_the_page_is(store: tuple[Path, str]) -> None:
    folder, url = store
    shown = _cli("show", "cli-bad", "--store", url, cwd=folder)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "phase     failed" in out and "task      clihist.bad" in out and "backend   local" in out
    assert "ValueError: exploded on 2" in out
    error_files = list((folder / "store" / "runs" / "cli-bad" / "errors").glob("*explode*.txt"))
    assert error_files and f"(whole traceback: file://{error_files[0]})" in out
    page = folder / "store" / "runs" / "cli-bad" / "index.html"
    assert page.is_file() and f"page      file://{page}" in out


def test_show_of_an_unknown_run_fails_naming_the_store_and_how_to_list(store: tuple[Path, str]) -> None:
    folder, url = store
    shown = _cli("show", "no-such-run", "--store", url, cwd=folder)
    assert shown.returncode == 1
    assert "no-such-run" in shown.stderr and url in shown.stderr and "flyte-nb runs" in shown.stderr


def test_clean_older_than_rejects_a_bad_age(store: tuple[Path, str]) -> None:
    folder, url = store
    bad = _cli("clean", "--older-than", "7 days", "--store", url, cwd=folder)
    assert bad.returncode == 2 and "s, m, h, d, w" in bad.stderr


def test_clean_older_than_removes_only_old_runs_and_keeps_the_cache(tmp_path: Path, store: tuple[Path, str]) -> None:
    """Age is the ``started`` time in each run's record (run.json); the test backdates one copy."""
    import shutil

    folder, _ = store
    root = tmp_path / "store"
    shutil.copytree(folder / "store", root)
    url = f"file://{root}"
    record_path = root / "runs" / "cli-good" / "run.json"
    record = json.loads(record_path.read_text())
    record["started"] -= 10 * 86400
    record_path.write_text(json.dumps(record))
    running = root / "runs" / "cli-other-kernel"
    shutil.copytree(root / "runs" / "cli-good", running)
    # its kernel (this test's process) is alive: a record whose kernel is gone reads as failed
    going = {**record, "run": "cli-other-kernel", "phase": "running", "pid": os.getpid()}
    (running / "run.json").write_text(json.dumps(going))
    cache_before = sorted(p.relative_to(root) for p in (root / "cache").rglob("*") if p.is_file())
    assert cache_before

    dry = _cli("clean", "--older-than", "7d", "--dry-run", "--store", url, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "would delete run cli-good" in dry.stdout and "would delete 1 run(s)" in dry.stdout
    assert (root / "runs" / "cli-good").is_dir()

    cleaned = _cli("clean", "--older-than", "1w", "--store", url, cwd=tmp_path)
    assert cleaned.returncode == 0, cleaned.stderr
    assert "deleted 1 run(s)" in cleaned.stdout and "kept 1 run(s) whose record says running" in cleaned.stdout
    assert sorted(p.name for p in (root / "runs").iterdir()) == ["cli-bad", "cli-other-kernel"]
    assert sorted(p.relative_to(root) for p in (root / "cache").rglob("*") if p.is_file()) == cache_before
    listed = json.loads(_cli("runs", "--store", url, "--json", cwd=tmp_path).stdout)
    assert [r["name"] for r in listed] == ["cli-bad", "cli-other-kernel"]


def test_without_store_the_commands_read_the_store_the_config_file_names(
    tmp_path: Path, store: tuple[Path, str]
) -> None:
    _, url = store
    (tmp_path / "config.yaml").write_text(f"storage: {url}\n")
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    environ.pop("FLYTE_NB_CONFIG", None)
    environ.pop("FLYTE_NB_STORAGE", None)
    listed = subprocess.run(
        [sys.executable, "-m", "flyte_nb", "runs", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=environ,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert [r["name"] for r in json.loads(listed.stdout)] == ["cli-bad", "cli-good"]


# ---------------------------------------------------------------------- clean --older-than and the cache
CACHE_SCRIPT = """
import flyte_nb as flyte

env = flyte.TaskEnvironment("cacheclean")

@env.task(cache="auto")
def square(x: int) -> int:
    return x * x

@env.task
async def squares(xs: list[int]) -> int:
    return sum([square(x) for x in xs])

flyte.init(storage=STORE)
flyte.with_runcontext(name="old-only").run(squares, [2])
flyte.with_runcontext(name="old-shared").run(squares, [3])
flyte.with_runcontext(name="old-fresh").run(squares, [5])
flyte.with_runcontext(name="recent").run(squares, [3, 4])
"""

#: rewrites cache entries as if written 10 days earlier (their stamp, inside the sealed entry;
#: an entry's seal holds for its place: a copied store's entries are sealed again)
BACKDATE_ENTRIES = """
import sys
from argparse import Namespace
from flyte_nb._cli_history import store_of
from flyte_nb.data._cache import Stamped
from flyte_nb.data._codec import dumps, loads
from flyte_nb.data._seal import HEADER_SIZE

store = store_of(Namespace(store=sys.argv[1]))
for key in sys.argv[2:]:  # sealed where the store was first written: read past the seal, seal it here
    entry = loads(store.get(key)[HEADER_SIZE:])
    store.put_sealed(key, dumps(Stamped(entry.written_at - 10 * 86400, entry.value)))
"""

READER_SCRIPT = """
import asyncio, os, sys
import flyte_nb as flyte

env = flyte.TaskEnvironment("cacheclean")

@env.task(cache="auto")
def square(x: int) -> int:
    return x * x

@env.task
async def waits(flag: str) -> int:
    while not os.path.exists(flag):
        await asyncio.sleep(0.05)
    return square(2)

flyte.init(storage=sys.argv[1])
print(flyte.with_runcontext(name="reader").run(waits, sys.argv[2]).outputs()[0])
"""


def _cache_use(root: Path, run: str) -> dict[str, list[str]]:
    return json.loads((root / "runs" / run / "cache.json").read_text())


def _entries(root: Path) -> set[str]:
    return {str(p.relative_to(root / "cache")) for p in (root / "cache").rglob("*") if p.is_file()}


def _backdate_run(root: Path, run: str) -> None:
    record_path = root / "runs" / run / "run.json"
    record = json.loads(record_path.read_text())
    record["started"] -= 10 * 86400
    record_path.write_text(json.dumps(record))


@pytest.fixture(scope="module")
def cached_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four runs of a cached task: old-only writes square(2), old-shared square(3), old-fresh
    square(5), recent hits square(3) and writes square(4)."""
    folder = tmp_path_factory.mktemp("cacheclean")
    script = folder / "four_runs.py"
    script.write_text(f"STORE = {'file://' + str(folder / 'store')!r}\n" + textwrap.dedent(CACHE_SCRIPT))
    done = _python(str(script), cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / "store"


def _old_copy(cached_store: Path, tmp_path: Path) -> tuple[Path, str, dict[str, str]]:
    """A copy of the store whose old-* runs started, and whose entries (but old-fresh's) were
    written, 10 days ago; and the entry each run wrote, by run."""
    import shutil

    root = tmp_path / "store"
    shutil.copytree(cached_store, root)
    wrote = {}
    for run in ("old-only", "old-shared", "old-fresh"):
        (wrote[run],) = _cache_use(root, run)["written"]
        _backdate_run(root, run)
    (wrote["recent"],) = _cache_use(root, "recent")["written"]
    backdate = tmp_path / "backdate.py"
    backdate.write_text(BACKDATE_ENTRIES)
    keys = [f"cache/{wrote[run]}" for run in ("old-only", "old-shared", "recent")]
    done = _python(str(backdate), f"file://{root}", *keys, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return root, f"file://{root}", wrote


def test_each_run_records_the_cache_entries_it_wrote_and_hit(cached_store: Path) -> None:
    old_shared = _cache_use(cached_store, "old-shared")
    recent = _cache_use(cached_store, "recent")
    assert old_shared["hit"] == [] and len(old_shared["written"]) == 1
    assert recent["hit"] == old_shared["written"]
    assert len(recent["written"]) == 1 and recent["written"] != old_shared["written"]
    assert {*recent["hit"], *recent["written"]} <= _entries(cached_store)
    record = json.loads((cached_store / "runs" / "recent" / "run.json").read_text())
    assert record["cache_entries"] == 2


def test_clean_removes_old_entries_no_remaining_run_used_and_dry_run_deletes_nothing(
    cached_store: Path, tmp_path: Path
) -> None:
    root, url, wrote = _old_copy(cached_store, tmp_path)
    before = _entries(root)
    assert len(before) == 4

    dry = _cli("clean", "--older-than", "7d", "--dry-run", "--store", url, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert f"would delete cache entry cache/{wrote['old-only']}" in dry.stdout
    assert "would delete 3 run(s)" in dry.stdout and "1 cache entry(ies)" in dry.stdout
    assert _entries(root) == before
    assert sorted(p.name for p in (root / "runs").iterdir()) == ["old-fresh", "old-only", "old-shared", "recent"]

    cleaned = _cli("clean", "--older-than", "7d", "--store", url, cwd=tmp_path)
    assert cleaned.returncode == 0, cleaned.stderr
    assert "deleted 3 run(s)" in cleaned.stdout and "1 cache entry(ies)" in cleaned.stdout
    # square(3): written by an old run, hit by the recent one; square(4): the recent one's;
    # square(5): written by an old run but less than 7 days ago
    assert _entries(root) == before - {wrote["old-only"]}
    assert "2 used by a remaining run; 1 written less than 7d ago" in cleaned.stdout
    assert [p.name for p in (root / "runs").iterdir()] == ["recent"]


def test_clean_keeps_every_entry_while_a_remaining_run_does_not_record_its_cache_use(
    cached_store: Path, tmp_path: Path
) -> None:
    root, url, _ = _old_copy(cached_store, tmp_path)
    record_path = root / "runs" / "recent" / "run.json"
    record = json.loads(record_path.read_text())
    del record["cache_entries"]  # as an earlier flyte_nb wrote it
    record_path.write_text(json.dumps(record))
    before = _entries(root)

    cleaned = _cli("clean", "--older-than", "7d", "--store", url, cwd=tmp_path)
    assert cleaned.returncode == 0, cleaned.stderr
    assert "deleted 3 run(s)" in cleaned.stdout
    assert "kept every cache entry: 1 remaining run(s) do not record which cache entries they used" in cleaned.stdout
    assert _entries(root) == before


def test_a_run_reading_the_cache_while_clean_runs_keeps_its_entries_and_succeeds(
    cached_store: Path, tmp_path: Path
) -> None:
    import time

    root, url, wrote = _old_copy(cached_store, tmp_path)
    reader = tmp_path / "reader.py"
    reader.write_text(READER_SCRIPT)
    flag = tmp_path / "go"
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "FLYTE_NB_CONFIG": str(tmp_path / "no-config.yaml")}
    process = subprocess.Popen(
        [sys.executable, str(reader), url, str(flag)],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        record = root / "runs" / "reader" / "run.json"
        deadline = time.monotonic() + 60
        while not (record.is_file() and '"running"' in record.read_text()):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)

        cleaned = _cli("clean", "--older-than", "7d", "--store", url, cwd=tmp_path)
        assert cleaned.returncode == 0, cleaned.stderr
        assert "deleted 3 run(s)" in cleaned.stdout and "0 cache entry(ies)" in cleaned.stdout
        assert "kept every cache entry: 1 run(s) still going" in cleaned.stdout
        assert wrote["old-only"] in _entries(root)  # square(2), which the reader is about to read

        flag.touch()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.strip().splitlines()[-1] == "4"
    actions = [json.loads(line) for line in (root / "runs" / "reader" / "actions.jsonl").read_text().splitlines()]
    assert [a.get("cached", False) for a in actions if a["name"] == "cacheclean.square"] == [True]
    assert _cache_use(root, "reader")["hit"] == [wrote["old-only"]]

    again = _cli("clean", "--older-than", "7d", "--store", url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert wrote["old-only"] in _entries(root)  # the reader hit it: it stays
