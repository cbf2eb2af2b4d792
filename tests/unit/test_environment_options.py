"""TaskEnvironment and task options of the Flyte 2 SDK: every one accepted; the ones that mean
something locally do it (clone_with, depends_on, override, forward), the cluster-only ones are
named once in a notice, not once per task."""

from __future__ import annotations

import inspect
import os
import warnings

import pytest

import flyte_nb as flyte
from flyte_nb.errors import RemoteSettingsIgnoredWarning, TaskDefinitionError
from flyte_nb.model._cluster_options import forget_notices

#: the Flyte 2 SDK's (2.12.1) parameters, by signature
SDK_ENVIRONMENT = (
    "name depends_on pod_template description env_vars resources interruptible image include "
    "service_account cache reusable plugin_config queue"
).split()
SDK_TASK = (
    "short_name cache retries timeout docs pod_template report interruptible max_inline_io_bytes queue "
    "service_account triggers links task_resolver entrypoint produces_artifacts"
).split()
SDK_OVERRIDE = (
    "short_name resources cache retries timeout reusable env_vars service_account max_inline_io_bytes "
    "pod_template queue interruptible entrypoint produces_artifacts links plugin_config"
).split()
SDK_CLONE_WITH = "name image resources env_vars depends_on description interruptible include service_account".split()


@pytest.fixture(autouse=True)
def fresh_notices():
    forget_notices()
    yield
    forget_notices()


def _messages(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, RemoteSettingsIgnoredWarning)]


def test_environment_takes_every_sdk_field_and_names_cluster_only_ones_once():
    assert set(SDK_ENVIRONMENT) <= set(inspect.signature(flyte.TaskEnvironment).parameters)
    with pytest.warns(RemoteSettingsIgnoredWarning) as record:
        base = flyte.TaskEnvironment("base_env")
        first = flyte.TaskEnvironment(
            "full_env",
            depends_on=[base],
            pod_template="gpu-template",
            description="all the fields",
            env_vars={"A": "1"},
            resources=flyte.Resources(cpu=1),
            interruptible=True,
            image="auto",
            include=("data/*.csv",),
            service_account="sa",
            cache="auto",
            reusable=None,
            plugin_config={"kind": "spark"},
            queue="gpu",
        )
        flyte.TaskEnvironment("again_env", queue="other", interruptible=True)  # already named: no second notice
    (message,) = _messages(record)
    for name in ("pod_template", "interruptible", "include", "service_account", "plugin_config", "queue"):
        assert name in message
    assert first.depends_on == [base] and first.description == "all the fields"
    assert first.queue == "gpu" and first.include == ("data/*.csv",) and first.interruptible is True
    assert first.tasks == {}


def test_environment_fields_are_checked_as_the_sdk_does():
    with pytest.raises(TypeError, match="Expected Environment"):
        flyte.TaskEnvironment("bad_dep", depends_on=["not an env"])
    with pytest.raises(ValueError, match="include"):
        flyte.TaskEnvironment("bad_include", include="one/path")
    env = flyte.TaskEnvironment("self_dep")
    with pytest.raises(ValueError, match="Cannot add self as a dependency"):
        env.add_dependency(env)


def test_add_dependency_adds_each_environment_once():
    a, b, c = (flyte.TaskEnvironment(n) for n in ("dep_a", "dep_b", "dep_c"))
    a.add_dependency(b, c)
    a.add_dependency(b)
    assert a.depends_on == [b, c]


def test_clone_with_copies_the_settings_and_changes_what_is_given():
    assert set(SDK_CLONE_WITH) <= set(inspect.signature(flyte.TaskEnvironment.clone_with).parameters)
    base = flyte.TaskEnvironment("clone_base", env_vars={"A": "1"}, resources=flyte.Resources(cpu=2), cache="auto")

    @base.task
    async def t() -> int:
        return 1

    cached = base.clone_with("clone_cached", cache="disable", env_vars={"B": "2"}, description="copy")
    assert cached.name == "clone_cached" and cached.tasks == {}  # a new environment: no tasks yet
    assert cached.resources == base.resources and cached.env_vars == {"B": "2"}
    assert cached.description == "copy" and not cached.cache.enabled and base.cache.enabled
    pooled = base.clone_with("clone_pooled", reusable=flyte.ReusePolicy(replicas=1))
    assert pooled.reusable is not None and base.reusable is None
    with pytest.raises(TypeError, match="Unexpected keyword arguments"):
        base.clone_with("clone_bad", colour="red")

    @cached.task
    async def u() -> int:
        return await t() + 1

    assert flyte.run(u).outputs()[0] == 2


def test_from_task_refuses_tasks_that_already_have_an_environment():
    env = flyte.TaskEnvironment("owner_env")

    @env.task
    async def t() -> None: ...

    with pytest.raises(ValueError, match="Tasks cannot assigned to multiple environments"):
        flyte.TaskEnvironment.from_task("other_env", t)


def test_env_task_takes_every_sdk_option_and_names_the_cluster_only_ones_once():
    assert set(SDK_TASK) <= set(inspect.signature(flyte.TaskEnvironment.task).parameters)
    env = flyte.TaskEnvironment("task_options")
    with pytest.warns(RemoteSettingsIgnoredWarning) as record:

        @env.task(
            short_name="short",
            cache="auto",
            retries=1,
            timeout=30,
            docs=flyte.Documentation("what it does"),
            pod_template="tmpl",
            report=True,
            interruptible=True,
            max_inline_io_bytes=1024,
            queue="q",
            service_account="sa",
            triggers=(),
            links=("https://example.com",),
            task_resolver=None,
            entrypoint=True,
            produces_artifacts=True,
        )
        async def full(x: int) -> int:
            return x + 1

        @env.task(queue="q2", report=True)
        async def other() -> None: ...

    (message,) = _messages(record)  # one notice for both tasks
    for name in ("pod_template", "interruptible", "queue", "service_account", "links", "entrypoint"):
        assert name in message
    assert "report" not in message  # flyte.report works locally
    assert full.short_name == "short" and full.retries.count == 1 and full.max_inline_io_bytes == 1024
    assert full.docs == flyte.Documentation("what it does") and full.queue == "q" and full.interruptible
    assert full.links == ("https://example.com",) and full.report is True
    assert flyte.run(full, 1).outputs()[0] == 2

    def plain() -> None: ...

    with pytest.raises(TaskDefinitionError, match="unknown task option"):
        env.task(colour="red")(plain)
    with pytest.raises(TaskDefinitionError, match="interruptible of task .* must be True or False"):
        env.task(interruptible="yes")(plain)


def test_override_takes_every_sdk_option_and_changes_only_the_copy():
    assert set(SDK_OVERRIDE) <= set(inspect.signature(flyte.TaskTemplate.override).parameters)
    env = flyte.TaskEnvironment("override_env", env_vars={"A": "1"}, resources=flyte.Resources(cpu=1))

    @env.task
    async def t(x: int) -> int:
        return x * 2

    with pytest.warns(RemoteSettingsIgnoredWarning):
        changed = t.override(
            short_name="renamed",
            resources=flyte.Resources(cpu=2),
            cache="auto",
            retries=3,
            timeout=10,
            reusable=None,
            env_vars={"B": "2"},
            service_account="sa",
            max_inline_io_bytes=2048,
            pod_template="tmpl",
            queue="q",
            interruptible=True,
            entrypoint=True,
            produces_artifacts=True,
            links=(),
            plugin_config={"x": 1},
        )
    assert changed.short_name == "renamed" and changed.retries.count == 3 and changed.max_inline_io_bytes == 2048
    assert changed.resources == flyte.Resources(cpu=2) and changed.env_vars == {"B": "2"}
    assert changed.name == t.name == "override_env.t"
    assert t.short_name == "t" and t.retries.count == 0 and t.resources == flyte.Resources(cpu=1)
    assert t.env_vars == {"A": "1"}
    with pytest.raises(TaskDefinitionError, match="Name cannot be overridden"):
        t.override(name="other")
    assert flyte.run(changed, 4).outputs()[0] == 8


def test_a_task_of_a_reusable_environment_changes_resources_only_with_reuse_off():
    pooled = flyte.TaskEnvironment("override_pool", reusable=flyte.ReusePolicy(replicas=1))

    @pooled.task
    async def t() -> None: ...

    with pytest.raises(TaskDefinitionError, match="reusable='off'"):
        t.override(resources=flyte.Resources(cpu=2))
    alone = t.override(reusable="off", resources=flyte.Resources(cpu=2))
    assert alone.reusable is None and t.reusable is not None


def test_forward_calls_the_function_itself_even_inside_a_run():
    env = flyte.TaskEnvironment("forward_env")

    @env.task
    async def double(x: int) -> int:
        return x * 2

    @env.task
    def triple(x: int) -> int:
        return x * 3

    @env.task
    async def main() -> list:
        return [await double.forward(2), triple.forward(2), await double(1)]

    run = flyte.run(main)
    assert run.outputs()[0] == [4, 6, 2]
    assert [a.task.name for a in run.actions()] == ["forward_env.main", "forward_env.double"]  # no action per forward


def test_the_sdks_other_environment_and_task_names():
    env = flyte.TaskEnvironment("names_env")
    assert isinstance(env, flyte.Environment)
    with pytest.raises(TypeError, match=r"make a flyte.TaskEnvironment\('base', ...\) instead"):
        flyte.Environment("base")

    with pytest.warns(RemoteSettingsIgnoredWarning, match="pod_template"):

        @env.task(pod_template=flyte.PodTemplate(primary_container_name="main", labels={"a": "b"}))
        async def t() -> None: ...

    assert isinstance(t, flyte.AsyncFunctionTaskTemplate) and t.pod_template.primary_container_name == "main"


_VARS_ENV = flyte.TaskEnvironment("env_vars_in_process", env_vars={"FLYTE_NB_TEST_COLOUR": "teal"})


@_VARS_ENV.task
async def read_colour() -> str:
    return os.environ.get("FLYTE_NB_TEST_COLOUR", "unset")


@_VARS_ENV.task
def read_colour_sync() -> str:
    return os.environ.get("FLYTE_NB_TEST_COLOUR", "unset")


def test_an_environments_env_vars_reach_in_process_actions_only_while_they_run() -> None:
    flyte.init()
    assert "FLYTE_NB_TEST_COLOUR" not in os.environ
    assert flyte.run(read_colour).outputs() == ("teal",)
    assert flyte.run(read_colour_sync).outputs() == ("teal",)
    assert "FLYTE_NB_TEST_COLOUR" not in os.environ  # put back once the action ended
    changed = read_colour.override(env_vars={"FLYTE_NB_TEST_COLOUR": "plum"})
    assert flyte.run(changed).outputs() == ("plum",)
    assert "FLYTE_NB_TEST_COLOUR" not in os.environ
