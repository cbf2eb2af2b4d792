"""The codec (inline / offloaded values, the hard limit, copy_io transfers) and ``cache="auto"``.

Cache tests run on ``memory://`` and ``file://`` (``local_store_spec``), with one smoke
test on ``s3://`` (moto). Body executions are counted in ``CALLS``; every test has a
store of its own, so no entry leaks from one test into another.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import ended_run

import flyte_nb as flyte
from flyte_nb.data import DataTooLargeError, Payload, Store, decode, encode
from flyte_nb.data._cache import CacheCorruptWarning
from flyte_nb.data._codec import PICKLE_PROTOCOL, dumps, is_plain, loads
from flyte_nb.data._seal import HEADER_SIZE

from .conftest import StoreSpec

env = flyte.TaskEnvironment("data_cache")
CALLS: collections.Counter[str] = collections.Counter()


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@env.task(cache="auto")
async def square(x: int) -> int:
    CALLS["square"] += 1
    return x * x


@env.task
async def fan(n: int) -> list[int]:
    return list(await asyncio.gather(*[square(i) for i in range(n)]))


@env.task(cache="auto")
async def cached_fan(n: int) -> list[int]:
    CALLS["cached_fan"] += 1
    return list(await asyncio.gather(*[square(i) for i in range(n)]))


@env.task(cache="auto")
def stamp(x: int) -> tuple[int, int]:
    """A sync task whose output says which execution made it."""
    CALLS["stamp"] += 1
    return x, CALLS["stamp"]


@env.task(cache="disable")
async def never(x: int) -> int:
    CALLS["never"] += 1
    return x


@env.task(cache="auto")
async def never_fan(n: int) -> list[int]:
    CALLS["never_fan"] += 1
    return [await never(i) for i in range(n)]


def run(task: Any, *args: Any, **context: Any) -> flyte.Run:
    """A run in script mode (no loop here): it has ended when this returns."""
    handle = flyte.with_runcontext(**context).run(task, *args)
    assert handle.done()
    return handle


def states(handle: flyte.Run) -> list[str]:
    return [rec.state for rec in handle.controller.actions]


def cache_keys(store: Store) -> list[str]:
    return list(store.keys("cache"))


# ---------------------------------------------------------------------- codec


@dataclasses.dataclass
class Point:
    x: int
    y: int


class _Text(str):
    """A str subclass: pickled with its class, so not plain."""


@pytest.mark.parametrize(
    "value",
    [42, "text", b"\x00bytes\xff", {"nested": [1, 2.5, None, ("t",)]}, Point(1, 2), list(range(1000))],
    ids=["int", "str", "bytes", "dict", "dataclass", "list"],
)
def test_inline_round_trip(store: Store, value: Any):
    payload, up = encode(value, store=store, key="v", inline_limit=1024 * 1024)
    assert payload.inline is not None and payload.ref is None and not payload.offloaded
    assert payload.size == len(payload.inline) == up.bytes
    decoded, down = decode(payload, store)
    assert decoded == value
    assert down.bytes == payload.size
    assert up.seconds >= 0 and down.seconds >= 0
    assert not store.exists("v")  # nothing written for an inline value


PLAIN_VALUES = [
    None,
    True,
    -(2**70),
    float("inf"),
    1 + 2j,
    "naïve",
    b"\x00",
    ((), [], {}, set(), frozenset({1})),
    {"inputs": {"x": [1, 2.5, None]}, 3: ("t", b"b")},
    list(range(900)),
]


@pytest.mark.parametrize("value", PLAIN_VALUES)
def test_plain_values_pickle_to_the_very_bytes_cloudpickle_writes(value: Any):
    cloudpickle = pytest.importorskip("cloudpickle")
    assert is_plain(value)
    assert dumps(value) == cloudpickle.dumps(value, protocol=PICKLE_PROTOCOL)
    assert loads(dumps(value)) == value


@pytest.mark.parametrize(
    "value",
    [Point(1, 2), [Point(1, 2)], {"k": len}, collections.OrderedDict(a=1), list(range(2000)), _Text("subclass")],
    ids=["dataclass", "nested", "function", "dict subclass", "over the budget", "str subclass"],
)
def test_other_values_go_through_cloudpickle(value: Any):
    assert not is_plain(value)
    assert loads(dumps(value)) == value


def test_a_cycle_is_not_plain_and_still_pickles():
    looped: list[Any] = [1]
    looped.append(looped)
    assert not is_plain(looped)
    again = loads(dumps(looped))
    assert again[1] is again


def test_functions_and_local_classes_travel_by_value(store: Store):
    offset = 10

    class Local:  # not importable: pickled by value
        def __init__(self, v: int) -> None:
            self.v = v

        def plus(self) -> int:
            return self.v + offset

    payload, _ = encode((lambda x: x * offset, Local), store=store, key="fn", inline_limit=1024 * 1024)
    func, cls = decode(payload, store)[0]
    assert func(3) == 30
    assert cls(5).plus() == 15


PRODUCER = textwrap.dedent(
    """
    import dataclasses, json, sys
    from flyte_nb.data import Store, encode

    GREETING = "hello"

    def greet(name):
        return f"{GREETING}, {name}!"

    @dataclasses.dataclass
    class Vector:
        x: float
        y: float

        def norm2(self):
            return self.x * self.x + self.y * self.y

    store = Store(sys.argv[1])
    value = (greet, Vector, Vector(3.0, 4.0))
    inline, _ = encode(value, store=store, key="values/inline", inline_limit=10 * 1024 * 1024)
    store.put("values/inline", inline.inline)  # keep the inline bytes for the other process
    offloaded, _ = encode(value, store=store, key="values/offloaded", inline_limit=0)
    print(json.dumps({"inline_size": inline.size, "ref": offloaded.ref, "size": offloaded.size}))
    """
)

CONSUMER = textwrap.dedent(
    """
    import json, sys
    from flyte_nb.data import Payload, Store, decode

    store = Store(sys.argv[1])
    meta = json.loads(sys.argv[2])
    out = {}
    for kind, payload in (
        ("inline", Payload(meta["inline_size"], inline=store.get("values/inline"))),
        ("offloaded", Payload(meta["size"], ref=meta["ref"])),
    ):
        (greet, vector_cls, vector), _ = decode(payload, store)
        out[kind] = [greet("notebook"), vector_cls(1.0, 2.0).norm2(), vector.norm2(), type(vector).__name__]
    print(json.dumps(out))
    """
)


def _python(script: Path, *args: str, env_vars: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=script.parent,
        env={**os.environ, **(env_vars or {})},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_main_module_function_and_class_cross_processes_by_value(tmp_path: Path):
    """A function and a class defined in a script's ``__main__`` (as in a notebook) are
    encoded in one process and decoded and used in another that never defined them."""
    (tmp_path / "producer.py").write_text(PRODUCER)
    (tmp_path / "consumer.py").write_text(CONSUMER)
    url = f"file://{tmp_path / 'store'}"
    meta = _python(tmp_path / "producer.py", url)
    assert json.loads(meta)["ref"] == "values/offloaded"
    out = json.loads(_python(tmp_path / "consumer.py", url, meta))
    expected = ["hello, notebook!", 5.0, 25.0, "Vector"]
    assert out == {"inline": expected, "offloaded": expected}


def test_offload_over_the_threshold(store: Store):
    value = b"x" * 2000
    size = len(dumps(value))
    payload, up = encode(value, store=store, key="runs/r/actions/1/inputs/blob", inline_limit=size - 1)
    assert payload.offloaded and payload.ref == "runs/r/actions/1/inputs/blob" and payload.inline is None
    assert payload.size == size == up.bytes
    # on a file store the entry carries its seal in front (memory:// lives in this process: unsealed)
    seal = 0 if store.protocol == "memory" else HEADER_SIZE
    assert store.exists(payload.ref) and store.size(payload.ref) == size + seal
    decoded, down = decode(payload, store)
    assert decoded == value and down.bytes == size
    # exactly at the limit stays inline; without a store everything is inline
    at_limit, _ = encode(value, store=store, key="other", inline_limit=size)
    assert at_limit.inline is not None and not store.exists("other")
    no_store, _ = encode(value, store=None, key="other", inline_limit=0)
    assert no_store.inline is not None


def test_offloaded_payload_without_store_is_an_error(store: Store):
    payload, _ = encode(b"y" * 100, store=store, key="k", inline_limit=0)
    with pytest.raises(flyte.errors.FlyteNbError, match="without a store"):
        decode(payload, None)
    with pytest.raises(FileNotFoundError):
        decode(Payload(10, ref="no/such/key"), store)


@env.task
async def consume(blob: bytes, tag: str = "") -> int:
    return len(blob)


@env.task
async def send(n: int) -> int:
    return await consume(b"x" * n, tag="t")


@env.task
async def make_big(n: int) -> bytes:
    return b"z" * n


def _limit_message(what: str, value: Any, limit: int) -> list[str]:
    return [what, f"{len(dumps(value)):,} bytes", f"{limit:,} bytes", "limits.max_io_bytes"]


def test_hard_limit_names_task_argument_and_size(file_spec: StoreSpec):
    file_spec.init(local={"copy_io": True}, max_io_bytes=10_000)
    with pytest.raises(DataTooLargeError):
        run(send, 50_000)  # a script stops on the failed run
    handle = ended_run(send, 50_000)
    assert handle.phase == "failed"
    with pytest.raises(DataTooLargeError) as info:
        handle.outputs()
    message = str(info.value)
    for part in _limit_message("input 'blob' of task data_cache.consume", b"x" * 50_000, 10_000):
        assert part in message
    assert states(handle) == ["failed", "failed"]
    # an output over the limit names the output; a small run under the same limit works
    with pytest.raises(DataTooLargeError) as info:
        run(make_big, 20_000).outputs()
    for part in _limit_message("return value of task data_cache.make_big", b"z" * 20_000, 10_000):
        assert part in str(info.value)
    assert run(send, 100).outputs()[0] == 100


def test_hard_limit_from_a_config_file(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: file://{tmp_path / 'store'}\nlimits:\n  max_io_bytes: 4096\nlocal:\n  copy_io: true\n")
    flyte.init_from_config(config)
    with pytest.raises(DataTooLargeError, match=r"input 'blob' of task data_cache\.consume is 8,0\d\d bytes"):
        run(consume, b"q" * 8000).outputs()


@env.task
async def echo(blob: bytes) -> bytes:
    return blob[::-1]


@env.task
async def relay(n: int, inline_limit: int) -> int:
    small = echo.override(max_inline_io_bytes=inline_limit)
    return len(await small(b"a" * n))


@pytest.mark.parametrize("offloaded", [False, True], ids=["inline", "offloaded"])
def test_copy_io_records_u_and_d_on_actions(local_store_spec: StoreSpec, offloaded: bool):
    local_store_spec.init(local={"copy_io": True})
    n, limit = 5000, 1000 if offloaded else 1024 * 1024
    handle = run(relay, n, limit)
    assert handle.outputs()[0] == n
    root, child = handle.controller.actions
    value_bytes = len(dumps(b"a" * n))
    assert child.timings is not None and set(child.timings) == {"u", "d", "u_bytes", "d_bytes"}
    # u: the input (parent) and the output (action); d: the same two, read back
    assert child.timings["u_bytes"] == child.timings["d_bytes"] == 2 * value_bytes
    assert child.timings["u"] > 0 and child.timings["d"] > 0
    assert root.timings is not None  # the entry action's inputs and output travel too
    assert root.timings["u_bytes"] == root.timings["d_bytes"] == len(dumps(n)) + len(dumps(limit)) + len(dumps(n))
    stored = list(local_store_spec.store().keys(f"runs/{handle.name}/actions"))
    prefix = f"runs/{handle.name}/actions/{child.id}/attempt-1"
    assert stored == ([f"{prefix}/inputs/blob", f"{prefix}/outputs"] if offloaded else [])


# ---------------------------------------------------------------------- cache="auto"


def test_second_run_hits_the_cache(local_store_spec: StoreSpec):
    local_store_spec.init()
    first = run(fan, 4)
    assert first.outputs()[0] == [0, 1, 4, 9] and CALLS["square"] == 4
    assert states(first) == ["succeeded"] * 5
    assert len(cache_keys(local_store_spec.store())) == 4
    second = run(fan, 4)
    assert second.outputs()[0] == [0, 1, 4, 9]
    assert CALLS["square"] == 4  # no body ran again
    assert states(second) == ["succeeded"] + ["cached"] * 4  # the entry task is not cached
    assert second.snapshot().counts["cached"] == 4


def test_a_cached_entry_task_runs_nothing(local_store_spec: StoreSpec):
    local_store_spec.init()
    assert run(cached_fan, 3).outputs()[0] == [0, 1, 4]
    calls = dict(CALLS)
    second = run(cached_fan, 3)
    assert second.outputs()[0] == [0, 1, 4] and dict(CALLS) == calls == {"cached_fan": 1, "square": 3}
    assert states(second) == ["cached"]  # every action of the run (only the entry) is cached
    assert second.phase == "succeeded"


def test_changed_inputs_miss(local_store_spec: StoreSpec):
    local_store_spec.init()
    run(fan, 3)
    second = run(fan, 5)
    assert second.outputs()[0] == [0, 1, 4, 9, 16]
    assert CALLS["square"] == 5
    assert sorted(states(second)[1:]) == ["cached"] * 3 + ["succeeded"] * 2
    assert run(stamp, 1).outputs() == (1, 1) and run(stamp, 2).outputs() == (2, 2)


SOURCE_V1 = """
import flyte_nb as flyte

env = flyte.TaskEnvironment("data_cache_src", cache="auto")


@env.task
async def compute(x: int) -> int:
    CALLS.append(x)
    return x + 1
"""

SOURCE_V2 = SOURCE_V1.replace("return x + 1", "return x + 2  # edited")


def _load_module(path: Path, source: str, calls: list[int], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import ``source`` from a file (so ``inspect.getsource`` finds it), as a cell re-run would."""
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.CALLS = calls
    monkeypatch.setitem(sys.modules, path.stem, module)
    spec.loader.exec_module(module)
    return module


def test_editing_the_function_source_invalidates(
    local_store_spec: StoreSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    local_store_spec.init()
    calls: list[int] = []
    v1 = _load_module(tmp_path / "cell_v1.py", SOURCE_V1, calls, monkeypatch).compute
    v2 = _load_module(tmp_path / "cell_v2.py", SOURCE_V2, calls, monkeypatch).compute
    same = _load_module(tmp_path / "cell_v1_again.py", SOURCE_V1, calls, monkeypatch).compute
    assert v1.name == v2.name == same.name == "data_cache_src.compute"
    assert run(v1, 10).outputs()[0] == 11 and calls == [10]
    assert states(hit := run(v1, 10)) == ["cached"] and hit.outputs()[0] == 11
    edited = run(v2, 10)  # same name and inputs, new source: a miss
    assert edited.outputs()[0] == 12 and states(edited) == ["succeeded"] and calls == [10, 10]
    assert states(run(v2, 10)) == ["cached"]
    # the old source's entry is still there: re-running the original cell hits it
    back = run(same, 10)
    assert back.outputs()[0] == 11 and states(back) == ["cached"] and calls == [10, 10]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "huge-frame"])
def test_corrupt_entry_warns_and_runs_again(local_store_spec: StoreSpec, damage: str):
    local_store_spec.init()
    store = local_store_spec.store()
    run(fan, 2)
    keys = cache_keys(store)
    assert len(keys) == 2
    for key in keys:
        good = store.get(key)
        bad = {
            "garbage": b"\x00not a pickle\xff" * 3,
            "truncated": good[: len(good) // 2],
            "empty": b"",
            "huge-frame": b"\x80\x05\x95" + b"\xff" * 8,  # OverflowError, not an UnpicklingError
        }
        store.put_sealed(key, bad[damage])  # damaged before it was sealed: the seal holds, the pickle does not
    with pytest.warns(CacheCorruptWarning, match="unreadable") as record:
        again = run(fan, 2)
    assert len([w for w in record if issubclass(w.category, CacheCorruptWarning)]) == 2
    assert again.outputs()[0] == [0, 1] and CALLS["square"] == 4
    assert states(again) == ["succeeded"] * 3
    assert sorted(loads(store.get_sealed(key)).value for key in keys) == [0, 1]  # rewritten (with their time)
    assert states(run(fan, 2)) == ["succeeded", "cached", "cached"]


KERNEL = textwrap.dedent(
    """
    import json
    import flyte_nb as flyte

    env = flyte.TaskEnvironment("restart", cache="auto")
    CALLS = []

    @env.task
    async def slow_square(x: int) -> int:
        CALLS.append(x)
        return x * x

    @env.task(cache="disable")
    async def main(n: int) -> list[int]:
        return [await slow_square(i) for i in range(n)]

    run = flyte.run(main, 3)
    print(json.dumps({"out": run.outputs()[0], "calls": CALLS, "states": [a.state for a in run.controller.actions]}))
    """
)


def test_cache_survives_a_kernel_restart(tmp_path: Path):
    """Two processes (a kernel, then the restarted kernel) share a file:// store."""
    script = tmp_path / "notebook.py"
    script.write_text(KERNEL)
    storage = {"FLYTE_NB_STORAGE": f"file://{tmp_path / 'store'}"}
    first = json.loads(_python(script, env_vars=storage))
    assert first == {"out": [0, 1, 4], "calls": [0, 1, 2], "states": ["succeeded"] * 4}
    second = json.loads(_python(script, env_vars=storage))
    assert second == {"out": [0, 1, 4], "calls": [], "states": ["succeeded"] + ["cached"] * 3}


def test_overwrite_cache_runs_again_and_rewrites(local_store_spec: StoreSpec):
    local_store_spec.init()
    assert run(stamp, 7).outputs() == (7, 1)
    assert states(hit := run(stamp, 7)) == ["cached"] and hit.outputs() == (7, 1)
    overwritten = run(stamp, 7, overwrite_cache=True)
    assert overwritten.outputs() == (7, 2) and states(overwritten) == ["succeeded"]
    after = run(stamp, 7)
    assert after.outputs() == (7, 2) and states(after) == ["cached"]  # the rewritten entry
    assert CALLS["stamp"] == 2


def test_disable_run_cache_neither_reads_nor_writes(local_store_spec: StoreSpec):
    local_store_spec.init()
    store = local_store_spec.store()
    assert run(stamp, 3, disable_run_cache=True).outputs() == (3, 1)
    assert cache_keys(store) == []  # not written
    assert run(stamp, 3).outputs() == (3, 2)  # a miss: the disabled run wrote nothing
    (key,) = cache_keys(store)
    entry = store.get(key)
    off = run(stamp, 3, disable_run_cache=True)
    assert off.outputs() == (3, 3) and states(off) == ["succeeded"]  # not read
    assert store.get(key) == entry  # not rewritten
    assert run(stamp, 3).outputs() == (3, 2)


def test_cache_disable_never_caches(local_store_spec: StoreSpec):
    local_store_spec.init()
    run(never_fan, 3)
    second = run(never_fan.override(cache="disable"), 3)
    assert CALLS["never"] == 6 and CALLS["never_fan"] == 2
    assert states(second) == ["succeeded"] * 4
    assert [key.split("/")[1] for key in cache_keys(local_store_spec.store())] == ["data_cache.never_fan"]


def test_cache_on_s3(s3_spec: StoreSpec):
    s3_spec.init()
    assert run(fan, 3).outputs()[0] == [0, 1, 4]
    store = s3_spec.store()
    assert len(cache_keys(store)) == 3
    assert all(store.url_of(key).startswith("s3://flyte-nb-tests/") for key in cache_keys(store))
    second = run(fan, 3)
    assert second.outputs()[0] == [0, 1, 4] and CALLS["square"] == 3
    assert states(second) == ["succeeded", "cached", "cached", "cached"]


def test_an_ended_run_leaves_its_record_in_the_store(tmp_path):
    import json

    import flyte_nb as flyte
    from flyte_nb.data import Store

    flyte.init(storage=f"file://{tmp_path}")
    env = flyte.TaskEnvironment("record")

    @env.task
    async def shout(x: int) -> int:
        print(f"item {x}")
        if x == 2:
            raise ValueError("two is bad")
        return x

    @env.task
    async def main() -> list:
        return await flyte.map(shout, range(4))

    run = flyte.with_runcontext(name="recorded").run(main)
    store = Store(f"file://{tmp_path}")
    summary = json.loads(store.get("runs/recorded/run.json"))
    assert summary["phase"] == "succeeded" and summary["actions"] == 5
    assert summary["counts"]["failed"] == 1 and summary["errors"] == ["3-shout.txt"]
    assert "ValueError: two is bad" in store.get("runs/recorded/errors/3-shout.txt").decode()
    assert store.get("runs/recorded/logs/1-shout.txt").decode() == "item 0\n"
    assert run.url == store.url_of("runs/recorded")


def test_exceptions_load_where_tblib_is_missing_after_dask_installed_its_reducers():
    """dask.distributed registers tblib's reducers for every exception class in the kernel;
    a container without tblib must still load the exceptions flyte_nb sends it."""
    pickling_support = pytest.importorskip("tblib.pickling_support")
    pickling_support.install()  # what importing distributed does
    try:
        raise LookupError("no such key")
    except LookupError as exc:
        exc.add_note("raised in a task")
        blob = dumps(exc)
    assert b"tblib" not in blob
    script = (
        "import sys, pickle; sys.modules['tblib'] = None; "  # importing tblib now fails
        "exc = pickle.loads(sys.stdin.buffer.read()); print(type(exc).__name__, exc, exc.__notes__)"
    )
    shown = subprocess.run([sys.executable, "-c", script], input=blob, capture_output=True, check=True).stdout
    assert shown.decode().strip() == "LookupError no such key ['raised in a task']"
