"""Bad input gets one clear sentence naming the problem and the fix."""

from __future__ import annotations

import asyncio
import functools
from datetime import timedelta

import pytest
from support import ended_run

import flyte_nb as flyte
from flyte_nb.errors import ConfigError, RemoteSettingsIgnoredWarning, TaskCallError, TaskDefinitionError

env = flyte.TaskEnvironment("bad_input")


@env.task
async def main(r: int) -> int:
    return r


def plain(r: int) -> int:
    return r


def test_run_on_a_non_task():
    with pytest.raises(TaskCallError, match=r"flyte.run needs a task.*'plain'.*@env.task"):
        flyte.run(plain, 1)
    with pytest.raises(TypeError, match="flyte.run needs a task"):
        flyte.run("main", 1)


def test_run_with_wrong_argument_names():
    with pytest.raises(TaskCallError, match=r"bad_input.main.*unexpected keyword argument 'rr'.*main\(r: int\)"):
        flyte.run(main, rr=50)
    with pytest.raises(TaskCallError, match="missing a required argument: 'r'"):
        flyte.run(main)
    with pytest.raises(TaskCallError, match="too many positional arguments"):
        flyte.run(main, 1, 2)


def test_wrong_arguments_inside_a_run_fail_the_caller_not_a_child():
    @env.task
    async def caller() -> int:
        return await main(x=1)

    run = ended_run(caller)
    with pytest.raises(TaskCallError, match="unexpected keyword argument 'x'"):
        run.outputs()
    assert len(run.controller.actions) == 1


@pytest.mark.parametrize("concurrency", [-1, 1.5, "3", True])
def test_map_rejects_bad_concurrency(concurrency):
    with pytest.raises(TaskCallError, match="concurrency must be an int >= 0"):
        flyte.map(main, [1, 2], concurrency=concurrency)


def test_map_rejects_non_iterables_and_non_tasks():
    with pytest.raises(TaskCallError, match=r"input 1 is not iterable \(got int 5\)"):
        flyte.map(main, 5)
    with pytest.raises(TaskCallError, match="input 2 is not iterable"):
        flyte.map(main, [1], None)
    with pytest.raises(TaskCallError, match="needs at least one iterable"):
        flyte.map(main)
    with pytest.raises(TaskCallError, match="flyte.map needs a task"):
        flyte.map(plain, [1])
    with pytest.raises(TaskCallError, match="flyte.map needs a task"):
        flyte.map.aio(lambda x: x, [1])


def test_map_with_wrong_arity_fails_clearly():
    @env.task
    async def caller() -> list:
        return await flyte.map(main, [1, 2], [3, 4])

    with pytest.raises(TaskCallError, match="too many positional arguments"):
        flyte.run(caller).outputs()


@pytest.mark.parametrize(
    ("thing", "message"),
    [
        (lambda x: x, "got a lambda"),
        (42, "got int 42"),
        (functools.partial(plain, 1), "functools.partial"),
        (print, "builtin_function_or_method"),
        (type("Klass", (), {}), "got type"),
    ],
)
def test_env_task_rejects_non_functions(thing, message):
    with pytest.raises(TaskDefinitionError, match=message):
        env.task(thing)


def test_env_task_rejects_generators_and_unknown_options():
    async def agen():
        yield 1

    with pytest.raises(TaskDefinitionError, match="is a generator"):
        env.task(agen)
    with pytest.raises(TaskDefinitionError, match="unknown task option.*retry"):
        env.task(retry=3)(plain)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"retries": -1}, "RetryStrategy.count must be an int >= 0"),
        ({"retries": "3"}, "retries must be an int"),
        ({"timeout": "10s"}, "timeout must be seconds"),
        ({"timeout": -1}, "must be >= 0 seconds"),
        ({"cache": "sometimes"}, "cache must be 'auto', 'disable'"),
        ({"cache": "override"}, "needs a version"),
        ({"max_inline_io_bytes": -5}, "max_inline_io_bytes of plain must be an int >= 0"),
    ],
)
def test_task_options_are_validated(kwargs, message):
    with pytest.raises((ConfigError, TaskDefinitionError), match=message):
        env.task(**kwargs)(plain)


def test_environment_and_policy_validation():
    with pytest.raises(ConfigError, match="non-empty name"):
        flyte.TaskEnvironment("")
    with pytest.raises(ConfigError, match="not both"):
        flyte.TaskEnvironment("x", reuse_policy=flyte.ReusePolicy(2), reusable=flyte.ReusePolicy(3))
    with pytest.raises(ConfigError, match="replicas must satisfy"):
        flyte.ReusePolicy(replicas=(5, 2))
    with pytest.raises(ConfigError, match="replicas must be an int or a"):
        flyte.ReusePolicy(replicas=(1, 2, 3))
    with pytest.raises(ConfigError, match="concurrency must be an int >= 1"):
        flyte.ReusePolicy(concurrency=0)
    with pytest.raises(ConfigError, match="Resources.memory must look like"):
        flyte.Resources(memory="lots")
    with pytest.raises(ConfigError, match="Resources.cpu must be more than 0"):
        flyte.Resources(cpu=0)
    with pytest.raises(ConfigError, match="Backoff.cap is required"):
        flyte.Backoff(timedelta(seconds=1), factor=2.0, cap=None)
    with pytest.raises(ConfigError, match="resources must be flyte.Resources"):
        flyte.TaskEnvironment("x", resources={"cpu": 1})


def test_valid_policies_normalise():
    policy = flyte.ReusePolicy(replicas=3, concurrency=5, scaledown_ttl=timedelta(minutes=10), idle_ttl=3600)
    assert policy.replicas == (3, 3) and policy.capacity == 15
    assert policy.idle_ttl == timedelta(hours=1)
    env2 = flyte.TaskEnvironment("y", reusable=policy, resources=flyte.Resources(cpu="500m", memory=("1Gi", "2Gi")))
    assert env2.reuse_policy is policy and env2.reusable is policy
    assert env2.resources.cpu_limit == 0.5 and env2.resources.memory_limit == 2 * 1024**3
    assert flyte.Backoff().delay(0) == 0.1 and flyte.Backoff().delay(50) == 10.0


def test_bad_run_options():
    with pytest.raises(TaskCallError, match="max_action_concurrency must be an int >= 0"):
        flyte.with_runcontext(max_action_concurrency=-2)
    with pytest.raises(TaskCallError, match="run name"):
        flyte.with_runcontext(name="a/b")
    with pytest.raises(TypeError, match="unexpected keyword argument.*colour"):
        flyte.with_runcontext(colour="red")
    # Flyte SDK options that only matter remotely are accepted, and named in one notice
    with pytest.warns(RemoteSettingsIgnoredWarning, match="project, domain, queue"):
        flyte.with_runcontext(project="p", domain="development", queue="gpu")


def test_a_run_cannot_wait_for_itself():
    @env.task
    async def selfish() -> None:
        from flyte_nb.session._run import active_runs

        (run,) = active_runs().values()
        run.wait()

    with pytest.raises(flyte.errors.FlyteNbError, match="cannot wait for itself"):
        flyte.run(selfish).outputs()


def test_sync_task_called_in_async_code_without_aio_still_works():
    @env.task
    def legacy(x: int) -> int:
        return x + 1

    @env.task
    async def caller() -> int:
        return legacy(1) + await legacy.aio(2)

    assert flyte.run(caller).outputs()[0] == 5
    assert asyncio.run(legacy.aio(1)) == 2
