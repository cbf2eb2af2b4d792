"""``flyte.Cache`` with the Flyte SDK's constructor: each keyword changes hits and misses
through real runs (body executions are counted in ``CALLS``), bad values raise the SDK's
error types, and ``flyte.CachePolicy`` versions key the cache."""

from __future__ import annotations

import asyncio
import collections
import inspect
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import flyte_nb as flyte
from flyte_nb.data import Store
from flyte_nb.data import _cache as cache_module
from flyte_nb.data._codec import dumps
from flyte_nb.errors import ConfigError

env = flyte.TaskEnvironment("cache_options")
CALLS: collections.Counter[str] = collections.Counter()

#: inspect.signature(flyte.Cache) of the Flyte SDK 2.12.1 (checked against the real SDK):
#: (name, default, kind); "REQUIRED" marks a parameter without a default
SDK_CACHE_PARAMETERS = [
    ("behavior", "REQUIRED", "POSITIONAL_OR_KEYWORD"),
    ("version_override", None, "POSITIONAL_OR_KEYWORD"),
    ("serialize", False, "POSITIONAL_OR_KEYWORD"),
    ("ignored_inputs", (), "POSITIONAL_OR_KEYWORD"),
    ("salt", "", "POSITIONAL_OR_KEYWORD"),
    ("policies", None, "POSITIONAL_OR_KEYWORD"),
    ("max_age", None, "POSITIONAL_OR_KEYWORD"),
]


@pytest.fixture(autouse=True)
def _store(tmp_path: Path):
    CALLS.clear()
    flyte.init(storage=f"file://{tmp_path / 'store'}")


def counted(cache: flyte.Cache) -> Any:
    """A fresh cached task ``add(x, y)`` with ``cache``; its body counts in CALLS["add"]."""

    async def add(x: int, y: int = 0) -> int:
        CALLS["add"] += 1
        return x + y

    return env.task(cache=cache)(add)


def runs(task: Any, *calls: tuple[int, int]) -> int:
    """Run ``task`` once per call (each its own run); how often its body ran."""
    CALLS.clear()
    for x, y in calls:
        flyte.run(task, x, y)
    return CALLS["add"]


def test_signature_is_the_sdks():
    params = inspect.signature(flyte.Cache).parameters.values()
    ours = [(p.name, "REQUIRED" if p.default is p.empty else p.default, p.kind.name) for p in params]
    assert ours[: len(SDK_CACHE_PARAMETERS)] == SDK_CACHE_PARAMETERS
    # flyte_nb's older spellings, keyword-only after the SDK's parameters
    assert ours[len(SDK_CACHE_PARAMETERS) :] == [("version", None, "KEYWORD_ONLY"), ("ignore", None, "KEYWORD_ONLY")]
    with pytest.raises(TypeError):
        flyte.Cache()  # type: ignore[call-arg]  # the SDK's behavior has no default


def test_positional_sdk_form_and_older_aliases():
    cache = flyte.Cache("override", "v1", False, "debug", "s", None, 60)
    assert (cache.version_override, cache.ignored_inputs, cache.salt, cache.max_age) == (
        "v1",
        ("debug",),
        "s",
        timedelta(seconds=60),
    )
    assert flyte.Cache("override", version="v1", ignore=("debug",)) == flyte.Cache(
        "override", version_override="v1", ignored_inputs=("debug",)
    )
    assert cache.get_ignored_inputs() == ("debug",) and cache.is_enabled()
    assert flyte.Cache("off").behavior == "disable"  # the SDK's aliases


def test_same_call_hits_and_disable_never_caches():
    assert runs(counted(flyte.Cache("auto")), (1, 2), (1, 2)) == 1
    assert runs(counted(flyte.Cache("disable")), (1, 2), (1, 2)) == 2


def test_version_override_keys_the_cache():
    first = counted(flyte.Cache("override", version_override="v1"))
    assert runs(first, (1, 2), (1, 2)) == 1
    # a new task of the same name and version: a hit
    assert runs(counted(flyte.Cache("override", version_override="v1")), (1, 2)) == 0
    assert runs(counted(flyte.Cache("override", version_override="v2")), (1, 2)) == 1
    # version_override also wins over the source hash under behavior="auto", as in the SDK
    assert runs(counted(flyte.Cache("auto", version_override="v1")), (1, 2)) == 0


def test_ignored_inputs_leave_the_key():
    task = counted(flyte.Cache("auto", ignored_inputs="y"))
    assert runs(task, (1, 2), (1, 5)) == 1
    assert flyte.run(task, 1, 7).outputs()[0] == 3  # the entry of add(1, 2)
    assert runs(task, (2, 2)) == 1
    assert runs(counted(flyte.Cache("auto", ignored_inputs=("y",))), (1, 9)) == 0


def test_salt_is_part_of_the_key():
    assert runs(counted(flyte.Cache("override", version_override="v", salt="a")), (1, 2)) == 1
    assert runs(counted(flyte.Cache("override", version_override="v", salt="a")), (1, 2)) == 0
    assert runs(counted(flyte.Cache("override", version_override="v", salt="b")), (1, 2)) == 1


class Pinned(flyte.CachePolicy):
    """A policy whose version is given; it records what the run passed to it."""

    def __init__(self, version: str):
        self.version = version
        self.seen: list[tuple[str, Any]] = []

    def get_version(self, salt: str, params: Any) -> str:
        self.seen.append((salt, params.func))
        return self.version


def test_policies_version_the_key():
    policy = Pinned("p1")
    task = counted(flyte.Cache("auto", salt="s", policies=policy))
    assert runs(task, (1, 2), (1, 2)) == 1
    assert policy.seen[0][0] == "s" and policy.seen[0][1].__name__ == "add"
    # the policies' version keys the entry: a new task with the same policy version hits
    assert runs(counted(flyte.Cache("auto", salt="s", policies=[Pinned("p1")])), (1, 2)) == 0
    assert runs(counted(flyte.Cache("auto", salt="s", policies=[Pinned("p2")])), (1, 2)) == 1


def test_a_failing_policy_names_itself():
    class Broken(flyte.CachePolicy):
        def get_version(self, salt: str, params: Any) -> str:
            raise RuntimeError("no git here")

    with pytest.raises(ValueError, match="Failed to generate version for cache policy .*no git here"):
        flyte.run(counted(flyte.Cache("auto", policies=Broken())), 1, 2).outputs()[0]


def test_max_age_makes_older_entries_a_miss(monkeypatch: pytest.MonkeyPatch):
    task = counted(flyte.Cache("override", version_override="v", max_age=timedelta(minutes=5)))
    assert runs(task, (1, 2), (1, 2)) == 1
    later = time.time() + 600
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(time=lambda: later))
    assert runs(task, (1, 2)) == 1  # ten minutes on: too old, runs and rewrites
    assert runs(task, (1, 2)) == 0
    # the same entry without a max_age is still a hit
    assert runs(counted(flyte.Cache("override", version_override="v")), (1, 2)) == 0
    # 0 means no limit, as in the SDK
    assert flyte.Cache("auto", max_age=0).max_age is None


def test_entries_written_before_entries_had_a_time(tmp_path: Path):
    task = counted(flyte.Cache("override", version_override="v"))
    assert runs(task, (1, 2)) == 1
    store = Store(f"file://{tmp_path / 'store'}")
    (key,) = [k for k in store.keys("cache")]
    store.put_sealed(key, dumps(3))  # an entry as older flyte_nb wrote it: the bare output
    assert runs(task, (1, 2)) == 0
    assert runs(counted(flyte.Cache("override", version_override="v", max_age=60)), (1, 2)) == 1


@env.task(cache=flyte.Cache("auto", serialize=True))
async def slow_serial(x: int) -> int:
    CALLS["slow_serial"] += 1
    await asyncio.sleep(0.2)
    return x * 10


@env.task(cache="auto")
async def slow_parallel(x: int) -> int:
    CALLS["slow_parallel"] += 1
    await asyncio.sleep(0.2)
    return x * 10


@env.task
async def fan_out(serialize: bool) -> list[int]:
    task = slow_serial if serialize else slow_parallel
    return list(await asyncio.gather(*[task(7) for _ in range(3)]))


def test_serialize_runs_concurrent_identical_calls_once():
    run = flyte.run(fan_out, True)
    assert run.outputs()[0] == [70, 70, 70]
    assert CALLS["slow_serial"] == 1
    assert flyte.run(fan_out, False).outputs()[0] == [70, 70, 70]
    assert CALLS["slow_parallel"] == 3  # without serialize, each concurrent call runs


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: flyte.Cache("sometimes"), ValueError, "Cache.behavior must be one of"),
        (lambda: flyte.Cache("auto", max_age="1h"), TypeError, "Cache.max_age must be an int"),
        (lambda: flyte.Cache("auto", max_age=-1), ValueError, "Cache.max_age must be >= 0"),
        (lambda: flyte.Cache("auto", serialize="yes"), ValueError, "Cache.serialize must be True or False"),
        (lambda: flyte.Cache("auto", policies=["git"]), ValueError, "Cache.policies must be a flyte.CachePolicy"),
        (lambda: flyte.Cache("auto", ignored_inputs=(1,)), ValueError, "Cache.ignored_inputs must be"),
        (lambda: flyte.Cache("auto", version_override=3), ValueError, "Cache.version_override must be a str"),
        (lambda: flyte.Cache("auto", "a", version="b"), ConfigError, "both version_override= and version="),
    ],
)
def test_bad_values_raise_the_sdks_error_types(make: Any, error: type[Exception], message: str):
    with pytest.raises(error, match=message):
        make()
