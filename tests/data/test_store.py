"""One conformance suite for the Store, run on ``memory://``, ``file://`` and ``s3://`` (moto)."""

from __future__ import annotations

import asyncio
import os

import fsspec
import pytest

from flyte_nb.data import Store
from flyte_nb.data._store import _TEMP_MARK

from .conftest import StoreSpec


def test_put_get_round_trip(store: Store):
    blobs = {"a": b"hello", "nested/deeper/b.bin": bytes(range(256)) * 40, "empty": b""}
    for key, data in blobs.items():
        store.put(key, data)
    for key, data in blobs.items():
        assert store.get(key) == data


def test_put_overwrites(store: Store):
    store.put("k", b"first version, longer than the second")
    store.put("k", b"second")
    assert store.get("k") == b"second"
    assert store.size("k") == len(b"second")
    assert list(store.keys()) == ["k"]


def test_exists_size_delete(store: Store):
    assert not store.exists("x/y")
    store.put("x/y", b"12345")
    assert store.exists("x/y")
    assert store.size("x/y") == 5
    store.delete("x/y")
    assert not store.exists("x/y")
    store.delete("x/y")  # deleting what is not there is not an error
    store.put("tree/1", b"1")
    store.put("tree/sub/2", b"2")
    store.delete("tree", recursive=True)
    assert not store.exists("tree/1") and not store.exists("tree/sub/2")


def test_keys_lists_complete_objects_and_skips_temporaries(store: Store):
    for key in ("a/1", "a/b/2", "c"):
        store.put(key, key.encode())
    # what a writer killed mid-write leaves behind on a local disk, written straight to the fs
    store.fs.pipe_file(store.path(f"a/.2{_TEMP_MARK}deadbeef"), b"torn")
    assert list(store.keys()) == ["a/1", "a/b/2", "c"]
    assert list(store.keys("a")) == ["a/1", "a/b/2"]
    assert list(store.keys("a/b")) == ["a/b/2"]
    assert list(store.keys("missing")) == []


def test_url_of_opens_with_fsspec(store_spec: StoreSpec):
    store = store_spec.store()
    store.put("dir/obj", b"by url")
    url = store.url_of("dir/obj")
    assert url.startswith(f"{store.protocol}://")
    with fsspec.open(url, "rb", **store_spec.options) as handle:
        assert handle.read() == b"by url"


def test_open_streams_reads_and_writes(store: Store):
    data = os.urandom(3 * 1024 * 1024 + 17)
    store.put("big", data)
    chunks = []
    with store.open("big") as handle:
        while chunk := handle.read(256 * 1024):
            chunks.append(chunk)
        handle.seek(1024 * 1024)
        assert handle.read(10) == data[1024 * 1024 : 1024 * 1024 + 10]
    assert len(chunks) > 1
    assert b"".join(chunks) == data
    with store.open("streamed", "wb") as handle:
        for i in range(4):
            handle.write(bytes([i]) * 1000)
    assert store.get("streamed") == b"".join(bytes([i]) * 1000 for i in range(4))


def test_missing_key_is_file_not_found(store: Store):
    with pytest.raises(FileNotFoundError):
        store.get("no/such/key")
    with pytest.raises(FileNotFoundError):
        with store.open("no/such/key") as handle:
            handle.read()
    with pytest.raises(FileNotFoundError):
        store.size("no/such/key")


@pytest.mark.parametrize("key", ["..", "../outside", "a/../../b", "a/..", "/abs", "/etc/passwd"])
def test_bad_keys_are_rejected(store: Store, key: str):
    for call in (
        lambda: store.put(key, b"x"),
        lambda: store.get(key),
        lambda: store.exists(key),
        lambda: store.url_of(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(ValueError, match="relative paths"):
            call()


def test_files_and_async_api(store: Store, tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(b"file contents" * 100)
    store.put_file("uploads/f", str(source))
    target = tmp_path / "target.bin"
    store.get_file("uploads/f", str(target))
    assert target.read_bytes() == source.read_bytes()

    async def roundtrip() -> bytes:
        await store.aput("async/k", b"from the loop")
        return await store.aget("async/k")

    assert asyncio.run(roundtrip()) == b"from the loop"


def test_two_store_objects_on_one_url_share_the_data(store_spec: StoreSpec):
    store_spec.store().put("shared", b"seen by both")
    assert store_spec.store().get("shared") == b"seen by both"
