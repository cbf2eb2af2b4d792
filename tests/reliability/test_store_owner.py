"""Issue 12 item 3: who can read and write the store. Files a run creates are 0600 and
folders 0700 whatever the umask (0660 / 0770 with ``storage_shared: true``); the key that
seals entries is made once (0600) and reused by every process of the user; a team that
shares a store shares its entries by giving everyone the same ``store_key``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.data._seal import key_file
from flyte_nb.errors import CacheUntrustedWarning

env = flyte.TaskEnvironment("store_owner", max_inline_io_bytes=1024)
CALLS: list[int] = []


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would make files 0666 and folders 0777: the store must not depend on it."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@env.task(cache="auto")
async def big(n: int) -> bytes:
    CALLS.append(n)
    return b"y" * n


@env.task
async def relay(blob: bytes) -> int:
    return len(await big(len(blob)))


def modes(root: Path) -> tuple[set[int], set[int]]:
    files, folders = set(), {stat.S_IMODE(root.stat().st_mode)}
    for folder, dirs, names in os.walk(root):
        folders.update(stat.S_IMODE(os.stat(os.path.join(folder, d)).st_mode) for d in dirs)
        files.update(stat.S_IMODE(os.stat(os.path.join(folder, n)).st_mode) for n in names)
    return files, folders


def _run_everything(tmp_path: Path) -> Path:
    """A run that writes every kind of store file: offloaded inputs and outputs, a cache
    entry, trace-free run record (run.json); returns the store's folder."""
    handle = flyte.with_runcontext(name="owner").run(relay, b"z" * 5000)
    assert handle.outputs()[0] == 5000
    root = tmp_path / "store"
    kinds = {p.parts[len(root.parts)] for p in root.rglob("*") if p.is_file()}
    assert kinds == {"runs", "cache"}, kinds
    return root


def test_files_and_folders_a_run_creates_are_private_whatever_the_umask(tmp_path: Path, loose_umask: None):
    flyte.init(storage=f"file://{tmp_path / 'store'}", local={"copy_io": True})
    files, folders = modes(_run_everything(tmp_path))
    assert files == {0o600} and folders == {0o700}


def test_storage_shared_makes_them_group_readable_and_writable(tmp_path: Path, loose_umask: None):
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: file://{tmp_path / 'store'}\nstorage_shared: true\nlocal: {{copy_io: true}}\n")
    flyte.init_from_config(config)
    files, folders = modes(_run_everything(tmp_path))
    assert files == {0o660} and folders == {0o770}


@env.task
async def write_files(folder: str) -> list[str]:
    from flyte_nb.io import Dir, File

    written = File.new_remote("written.txt")  # streamed into the store by fsspec
    with written.open("wb") as handle:
        handle.write(b"streamed")
    uploaded = await File.from_local(os.path.join(folder, "local.txt"))
    tree = await Dir.from_local(folder)
    return [written.path, uploaded.path, tree.path]


def test_flyte_io_files_in_the_store_are_private_too(tmp_path: Path, loose_umask: None):
    local = tmp_path / "local"
    (local / "empty").mkdir(parents=True)
    (local / "local.txt").write_text("uploaded")
    flyte.init(storage=f"file://{tmp_path / 'store'}")
    paths = flyte.run(write_files, str(local)).outputs()[0]
    assert all(path.startswith(f"file://{tmp_path / 'store'}") for path in paths)
    files, folders = modes(tmp_path / "store")
    assert files == {0o600} and folders == {0o700}
    assert (tmp_path / "store" / "blobs").is_dir()


@pytest.mark.parametrize("shared", [False, True], ids=["private", "shared"])
def test_files_a_container_writes_get_the_store_modes(docker_client, tmp_path: Path, shared: bool):
    from docker_support import IMAGE

    config = tmp_path / "config.yaml"
    config.write_text(
        f"backend: docker\nstorage: file://{tmp_path / 'store'}\nstorage_shared: {str(shared).lower()}\n"
        f"docker: {{base_image: {IMAGE}}}\n"
    )
    flyte.init_from_config(config)
    handle = flyte.with_runcontext(name="container-modes").run(big, 5000)  # offloaded by the container
    assert handle.outputs()[0] == b"y" * 5000
    written = list((tmp_path / "store" / "runs" / "container-modes").rglob("job.*"))
    assert {p.name for p in written} >= {"job.output", "job.result"}, written
    files, folders = modes(tmp_path / "store")
    assert (files, folders) == (({0o660}, {0o770}) if shared else ({0o600}, {0o700}))


SCRIPT = textwrap.dedent(
    """
    import sys
    import flyte_nb as flyte

    env = flyte.TaskEnvironment("store_owner_script")

    @env.task(cache="auto")
    async def double(x: int) -> int:
        return 2 * x

    flyte.init(storage=sys.argv[1])
    handle = flyte.run(double, 21)
    print(handle.outputs()[0], handle.controller.actions[0].state)
    """
)


def test_the_key_file_is_private_made_once_and_reused_by_the_next_process(tmp_path: Path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    store = f"file://{tmp_path / 'store'}"
    assert not key_file().exists()

    def run() -> str:
        done = subprocess.run([sys.executable, str(script), store], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert run() == ["42", "succeeded"]
    path = key_file()  # the same folder in the children: they inherit $XDG_CONFIG_HOME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    key = path.read_bytes()
    assert run() == ["42", "cached"]  # the second process checked the first's seal with the same key
    assert path.read_bytes() == key


def _as_user(monkeypatch: pytest.MonkeyPatch, home: Path, config: str) -> None:
    """Switch to another "user": another config folder (so another store.key) and config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(config)
    flyte.init_from_config(home / "config.yaml")


def test_a_store_key_in_the_config_lets_two_users_share_cache_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    team = f"storage: file://{tmp_path / 'store'}\nstore_key: {'k' * 40}\nstorage_shared: true\n"
    _as_user(monkeypatch, tmp_path / "alice", team)
    assert flyte.run(big, 10).outputs()[0] == b"y" * 10 and CALLS == [10]
    _as_user(monkeypatch, tmp_path / "bob", team)
    hit = flyte.run(big, 10)
    assert hit.outputs()[0] == b"y" * 10 and hit.controller.actions[0].state == "cached" and CALLS == [10]
    assert not (tmp_path / "alice" / "flyte_nb" / "store.key").exists()  # the team key stands in for it

    # without the team key each user has their own: the other's entries are not trusted
    _as_user(monkeypatch, tmp_path / "carol", f"storage: file://{tmp_path / 'store'}\n")
    with pytest.warns(CacheUntrustedWarning):
        assert flyte.run(big, 10).outputs()[0] == b"y" * 10
    assert CALLS == [10, 10] and (tmp_path / "carol" / "flyte_nb" / "store.key").exists()
    assert Store(f"file://{tmp_path / 'store'}").exists("cache")
