"""flyte.with_runcontext takes every option of the Flyte 2 SDK, with its checks: the local ones
do what they say, the cluster-only ones are named in one notice. And the small SDK functions
about where a run is filed: current_project/current_domain, version, is_control_plane_available."""

from __future__ import annotations

import inspect
import logging
import warnings

import pytest

import flyte_nb as flyte
from flyte_nb.errors import InitializationError, RemoteSettingsIgnoredWarning, TaskCallError

#: the Flyte 2 SDK's (2.12.1) with_runcontext parameters
SDK_WITH_RUNCONTEXT = (
    "mode name service_account version copy_style dry_run copy_bundle_to interactive_mode raw_data_path "
    "run_base_dir run_start_time overwrite_cache project domain env_vars labels annotations interruptible "
    "log_level log_format user_log_level reset_root_logger disable_run_cache queue max_action_concurrency "
    "notifications custom_context cache_lookup_scope preserve_original_types debug tracked tracked_strict _tracker"
).split()

env = flyte.TaskEnvironment("runctx")


@env.task
async def info() -> dict:
    ctx = flyte.ctx()
    return {"custom": ctx.custom_context, "interactive": ctx.interactive_mode}


def test_every_sdk_option_is_a_parameter():
    assert set(SDK_WITH_RUNCONTEXT) <= set(inspect.signature(flyte.with_runcontext).parameters)


def test_local_options_do_what_they_say_and_cluster_only_ones_are_named_once():
    with pytest.warns(RemoteSettingsIgnoredWarning) as record:
        runner = flyte.with_runcontext(
            "local",
            name="all-options",
            service_account="sa",
            version="v1",
            copy_style="all",
            dry_run=False,
            interactive_mode=False,
            overwrite_cache=True,
            project="p",
            domain="d",
            env_vars={"X": "1"},
            labels={"team": "ml"},
            annotations={"note": "n"},
            interruptible=True,
            log_format="json",
            disable_run_cache=True,
            queue="gpu",
            max_action_concurrency=4,
            notifications=("email",),
            custom_context={"k": "v"},
            cache_lookup_scope="project-domain",
            preserve_original_types=True,
            debug=True,
            tracked=True,
        )
    (message,) = [str(w.message) for w in record]
    for name in (
        "service_account",
        "version",
        "copy_style",
        "project",
        "domain",
        "interruptible",
        "log_format",
        "queue",
        "notifications",
        "cache_lookup_scope",
        "debug",
        "tracked",
    ):
        assert name in message
    for local in ("custom_context", "env_vars", "labels", "max_action_concurrency", "interactive_mode"):
        assert local not in message
    run = runner.run(info)
    assert run.name == "all-options"
    assert run.outputs()[0] == {"custom": {"k": "v"}, "interactive": False}
    assert run.controller.limits.max_action_concurrency == 4
    assert dict(run.controller.run_info.labels) == {"team": "ml"}
    assert dict(run.controller.run_info.annotations) == {"note": "n"}


def test_options_left_at_their_defaults_make_no_notice():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemoteSettingsIgnoredWarning)
        flyte.with_runcontext(copy_style="loaded_modules", log_format="console", cache_lookup_scope="global")


def test_the_sdks_checks():
    with pytest.raises(ValueError, match="Run name and run base dir are required for hybrid mode"):
        flyte.with_runcontext(mode="hybrid")
    with pytest.raises(ValueError, match="copy_style='custom' is not yet supported"):
        flyte.with_runcontext(copy_style="custom")
    with pytest.raises(ValueError, match="Version is required when copy_style is 'none'"):
        flyte.with_runcontext(copy_style="none")
    with pytest.raises(TaskCallError, match="custom_context must be a dict with str keys"):
        flyte.with_runcontext(custom_context=["k=v"])
    with pytest.raises(TaskCallError, match="labels must be a dict of str to str"):
        flyte.with_runcontext(labels={"a": 1})
    with pytest.raises(TaskCallError, match="run_start_time=.*must be a datetime"):
        flyte.with_runcontext(run_start_time="yesterday")
    with pytest.raises(TaskCallError, match="log_level must be a logging level"):
        flyte.with_runcontext(log_level="loud")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        flyte.with_runcontext(colour="red")


def test_log_levels_set_flyte_nbs_logger_and_flyte_logger():
    system, user = logging.getLogger("flyte_nb"), flyte.logger
    before = system.level, user.level
    try:
        flyte.with_runcontext(log_level=logging.DEBUG, user_log_level=logging.WARNING).run(info).outputs()[0]
        assert system.level == logging.DEBUG and user.level == logging.WARNING
        assert flyte.system_logger is system
    finally:
        system.setLevel(before[0])
        user.setLevel(before[1])


def test_project_and_domain_are_what_init_named():
    flyte.init()
    with pytest.raises(InitializationError, match=r"Project has not been initialized. Call flyte.init\(project=...\)"):
        flyte.current_project()
    with pytest.raises(InitializationError, match="Domain has not been initialized") as raised:
        flyte.current_domain()
    assert raised.value.code == "DomainNotInitializedError" and raised.value.kind == "user"
    with pytest.warns(RemoteSettingsIgnoredWarning, match="domain, project"):
        flyte.init(project="flytesnacks", domain="development")
    assert flyte.current_project() == "flytesnacks" and flyte.current_domain() == "development"
    flyte.init()
    with pytest.raises(InitializationError):
        flyte.current_project()


def test_version_and_control_plane():
    assert flyte.version() == flyte.__version__
    assert flyte.is_control_plane_available() is False
