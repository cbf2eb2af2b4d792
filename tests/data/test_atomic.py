"""Atomic writes on a ``file://`` store: ``kill -9`` a writer mid-write, readers never see a torn object.

A writer subprocess overwrites one key over and over with 8 MiB payloads, each distinct
and self-describing (a header with its sequence number, body length and sha256). The test
kills it with SIGKILL at random moments (mostly while a write is under way), restarts it,
and after each kill checks that the key holds a complete payload, one the writer had
started (the one it finished last, or the one whose rename happened just before it died).
Between kills it also reads while the writer writes. Kills go on until at least one has
landed inside a write (a temporary was left), and ``clean_temporaries()`` removes those.
"""

from __future__ import annotations

import hashlib
import os
import random
import select
import signal
import statistics
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flyte_nb.data import Store
from flyte_nb.data._store import _TEMP_MARK

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

KEY = "runs/r/actions/1/outputs"
PAYLOAD_BYTES = 8 * 1024 * 1024
KILLS = 6
MAX_KILLS = 30
MAGIC = b"FNBATOM1"
HEADER = struct.Struct(">8sQQ32s")  # magic, sequence number, body length, sha256 of the body

WRITER = textwrap.dedent(
    """
    import hashlib, os, struct, sys
    from flyte_nb.data import Store

    url, key, first, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    header = struct.Struct(">8sQQ32s")
    store = Store(url)
    # distinct bodies made up front, so the loop spends its time in store.put
    bodies = []
    for n in range(3):
        body = (first * 3 + n).to_bytes(8, "big") + os.urandom(size - 8)
        bodies.append((body, hashlib.sha256(body).digest()))
    seq = first
    while True:
        body, checksum = bodies[seq % 3]
        payload = header.pack(b"FNBATOM1", seq, len(body), checksum) + body
        os.write(1, f"begin {seq}\\n".encode())
        store.put(key, payload)
        os.write(1, f"end {seq}\\n".encode())
        seq += 1
    """
)


def check_payload(data: bytes) -> int:
    """The payload's sequence number; fails the test if it is torn or corrupt."""
    assert len(data) >= HEADER.size, f"torn payload: only {len(data)} bytes"
    magic, seq, length, checksum = HEADER.unpack_from(data)
    assert magic == MAGIC, "torn payload: bad header"
    body = data[HEADER.size :]
    assert len(body) == length, f"torn payload: {len(body)} of {length} body bytes"
    assert hashlib.sha256(body).digest() == checksum, "corrupt payload: checksum mismatch"
    return seq


class Writer:
    """The writer subprocess and what it has reported (``begin n`` / ``end n`` lines)."""

    def __init__(self, script: Path, url: str, first: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(script), url, KEY, str(first), str(PAYLOAD_BYTES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.begun: int | None = None
        self.ended: int | None = None
        self._buffer = b""

    def pump(self, timeout: float, *, dead: bool = False) -> str | None:
        """Read one progress line (waiting up to ``timeout`` s); None if there was none."""
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                if dead:
                    return None
                err = self.proc.stderr.read().decode(errors="replace")
                raise AssertionError(f"writer exited ({self.proc.wait()}):\n{err}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        event, seq = line.decode().split()
        if event == "begin":
            self.begun = int(seq)
        else:
            self.ended = int(seq)
        return event

    def wait_for(self, event: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.pump(max(0.0, deadline - time.monotonic())) != event:
            assert time.monotonic() < deadline, f"writer did not report {event!r} in {timeout} s"

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        # progress written before it died still counts (a rename may have completed)
        while self.pump(0.0, dead=True) is not None:
            pass
        self.proc.stdout.close()
        self.proc.stderr.close()


def temporaries(root: Path) -> set[Path]:
    return {path for path in root.rglob(".*") if _TEMP_MARK in path.name}


def test_kill_9_mid_write_never_leaves_a_torn_object(tmp_path: Path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    root = tmp_path / "store"
    url = f"file://{root}"
    store = Store(url)
    rng = random.Random(5)
    first = 0
    last_seen: int | None = None
    put_seconds: list[float] = []
    kills = 0
    torn_writes: set[Path] = set()  # temporaries of killed writes
    # at least KILLS kills; more (up to MAX_KILLS) until one has landed inside a write
    while kills < KILLS or (not torn_writes and kills < MAX_KILLS):
        writer = Writer(script, url, first)
        try:
            # let it complete a write (timing it), then read while it writes the next ones
            writer.wait_for("begin")
            started = time.monotonic()
            writer.wait_for("end")
            put_seconds.append(time.monotonic() - started)
            for _ in range(3):
                writer.wait_for("begin")
                seen = check_payload(store.get(KEY))  # the writer is replacing the key now
                assert last_seen is None or seen >= last_seen
                last_seen = seen
            # kill at a random moment, most often inside store.put (between begin and end)
            writer.wait_for("begin")
            time.sleep(rng.uniform(0.0, 1.2 * statistics.median(put_seconds)))
        finally:
            writer.kill()
        kills += 1
        assert writer.begun is not None and writer.ended is not None
        seen = check_payload(store.get(KEY))
        # the last complete write, or the one in flight if its rename happened before the kill
        assert seen in (writer.ended, writer.begun), f"kill {kills}: found {seen}, writer at {writer.begun}"
        last_seen = seen
        assert list(store.keys()) == [KEY]  # temporaries are never listed as keys
        torn_writes |= temporaries(root)
        if kills % 2:  # clean now and then; leave the rest for the final sweep
            store.clean_temporaries(older_than=0)
        first = writer.begun + 1
    print(f"{kills} kills, {len(torn_writes)} inside a write")
    assert torn_writes, f"no kill in {kills} landed inside a write (put takes {put_seconds})"
    leftover = temporaries(root)
    assert store.clean_temporaries(older_than=0) == len(leftover)
    assert not temporaries(root)
    assert list(store.keys()) == [KEY]
    check_payload(store.get(KEY))
    assert store.clean_temporaries(older_than=0) == 0


def test_clean_temporaries_leaves_complete_objects(tmp_path: Path):
    store = Store(f"file://{tmp_path}")
    store.put("a/b", b"complete")
    (tmp_path / "a" / f".b{_TEMP_MARK}0123").write_bytes(b"half")
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "deep" / f".c{_TEMP_MARK}4567").write_bytes(b"half")
    (tmp_path / ".hidden-but-complete").write_bytes(b"kept")  # not a temporary: no mark
    assert store.clean_temporaries(older_than=0) == 2
    assert store.get("a/b") == b"complete"
    assert (tmp_path / ".hidden-but-complete").exists()
    assert Store("memory://flyte-nb-no-temps").clean_temporaries(older_than=0) == 0  # nothing to do off local disks


def test_clean_temporaries_spares_a_live_writers_young_temporary(tmp_path: Path):
    store = Store(f"file://{tmp_path}")
    store.put("runs/r/obj", b"complete")
    young = tmp_path / "runs" / "r" / ".obj.tmp-live"
    young.write_bytes(b"half")
    assert store.clean_temporaries() == 0 and young.exists()  # default: only old leftovers
    assert store.clean_temporaries(older_than=0) == 1 and not young.exists()
