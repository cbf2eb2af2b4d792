"""flyte_nb.io types converted per annotation, and the Flyte SDK's io names flyte_nb lacked.

Checked against the SDK (flyte 2.12.1, local mode): a stored DataFrame passed to a
``pd.DataFrame`` (or ``pyarrow.Table``) parameter arrives as that frame; a frame returned
for a ``pd.DataFrame`` annotation stays a frame. flyte_nb also stores a pandas frame given
to (or returned for) a ``flyte.io.DataFrame`` annotation, where the SDK refuses it.
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.io import DataFrame, Dir, EmptyDir, File, HashFunction

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

env = flyte.TaskEnvironment("io-types")


@pytest.fixture(params=("memory", "file"))
def io_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = f"memory://flyte-nb-io-types-{uuid.uuid4().hex[:12]}" if request.param == "memory" else f"file://{tmp_path}/s"
    flyte.init(storage=url)
    store = Store(url)
    yield store
    if request.param == "memory" and store.fs.exists(store.root):
        store.fs.rm(store.root, recursive=True)


def sole_output(run: flyte.Run) -> Any:
    """The run's one output (``outputs()`` may give it bare or as a one-item tuple)."""
    value = run.outputs()
    return value[0] if type(value).__name__ == "ActionOutputs" else value


@env.task
async def make_frame() -> DataFrame:
    return DataFrame.from_df(pd.DataFrame({"a": [1, 2, 3]}))


@env.task
async def pandas_rows(df: pd.DataFrame) -> str:
    return f"{type(df).__module__.split('.')[0]} {len(df)}"


@env.task
def arrow_rows(table: pa.Table) -> str:
    return f"{type(table).__module__.split('.')[0]} {table.num_rows}"


@env.task
async def reference_rows(df: DataFrame) -> str:
    return f"{type(df).__name__} {df.num_rows}"


@env.task
async def frame_for_reference() -> DataFrame:
    return pd.DataFrame({"a": [1, 2]})  # type: ignore[return-value]  # stored per the annotation


@env.task
async def reference_for_frame() -> pd.DataFrame:
    return DataFrame.from_df(pd.DataFrame({"a": [1, 2]}))  # read per the annotation, as the SDK does


@env.task
async def wants_file(f: File) -> str:
    return f.name or ""


@env.task
async def pipeline() -> list[str]:
    frame = await make_frame()
    return [
        type(frame).__name__,
        await pandas_rows(frame),
        await arrow_rows.aio(frame),
        await reference_rows(frame),
    ]


def test_a_stored_dataframe_arrives_as_the_annotated_frame(io_store: Store):
    assert sole_output(flyte.run(pipeline)) == ["DataFrame", "pandas 3", "pyarrow 3", "DataFrame 3"]


def test_frames_convert_to_each_other_per_annotation(io_store: Store):
    assert sole_output(flyte.run(pandas_rows, pa.table({"a": [1]}))) == "pandas 1"
    assert sole_output(flyte.run(arrow_rows, pd.DataFrame({"a": [1, 2]}))) == "pyarrow 2"


def test_a_frame_given_for_a_stored_dataframe_is_stored(io_store: Store):
    assert sole_output(flyte.run(reference_rows, pd.DataFrame({"a": [1]}))) == "DataFrame 1"  # the SDK refuses it
    assert sole_output(flyte.run(reference_rows, pa.table({"a": [1, 2]}))) == "DataFrame 2"


def test_outputs_convert_per_the_return_annotation(io_store: Store):
    stored = sole_output(flyte.run(frame_for_reference))
    assert isinstance(stored, DataFrame)
    assert stored.to_pandas()["a"].tolist() == [1, 2]
    frame = sole_output(flyte.run(reference_for_frame))
    assert isinstance(frame, pd.DataFrame)
    assert frame["a"].tolist() == [1, 2]


def test_a_path_for_a_file_is_the_sdks_type_error(io_store: Store):
    with pytest.raises(TypeError) as info:
        flyte.run(wants_file, "/etc/hostname")
    assert str(info.value).startswith(
        "Type conversion failed for variable 'f'.\nExpected type: <class 'flyte_nb.io.File'>\n"
        "Actual type: <class 'str'>\nValue received: '/etc/hostname'\n"
    )


# ---------------------------------------------------------------------- the SDK's io names and keywords
def test_keyword_constructors_and_the_positional_form():
    assert File(path="/data/a.csv") == File("/data/a.csv")
    assert File(path="/data/a.csv").name == "a.csv"
    assert Dir(path="/data/d/").path == "/data/d"
    frame = DataFrame(uri="memory://x/t.parquet", format="parquet")
    assert (frame.uri, frame.format) == ("memory://x/t.parquet", "parquet")


def test_reprs_and_strs_are_the_sdks_pydantic_ones():
    method = HashFunction(lambda data: "h")
    assert (
        repr(File(path="/data/a.csv"))
        == "File(path='/data/a.csv', name='a.csv', format='', hash=None, hash_method=None)"
    )
    assert (
        str(File(path="/data/a.csv", hash="x")) == "path='/data/a.csv' name='a.csv' format='' hash='x' hash_method=None"
    )
    assert File(path="/data/a.csv", hash_method=method).hash_method is method
    assert File(path="/data/a.csv", hash_method=method) == File(path="/data/a.csv")
    assert repr(Dir(path="/data/d/")) == "Dir(path='/data/d', name='d', format='', hash=None)"
    assert str(Dir(path="/data/d")) == "path='/data/d' name='d' format='' hash=None"
    frame = DataFrame(uri="memory://x/t.parquet", num_rows=3)
    assert repr(frame) == "DataFrame(uri='memory://x/t.parquet', format='parquet', hash=None)"
    assert str(frame) == "uri='memory://x/t.parquet' format='parquet' hash=None"


def test_new_remote_names_and_hash_method(io_store: Store):
    unnamed = File.new_remote()
    assert unnamed.name is not None and len(unnamed.name) == 32 and unnamed.path.endswith("/" + unnamed.name)
    assert File.new_remote().name != unnamed.name
    assert File.new_remote("out.csv").name == "out.csv"
    assert File.new_remote(hash_method="precomputed").hash == "precomputed"
    method = HashFunction(lambda data: "h")
    assert File.new_remote(hash_method=method).hash_method is method


def test_empty_dir_is_the_sdks_sentinel():
    empty = EmptyDir()
    assert empty.is_empty and Dir.empty().is_empty
    assert not Dir(path="/data/d").is_empty
    assert EmptyDir(path="/ignored").path == "::flyte-empty-dir::"
    assert pickle.loads(pickle.dumps(empty)).is_empty


def test_hash_function_sets_the_hash(io_store: Store, tmp_path: Path):
    def rows_hash(df: Any) -> str:
        return f"rows-{len(df)}"

    frame = DataFrame.from_local_sync(pd.DataFrame({"a": [1, 2]}), hash_method=HashFunction.from_fn(rows_hash))
    assert frame.hash == "rows-2"
    assert frame.to_pandas()["a"].tolist() == [1, 2]
    local = tmp_path / "a.txt"
    local.write_bytes(b"abc")
    assert File.from_local_sync(local, hash_method=HashFunction(lambda data: f"{len(data)} bytes")).hash == "3 bytes"
    assert File.from_local_sync(local, hash_method="precomputed").hash == "precomputed"


def test_dir_cache_key_is_the_dirs_hash(io_store: Store, tmp_path: Path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "x.txt").write_text("x")
    keyed = Dir.from_local_sync(folder, dir_cache_key="my_key")
    assert keyed.hash == "my_key"
    assert [f.name for f in keyed.walk()] == ["x.txt"]


@env.task
async def read_lines(f: File) -> list[bytes]:
    async with f.open() as handle:
        await handle.readline()  # the header
        return await handle.readlines()


def test_the_opened_file_reads_lines(io_store: Store, tmp_path: Path):
    local = tmp_path / "p.csv"
    local.write_bytes(b"prediction\n0.5\n1.5\n")
    f = File.from_local_sync(local)
    assert sole_output(flyte.run(read_lines, f)) == [b"0.5\n", b"1.5\n"]
    with f.open("r") as handle:
        assert handle.readlines() == ["prediction\n", "0.5\n", "1.5\n"]


def test_dataframe_reader_all_and_iter(io_store: Store):
    import asyncio

    frame = DataFrame.from_df(pd.DataFrame({"a": [1, 2]}))

    async def parts() -> list[int]:
        return [len(part) async for part in await frame.open(pd.DataFrame).iter()]

    assert asyncio.run(parts()) == [2]
    assert frame.open(pa.Table).all_sync().num_rows == 2
    assert DataFrame.columns() == {} and DataFrame.column_names() == []
