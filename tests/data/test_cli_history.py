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
