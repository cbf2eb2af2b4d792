"""flyte_nb.io: File, Directory and DataFrame, passed between actions by reference.

Every test runs on a ``memory://`` and a ``file://`` store (``flyte.init(storage=...)``);
one runs on ``s3://`` (moto) to check that storage options reach the reads and writes.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import assert_runs_in_a_fresh_interpreter

import flyte_nb as flyte
from flyte_nb.data import DataTooLargeError, Store
from flyte_nb.io import DataFrame, Dir, Directory, File

from .conftest import StoreSpec

env = flyte.TaskEnvironment("io-tests")


@pytest.fixture(params=("memory", "file"))
def io_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh memory:// or file:// store, made the storage of runs and of uploads outside runs."""
    url = f"memory://flyte-nb-io-{uuid.uuid4().hex[:12]}" if request.param == "memory" else f"file://{tmp_path}/store"
    flyte.init(storage=url)
    store = Store(url)
    yield store
    if request.param == "memory" and store.fs.exists(store.root):
        store.fs.rm(store.root, recursive=True)


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def blob_keys(store: Store) -> list[str]:
    return list(store.keys("blobs"))


# ---------------------------------------------------------------------- tasks
@env.task
async def make_file(text: str) -> File:
    local = Path(os.environ["IO_TEST_SCRATCH"]) / f"{uuid.uuid4().hex}.txt"
    local.write_text(text)
    return File.new_remote(str(local))


@env.task
async def read_file(f: File) -> bytes:
    with open(f.download(), "rb") as handle:  # sync download inside an async task
        return handle.read()


@env.task
def read_file_in_a_thread(f: File) -> bytes:
    with f.open("rb") as handle:
        return handle.read()


@env.task
async def file_pipeline(text: str) -> tuple[File, bytes, bytes]:
    f = await make_file(text)
    return f, await read_file(f), await read_file_in_a_thread.aio(f)


@env.task
async def size_of(f: File) -> int:
    path = await f.download.aio()  # off the event loop
    return len(Path(path).read_bytes())


@env.task
async def size_of_bytes(data: bytes) -> int:
    return len(data)


@env.task
async def count_rows(frame: DataFrame) -> int:
    return len(frame.to_pandas())


@env.task
async def double(frame: DataFrame) -> DataFrame:
    import pandas as pd

    data = await frame.open(pd.DataFrame).all()
    return DataFrame.from_df(data * 2)


@env.task
async def list_names(d: Directory) -> list[str]:
    return [f.name async for f in d.walk()]


@env.task
async def add_readme(d: Directory) -> Directory:
    local = Path(d.download())
    (local / "README").write_text("added")
    return await Directory.from_local(str(local))


@pytest.fixture(autouse=True)
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("IO_TEST_SCRATCH", str(folder))
    return folder


# ---------------------------------------------------------------------- File
def test_a_file_made_in_one_task_is_read_in_another(io_store: Store):
    run = flyte.run(file_pipeline, "hello from a task")
    assert run.phase == "succeeded"
    f, read_async, read_sync = run.outputs()
    assert read_async == read_sync == b"hello from a task"
    # the bytes live in the run's store, content-addressed
    assert f.path == io_store.url_of(f"blobs/{f.hash}/{f.name}")
    assert io_store.get(f"blobs/{f.hash}/{f.name}") == b"hello from a task"
    assert f.size == len(b"hello from a task")


def test_a_file_uploaded_outside_a_run_is_read_inside_one(io_store: Store, tmp_path: Path):
    f = File.from_local_sync(write(tmp_path / "in.bin", b"\x00\x01payload"))
    assert f.path.startswith(io_store.url_of("blobs/"))
    run = flyte.run(read_file, f)
    assert run.outputs()[0] == b"\x00\x01payload"


def test_outside_a_run_without_init_uploads_go_to_the_default_store(tmp_path: Path):
    default = Store()  # $FLYTE_NB_STORAGE (a temporary folder per test, see tests/conftest.py)
    f = File.from_local_sync(write(tmp_path / "a.txt", b"abc"))
    assert f.path == default.url_of(f"blobs/{f.hash}/a.txt")
    assert default.get(f"blobs/{f.hash}/a.txt") == b"abc"


def test_only_a_reference_crosses_between_actions(io_store: Store, tmp_path: Path):
    content = os.urandom(1024 * 1024)
    f = File.from_local_sync(write(tmp_path / "big.bin", content))
    assert len(pickle.dumps(f)) < 512 < len(content)
    # every input and output goes through pickling, with a hard limit far below the content
    flyte.init(storage=io_store.url, max_io_bytes=4096, local={"copy_io": True})
    run = flyte.run(size_of, f)
    assert run.outputs()[0] == len(content)
    (rec,) = run.controller.actions
    assert 0 < rec.timings["u_bytes"] < 1024 and 0 < rec.timings["d_bytes"] < 1024
    # the same bytes passed by value are refused
    with pytest.raises(DataTooLargeError, match="flyte_nb.io.File"):
        flyte.run(size_of_bytes, content)


def test_uploads_are_content_addressed(io_store: Store, tmp_path: Path):
    first = File.from_local_sync(write(tmp_path / "one" / "data.csv", b"a,b\n1,2\n"))
    again = File.from_local_sync(write(tmp_path / "two" / "data.csv", b"a,b\n1,2\n"))
    renamed = File.from_local_sync(write(tmp_path / "other.csv", b"a,b\n1,2\n"))
    changed = File.from_local_sync(write(tmp_path / "data.csv", b"a,b\n1,3\n"))
    assert first.path == again.path and first == again
    assert renamed.name == "other.csv" and renamed.path != first.path
    assert renamed == first and hash(renamed) == hash(first)  # equal content
    assert changed != first
    assert len(blob_keys(io_store)) == 3
    assert len({first, again, renamed, changed}) == 2


def test_equality_by_path_when_the_content_hash_is_unknown(io_store: Store):
    a = File.from_existing_remote(io_store.url_of("elsewhere/x.txt"))
    assert a == File(path=io_store.url_of("elsewhere/x.txt"))
    assert a != File(path=io_store.url_of("elsewhere/y.txt"))
    assert a.name == "x.txt" and a.uri == a.path
    assert File.from_existing_remote(a.path, file_cache_key="k") == File(path="memory://z", hash="k")


def test_async_forms(io_store: Store, tmp_path: Path):
    source = write(tmp_path / "async.txt", b"async bytes")

    async def main() -> None:
        f = await File.from_local(source)
        assert f == File.from_local_sync(source)
        assert await f.exists() and f.exists_sync()
        for path in (await f.download(), await f.download.aio(), f.download_sync()):
            assert Path(path).read_bytes() == b"async bytes"
        assert not await File(path=io_store.url_of("missing.txt")).exists()

    asyncio.run(main())


def test_download_to_a_chosen_path(io_store: Store, tmp_path: Path):
    f = File.from_local_sync(write(tmp_path / "src" / "report.txt", b"report"))
    target = tmp_path / "out" / "renamed.txt"
    assert f.download(target) == str(target) and target.read_bytes() == b"report"
    folder = tmp_path / "existing"
    folder.mkdir()
    assert f.download(folder) == str(folder / "report.txt")
    # each default download gets its own folder, so local edits never reach the store
    first, second = f.download(), f.download()
    assert first != second and Path(first).name == "report.txt"
    Path(first).write_bytes(b"edited")
    assert Path(f.download()).read_bytes() == b"report"
    path = f.download()
    assert type(pickle.loads(pickle.dumps(path))) is str


def test_streaming_reads(io_store: Store, tmp_path: Path):
    lines = b"".join(f"line {i}\n".encode() for i in range(2000))
    f = File.from_local_sync(write(tmp_path / "lines.txt", lines))
    chunks = []
    with f.open("rb", block_size=1024) as handle:
        while chunk := handle.read(1000):
            chunks.append(chunk)
    assert b"".join(chunks) == lines and len(chunks) > 10
    with f.open("r") as text:
        assert text.readline() == "line 0\n"
    with f.open_sync() as handle:
        handle.seek(len(lines) - 10)
        assert handle.read() == lines[-10:]

    async def read_async() -> tuple[bytes, list[bytes]]:
        async with f.open() as handle:
            head = await handle.read(7)
            await handle.seek(0)
            every = [line async for line in handle]
        return head, every

    head, every = asyncio.run(read_async())
    assert head == b"line 0\n" and len(every) == 2000


def test_writing_a_new_remote_file(io_store: Store):
    out = File.new_remote("notes.txt")
    assert out.name == "notes.txt" and out.hash is None
    with out.open("wb") as handle:
        handle.write(b"written in place")
    assert out.exists_sync()
    assert Path(out.download()).read_bytes() == b"written in place"

    async def write_async() -> File:
        f = File.new_remote()
        async with f.open("wb") as handle:
            await handle.write(b"async write")
        return f

    assert Path(asyncio.run(write_async()).download()).read_bytes() == b"async write"


def test_a_content_addressed_file_cannot_be_rewritten(io_store: Store, tmp_path: Path):
    f = File.from_local_sync(write(tmp_path / "fixed.txt", b"fixed"))
    with pytest.raises(PermissionError, match="new_remote"):
        f.open("wb")


def test_missing_local_paths_are_named(io_store: Store, tmp_path: Path):
    missing = tmp_path / "nope" / "absent.csv"
    for upload in (File.from_local_sync, File.new_remote, Directory.from_local_sync):
        with pytest.raises(FileNotFoundError, match="absent.csv") as info:
            upload(str(missing))
        assert info.value.filename == str(missing)
    with pytest.raises(FileNotFoundError, match="absent.csv"):
        asyncio.run(File.from_local(missing))
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="Directory.from_local"):
        File.from_local_sync(folder)
    with pytest.raises(NotADirectoryError, match="File.from_local"):
        Directory.from_local_sync(write(tmp_path / "plain.txt", b"x"))


def test_downloading_a_file_that_is_gone_names_it(io_store: Store, tmp_path: Path):
    f = File(path=io_store.url_of("blobs/0000/gone.txt"))
    with pytest.raises(FileNotFoundError, match="gone.txt"):
        f.download(tmp_path / "gone.txt")
    with pytest.raises(FileNotFoundError):
        f.open().__enter__()


# ---------------------------------------------------------------------- Directory
def make_tree(root: Path) -> dict[str, bytes]:
    files = {"a.txt": b"alpha", "b.csv": b"x,y\n", "sub/c.txt": b"gamma", "sub/deeper/d.bin": bytes(range(256))}
    for relative, data in files.items():
        write(root / relative, data)
    return files


def test_directory_upload_and_download(io_store: Store, tmp_path: Path):
    files = make_tree(tmp_path / "tree")
    d = Directory.from_local_sync(tmp_path / "tree")
    assert d.name == "tree" and d.path == io_store.url_of(f"blobs/{d.hash}/tree")
    assert len(pickle.dumps(d)) < 512
    local = Path(d.download(tmp_path / "copy"))
    assert local == tmp_path / "copy"
    copied = {p.relative_to(local).as_posix(): p.read_bytes() for p in local.rglob("*") if p.is_file()}
    assert copied == files
    assert Path(d.download()).name == "tree"
    # the same folder again: no new objects, the same Directory
    keys = blob_keys(io_store)
    again = Directory.from_local_sync(tmp_path / "tree")
    assert again.path == d.path and blob_keys(io_store) == keys
    # the same files under another folder name: equal content, stored under that name
    renamed = Directory.from_local_sync(tmp_path / "copy")
    assert renamed == d and renamed.path == io_store.url_of(f"blobs/{d.hash}/copy")


def test_directory_listing(io_store: Store, tmp_path: Path):
    make_tree(tmp_path / "tree")
    d = Dir.from_local_sync(tmp_path / "tree")
    assert Dir is Directory
    assert [f.name for f in d.walk()] == ["a.txt", "b.csv", "c.txt", "d.bin"]
    assert [f.name for f in d.walk(file_pattern="*.txt")] == ["a.txt", "c.txt"]
    assert [f.name for f in d.walk(max_depth=2)] == ["a.txt", "b.csv", "c.txt"]
    assert [f.name for f in d.list_files()] == ["a.txt", "b.csv"] == [f.name for f in d.list_files_sync()]
    assert [f.name for f in d.walk_sync(recursive=False)] == ["a.txt", "b.csv"]
    c = d.get_file_sync("sub/c.txt")
    assert c is not None and Path(c.download()).read_bytes() == b"gamma"
    assert d.get_file_sync("nothing.txt") is None
    assert d.exists_sync() and not Directory(path=io_store.url_of("blobs/none")).exists_sync()

    async def listing() -> tuple[list[str], list[str], bool, File | None]:
        names = [f.name async for f in d.walk(recursive=False)]
        top = [f.name for f in await d.list_files()]
        return names, top, await d.exists(), await d.get_file("a.txt")

    names, top, exists, a = asyncio.run(listing())
    assert names == top == ["a.txt", "b.csv"] and exists
    assert a is not None and a.name == "a.txt"


def test_an_empty_directory_round_trips(io_store: Store, tmp_path: Path):
    (tmp_path / "empty").mkdir()
    d = Directory.from_local_sync(tmp_path / "empty")
    assert list(d.walk()) == []
    assert os.listdir(d.download()) == []


def test_a_directory_passes_between_tasks(io_store: Store, tmp_path: Path):
    make_tree(tmp_path / "tree")
    d = Directory.from_local_sync(tmp_path / "tree")
    assert flyte.run(list_names, d).outputs()[0] == ["a.txt", "b.csv", "c.txt", "d.bin"]
    grown = flyte.run(add_readme, d).outputs()[0]
    assert grown != d and grown.name == "tree"
    assert sorted(f.name for f in grown.walk()) == ["README", "a.txt", "b.csv", "c.txt", "d.bin"]
    assert [f.name for f in d.walk()] == ["a.txt", "b.csv", "c.txt", "d.bin"]  # the input is unchanged


# ---------------------------------------------------------------------- DataFrame
def sample_frame():  # pandas is optional at import: no return annotation
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(
        {"id": [3, 1, 2], "name": ["c", "a", "b"], "score": [0.5, 1.25, -2.0]},
        index=pd.Index([10, 20, 30], name="row"),
    )


def test_dataframe_round_trip(io_store: Store):
    pd = pytest.importorskip("pandas")
    frame = sample_frame()
    stored = DataFrame.from_df(frame)
    assert stored.num_rows == 3 and stored.format == "parquet"
    assert stored.uri == io_store.url_of(f"blobs/{stored.hash}/data.parquet")
    assert len(pickle.dumps(stored)) < 512
    pd.testing.assert_frame_equal(stored.to_pandas(), frame)
    pd.testing.assert_frame_equal(stored.open(pd.DataFrame).all_sync(), frame)
    pd.testing.assert_frame_equal(asyncio.run(stored.to_pandas.aio()), frame)
    pd.testing.assert_frame_equal(asyncio.run(stored.open(pd.DataFrame).all()), frame)
    assert DataFrame.from_df(frame.copy()) == stored and DataFrame.wrap_df(frame) == stored
    assert DataFrame.from_local_sync(frame) == stored == asyncio.run(DataFrame.from_local(frame))


def test_dataframe_from_a_pyarrow_table(io_store: Store):
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"x": [1, 2, 3], "y": ["a", "b", "c"]})
    stored = DataFrame.from_df(table)
    assert stored.to_arrow().equals(table)
    assert stored.open(pa.Table).all_sync().equals(table)
    assert stored.to_pandas()["y"].tolist() == ["a", "b", "c"]


def test_dataframes_pass_between_tasks(io_store: Store):
    pd = pytest.importorskip("pandas")
    frame = sample_frame()[["id", "score"]]
    stored = DataFrame.from_df(frame)
    assert flyte.run(count_rows, stored).outputs()[0] == 3
    doubled = flyte.run(double, stored).outputs()[0]
    assert isinstance(doubled, DataFrame) and doubled.uri.startswith(io_store.url_of("blobs/"))
    pd.testing.assert_frame_equal(doubled.to_pandas(), frame * 2)


def test_dataframe_errors(io_store: Store, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(TypeError, match="pandas.DataFrame or a pyarrow.Table, got list"):
        DataFrame.from_df([1, 2, 3])
    stored = DataFrame.from_df(sample_frame())
    with pytest.raises(TypeError, match="already a stored"):
        DataFrame.from_df(stored)
    with pytest.raises(TypeError, match="can read as pandas.DataFrame or pyarrow.Table"):
        stored.open(dict).all_sync()
    with pytest.raises(ValueError, match="'csv'"):
        DataFrame.from_existing_remote(stored.uri, format="csv").to_pandas()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match="pip install pyarrow"):
        DataFrame.from_df(sample_frame())
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        stored.to_pandas()


# ---------------------------------------------------------------------- s3 and the import
def test_files_on_s3_use_the_store_options(s3_spec: StoreSpec, tmp_path: Path):
    s3_spec.init()
    f = File.from_local_sync(write(tmp_path / "s3.txt", b"on s3"))
    assert f.path.startswith("s3://")
    assert flyte.run(read_file, f).outputs()[0] == b"on s3"
    make_tree(tmp_path / "tree")
    d = Directory.from_local_sync(tmp_path / "tree")
    assert [x.name for x in d.walk()] == ["a.txt", "b.csv", "c.txt", "d.bin"]
    assert Path(d.download(tmp_path / "back"), "sub", "c.txt").read_bytes() == b"gamma"


def test_importing_flyte_nb_io_loads_neither_fsspec_nor_pandas():
    code = (
        "import sys\n"
        "import flyte_nb as flyte\n"
        "from flyte_nb.io import File, Directory, DataFrame\n"
        "assert flyte.io.File is File\n"
        "loaded = [m for m in ('fsspec', 'pandas', 'pyarrow') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    assert_runs_in_a_fresh_interpreter(code)


@pytest.mark.parametrize("kind", [File, Directory])
@pytest.mark.parametrize("path", ["", None, 3])
def test_a_reference_without_a_path_string_is_a_type_error_naming_its_kind(kind, path):
    with pytest.raises(TypeError, match=rf"^{kind.__name__}\(path=\.\.\.\) needs a URL or path string, got {path!r}$"):
        kind(path)
    assert kind("memory://bucket/folder/").name == "folder"
    assert kind("memory://bucket/a.txt", name="b.txt").name == "b.txt"
