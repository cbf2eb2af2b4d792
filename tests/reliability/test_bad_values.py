"""Item 11 of issue 12: bad values fail where they are written, with an error naming the field,
task or argument and the fix: policies at construction, backend sections at config load, a
config file that is not UTF-8, values that do not pickle, a coroutine returned unawaited."""

from __future__ import annotations

import asyncio
import math
import threading
import warnings
from datetime import timedelta

import pytest
from docker_support import IMAGE
from support import ended_run

import flyte_nb as flyte
from flyte_nb.errors import ConfigError, FlyteNbError, SerializationError, TaskDefinitionError

env = flyte.TaskEnvironment("bad_values")


def test_resources_refuse_infinite_nan_and_nonsense_at_construction():
    bad = [
        ({"cpu": math.inf}, "Resources.cpu must be a finite number"),
        ({"cpu": math.nan}, "Resources.cpu must be a finite number"),
        ({"cpu": -math.inf}, "Resources.cpu must be a finite number"),
        ({"cpu": 0}, "Resources.cpu must be more than 0"),
        ({"cpu": -1}, "Resources.cpu must be more than 0"),
        ({"cpu": 1e12}, "Resources.cpu must be at most"),
        ({"cpu": (4, 2)}, r"Resources.cpu request 4 is more than its limit 2"),
        ({"cpu": (1, 2, 3)}, r"Resources.cpu pair must be \(request, limit\)"),
        ({"memory": "0Mi"}, "Resources.memory must be at least 1 byte"),
        ({"memory": "99999999Ti"}, "Resources.memory must be at most 8 EiB"),
        ({"memory": 1.5e9}, "Resources.memory must look like '512Mi'"),
        ({"memory": ("2Gi", "1Gi")}, "Resources.memory request '2Gi' is more than its limit '1Gi'"),
        ({"gpu": -1}, r"Resources.gpu must be a count \(int >= 0\)"),
        ({"gpu": 1.5}, r"Resources.gpu must be a count \(int >= 0\)"),
        ({"gpu": True}, r"Resources.gpu must be a count \(int >= 0\)"),
        ({"gpu": ""}, r"Resources.gpu must be a count \(int >= 0\)"),
        ({"gpu": "A100:0"}, r"Resources.gpu must be a count \(int >= 0\)"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ConfigError, match=message):
            flyte.Resources(**kwargs)
    good = flyte.Resources(cpu=(1, 2), memory=("1Gi", "2Gi"), gpu="A100:2")
    assert good.cpu_limit == 2 and good.memory_request == 1024**3


def _plain() -> None:
    return None


def test_other_policies_refuse_bad_values_at_construction():
    cases = [
        (lambda: flyte.Timeout(max_runtime=math.inf), "Timeout.max_runtime must be a finite number of seconds"),
        (lambda: flyte.Timeout(deadline=math.nan), "Timeout.deadline must be >= 0 seconds"),
        (lambda: env.task(timeout=math.inf)(_plain), "Timeout.max_runtime must be a finite number"),
        (lambda: flyte.RetryStrategy(3, backoff=5), "RetryStrategy.backoff must be a flyte.Backoff or None"),
        (lambda: flyte.RetryStrategy(True), "RetryStrategy.count must be an int >= 0"),
        (lambda: flyte.Backoff(timedelta(seconds=1), factor=math.inf), "Backoff.factor must be a finite number"),
        (lambda: flyte.Cache("auto", ignore=("verbose", 3)), r"Cache.ignored_inputs must be an input name"),
        (lambda: flyte.Cache("override", version=3), "Cache.version_override must be a str"),
        (lambda: flyte.Cache("auto", salt=None), "Cache.salt must be a str"),
        (lambda: flyte.ReusePolicy(replicas=True), "ReusePolicy.replicas must be an int"),
    ]
    for make, message in cases:
        with pytest.raises(ConfigError, match=message):
            make()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("docker:\n  pull: 'false'\n", r"docker.pull in .* must be a bool .*got 'false' \(str\).*pull: true"),
        ("docker:\n  network: 42\n", r"docker.network in .* must be a Docker network name \(str\), got 42 \(int\)"),
        ("docker:\n  pids_limit: 0\n", r"docker.pids_limit .* must be an int >= 1"),
        ("docker:\n  user: 1000\n", r"docker.user .* must be a user for the containers.*'1000:1000'"),
        ("docker:\n  users: {my-image: 0}\n", r"docker.users .* must be a mapping of image name or tag"),
        ("docker:\n  reuse: 1\n", r"docker.reuse .* must be a bool"),
        ("local:\n  max_threads: 0\n", r"local.max_threads .* must be an int >= 1, got 0.*max_threads: 64"),
        ("local:\n  max_threads: true\n", r"local.max_threads .* must be an int >= 1, got True"),
        ("local:\n  copy_io: 'yes'\n", r"local.copy_io .* must be a bool"),
        ("dask:\n  n_workers: 0\n", r"dask.n_workers .* must be an int >= 1"),
        ("dask:\n  connect_timeout: .inf\n", r"dask.connect_timeout .* must be seconds \(a number > 0\)"),
        ("dask:\n  callback: ws\n", r"dask.callback .* must be one of 'auto', 'unix', 'tcp'"),
        ("dask:\n  worker_resources: {GPU: -1}\n", r"dask.worker_resources .* a number >= 0"),
        ("storage_shared: 'no'\n", r"storage_shared in .* must be a bool"),
        ("store_key: 12345\n", r"store_key in .* must be a non-empty str.*secrets.token_hex"),
    ],
)
def test_backend_sections_are_type_checked_at_load(tmp_path, section, message):
    path = tmp_path / "config.yaml"
    path.write_text(section)
    with pytest.raises(ConfigError, match=message):
        flyte.init_from_config(path)


def test_init_checks_sections_and_takes_the_store_settings():
    with pytest.raises(ConfigError, match=r"docker.pull in flyte.init\(\) must be a bool"):
        flyte.init("docker", docker={"pull": "false"})
    config = flyte.init(
        "local",
        storage_shared=True,
        store_key="team-secret",
        docker={"user": "root", "users": {"my-image:latest": "1000:1000"}, "pids_limit": 256, "network": None},
    )
    assert (config.storage_shared, config.store_key) == (True, "team-secret")
    assert config.settings("docker") == {"user": "root", "users": {"my-image:latest": "1000:1000"}, "pids_limit": 256}
    assert flyte.init().storage_shared is False and flyte.init().store_key is None


def test_switching_backend_in_the_magic_keeps_the_store_settings():
    from IPython.core.interactiveshell import InteractiveShell

    flyte.init("local", store_key="team-secret", storage_shared=True, docker={"pids_limit": 64})
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "flyte_nb")
        shell.run_line_magic("flyte", "backend docker")
    finally:
        InteractiveShell.clear_instance()
    config = flyte.init_from_config.__globals__["current_config"]()
    assert config.backend == "docker" and config.store_key == "team-secret" and config.storage_shared
    assert config.settings("docker") == {"pids_limit": 64}


def test_a_config_file_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("backend: local\n# café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1.yaml' is not UTF-8 text .*save it as UTF-8"):
        flyte.init_from_config(path)


@env.task
async def take(value: object) -> int:
    return 1


@env.task
async def make_lock() -> object:
    return threading.Lock()


@env.task
async def send_lock() -> int:
    return await take(threading.Lock())


@env.task
async def get_lock() -> object:
    return await make_lock()


def test_a_value_that_does_not_pickle_names_the_task_and_argument_on_the_way_out():
    flyte.init("local", local={"copy_io": True})
    with pytest.raises(SerializationError) as caught:
        flyte.run(send_lock).outputs()
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, FlyteNbError)
    message = str(caught.value)
    assert "input 'value' of task bad_values.take cannot be pickled" in message and "inside the task" in message
    assert (caught.value.task, caught.value.what) == ("bad_values.take", "input 'value'")
    with pytest.raises(SerializationError, match="return value of task bad_values.make_lock cannot be pickled"):
        flyte.run(get_lock).outputs()


def test_a_cached_call_that_does_not_pickle_says_which_input_and_how_to_fix_it():
    @env.task(cache="auto")
    async def cached(lock: object, n: int) -> int:
        return n

    @env.task
    async def main() -> int:
        return await cached(threading.Lock(), 2)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert flyte.run(main).outputs()[0] == 2
    messages = [str(w.message) for w in caught]
    assert any("input 'lock' cannot be pickled" in m and "ignored_inputs=('lock',)" in m for m in messages), messages


def test_a_return_value_that_does_not_pickle_in_a_container_is_a_serialization_error(docker_client, tmp_path):
    flyte.init("docker", storage=f"file://{tmp_path / 'store'}", docker={"base_image": IMAGE})
    with pytest.raises(SerializationError, match="return value of task bad_values.make_lock cannot be pickled"):
        flyte.run(get_lock).outputs()


@env.task
async def child(x: int) -> int:
    return x + 1


@env.task
async def forgets_await() -> int:
    return child(1)  # type: ignore[return-value]


@env.task
def sync_forgets_await() -> int:
    return asyncio.sleep(0, 5)  # type: ignore[return-value]


@env.task
async def uses_forgetful() -> int:
    return await forgets_await() + 1


def test_a_task_returning_a_coroutine_is_an_error_naming_it_not_its_value():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = ended_run(uses_forgetful)
        with pytest.raises(TaskDefinitionError) as error:
            run.outputs()
        message = str(error.value)
        assert "task bad_values.forgets_await returned a coroutine (bad_values.child)" in message
        assert "did you forget await?" in message
        with pytest.raises(
            TaskDefinitionError, match=r"task bad_values.sync_forgets_await returned a coroutine \(sleep\)"
        ):
            flyte.run(sync_forgets_await).outputs()
    assert [a.attempts for a in run.controller.actions] == [1, 1]  # not retried, the child never started
    assert not [w for w in caught if "never awaited" in str(w.message)]
