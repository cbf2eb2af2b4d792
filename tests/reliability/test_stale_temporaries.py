"""Item 9 of issue 12 (first half): temporaries of killed writers are removed at the next run
on their store, in the background (the run never waits for it), once per store per process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import flyte_nb as flyte
from flyte_nb.data import _sweep
from flyte_nb.data._store import _TEMP_MARK, Store

env = flyte.TaskEnvironment("stale_temporaries")


@env.task
async def one() -> int:
    return 1


@pytest.fixture
def store_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.setenv("FLYTE_NB_STORAGE", str(root))
    return root


def temporary(root: Path, folder: str, age_s: float) -> Path:
    """A temporary as Store.put names it, last written ``age_s`` seconds ago."""
    path = root / folder / f".obj{_TEMP_MARK}{os.urandom(8).hex()}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a pickle")
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def sweeps_alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "flyte_nb-sweep"]


def test_the_next_run_removes_stale_temporaries_in_the_background_once(store_root, monkeypatch):
    assert wait_until(lambda: not sweeps_alive())  # earlier tests' sweeps (of their own stores) are over
    stale = [
        temporary(store_root, "runs/killed/actions/3/attempt-1", 2 * 3600),
        temporary(store_root, "cache/stale_temporaries.one", 3 * 3600),
        temporary(store_root, "blobs/ab12", 5000),
        temporary(store_root, "", 7200),
    ]
    young = temporary(store_root, "runs/live/actions/1/attempt-1", 60)  # a writer may still be at it
    foreign = temporary(store_root, "my-own-data", 9999)  # not a folder flyte_nb writes
    # hold the sweep at its first removal, to show the run does not wait for it
    gate = threading.Event()
    real_remove = _sweep._remove_if_stale

    def held(*args):
        gate.wait(30)
        real_remove(*args)

    monkeypatch.setattr(_sweep, "_remove_if_stale", held)
    try:
        run = flyte.run(one)
        assert run.outputs()[0] == 1 and all(p.exists() for p in stale)  # the run ended while the sweep waits
        assert len(sweeps_alive()) == 1
        assert flyte.run(one).outputs()[0] == 1
        assert len(sweeps_alive()) == 1  # a second run on the same store starts no second sweep
    finally:
        gate.set()
    assert wait_until(lambda: not any(p.exists() for p in stale)), [str(p) for p in stale if p.exists()]
    assert young.exists() and foreign.exists()
    assert wait_until(lambda: not sweeps_alive())
    # once per store per process: a temporary going stale now waits for the next process (or clean)
    later = temporary(store_root, "runs/killed/actions/4/attempt-1", 2 * 3600)
    assert flyte.run(one).outputs()[0] == 1 and not sweeps_alive() and later.exists()


def test_a_killed_writers_temporary_goes_at_the_next_run_of_another_process(store_root):
    # a writer killed with -9 between its write and its rename (what test_atomic shows can happen)
    writer = (
        "import os, signal\n"
        "from flyte_nb.data._store import Store\n"
        "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"Store({str(store_root)!r}).put('runs/r1/actions/1/attempt-1/outputs', b'x' * 1000)\n"
    )
    done = subprocess.run([sys.executable, "-c", writer], capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    (left,) = [p for p in store_root.rglob(f".*{_TEMP_MARK}*")]
    old = time.time() - 2 * 3600
    os.utime(left, (old, old))  # an hour on
    runner = (
        "import threading, flyte_nb as flyte\n"
        "env = flyte.TaskEnvironment('next')\n"
        "@env.task\n"
        "async def one() -> int:\n"
        "    return 1\n"
        "assert flyte.run(one).outputs()[0] == 1\n"
        "for t in threading.enumerate():\n"
        "    if t.name == 'flyte_nb-sweep':\n"
        "        t.join(30)\n"
    )
    done = subprocess.run([sys.executable, "-c", runner], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not left.exists()
    assert Store(str(store_root)).clean_temporaries(older_than=0) == 0  # flyte-nb clean finds nothing left


def test_the_sweep_reads_only_flyte_nb_folders_and_looks_only_at_temporaries(tmp_path, monkeypatch):
    root = tmp_path / "big"
    for run in range(40):
        for action in range(25):
            folder = root / "runs" / f"r{run}" / "actions" / str(action) / "attempt-1"
            folder.mkdir(parents=True)
            (folder / "job").write_bytes(b"j")
            (folder / "job.result").write_bytes(b"r")
    for i in range(200):
        (root / "elsewhere" / str(i)).mkdir(parents=True)
    stale = temporary(root, "runs/r7/actions/3/attempt-1", 7200)
    looked_at: list[str] = []
    monkeypatch.setattr(_sweep, "_remove_if_stale", _counting(_sweep._remove_if_stale, looked_at))
    report = _sweep.sweep(str(root))
    assert report.removed == 1 and not stale.exists()
    assert looked_at == [str(stale)]  # the only entry stat'ed: the one named like a temporary
    # the root, runs/, then per run: its folder, actions/, and per action its folder and attempt-1/
    assert report.folders == 1 + 1 + 40 * (1 + 1 + 25 * 2)  # never elsewhere/


def _counting(func, calls: list[str]):
    def counted(entry, *args):
        calls.append(entry.path)
        return func(entry, *args)

    return counted
