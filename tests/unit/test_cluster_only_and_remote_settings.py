"""Flyte 2 code written for a cluster: cluster-only names fail clearly, remote settings warn,
and flyte.logger output from a task body lands in its action's log tail like print's."""

from __future__ import annotations

import asyncio
import warnings

import pytest

import flyte_nb as flyte
from flyte_nb.errors import ClusterOnlyError, FlyteNbError, RemoteSettingsIgnoredWarning

CLUSTER_ONLY = (
    "AppHandle",
    "ConditionWebhook",
    "Cron",
    "FixedRate",
    "OnArtifact",
    "Trigger",
    "TriggerTime",
    "TriggeredArtifact",
    "TriggeredPartition",
    "build_images",
    "deploy",
    "init_from_api_key",
    "init_in_cluster",
    "init_passthrough",
    "load_interactive_ctx",
    "new_condition",
    "rerun",
    "run_python_script",
    "serve",
    "with_servecontext",
)


@pytest.mark.parametrize("name", CLUSTER_ONLY)
def test_cluster_only_names_exist_and_fail_clearly_when_used(name):
    used = getattr(flyte, name)
    assert name in flyte.__all__
    message = (
        f"flyte_nb runs Flyte 2 code locally; flyte.{name} needs a Flyte cluster "
        "(use the flyte SDK against a cluster for this)"
    )
    with pytest.raises(ClusterOnlyError) as failed:
        used("x", 1, key="value")
    assert str(failed.value) == message
    assert isinstance(failed.value, FlyteNbError) and isinstance(failed.value, NotImplementedError)


def test_cluster_only_code_defines_and_fails_where_it_needs_the_cluster():
    env = flyte.TaskEnvironment("cluster_code")

    @env.task
    async def nightly() -> int:
        return 1

    assert isinstance(flyte.Cron, type) and isinstance(flyte.Trigger, type)
    with pytest.raises(ClusterOnlyError, match=r"flyte\.Trigger needs a Flyte cluster"):
        flyte.Trigger("nightly", automation=None)
    with pytest.raises(ClusterOnlyError, match=r"flyte\.Cron needs"):
        flyte.Cron("0 0 * * *")
    with pytest.raises(ClusterOnlyError, match=r"flyte\.deploy needs"):
        flyte.deploy(env)
    with pytest.raises(ClusterOnlyError, match=r"flyte\.deploy needs"):
        asyncio.run(flyte.deploy.aio(env))
    assert flyte.run(nightly).outputs()[0] == 1  # the tasks themselves still run locally


def _one_warning(record: pytest.WarningsRecorder) -> str:
    found = [w for w in record if issubclass(w.category, RemoteSettingsIgnoredWarning)]
    assert len(found) == 1, [str(w.message) for w in found]
    return str(found[0].message)


def test_init_names_exactly_the_remote_settings_it_ignores():
    with pytest.warns(RemoteSettingsIgnoredWarning) as record:
        config = flyte.init(endpoint="dns:///flyte.example.com", api_key="k", org="o", project="p", domain="d")
    assert config.backend == "local"
    message = _one_warning(record)
    assert message.startswith("flyte.init(): ignoring remote setting(s) api_key, domain, endpoint, org, project;")
    assert "runs Flyte 2 code locally" in message
    assert record[0].filename == __file__  # points at the caller's line


def test_init_with_local_settings_only_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemoteSettingsIgnoredWarning)
        flyte.init(local_persistence=True, insecure=False, rpc_retries=3, log_level=20)
        flyte.init()


def test_init_from_config_arguments_and_the_files_admin_section_warn(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("admin:\n  endpoint: dns:///flyte.example.com\n  insecure: true\ntask:\n  project: p\n")
    with pytest.warns(RemoteSettingsIgnoredWarning) as record:
        config = flyte.init_from_config(str(path))
    assert config.backend == "local"
    message = _one_warning(record)
    assert message.startswith(
        f"config file {str(path)!r}: ignoring remote setting(s) admin.endpoint, admin.insecure, task.project;"
    )
    assert record[0].filename == __file__
    plain = tmp_path / "plain.yaml"
    plain.write_text("backend: local\n")
    with pytest.warns(RemoteSettingsIgnoredWarning, match=r"flyte\.init_from_config\(\): .* domain, org;"):
        flyte.init_from_config(str(plain), org="o", domain="d")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemoteSettingsIgnoredWarning)
        flyte.init_from_config(str(plain))


@pytest.mark.parametrize("mode", ["remote", "hybrid"])
def test_with_runcontext_remote_mode_warns_once_and_runs_locally(mode):
    env = flyte.TaskEnvironment("remote_mode")

    @env.task
    async def double(x: int) -> int:
        return 2 * x

    flyte.init()
    named = {"name": f"{mode}-run"} if mode == "hybrid" else {}  # the SDK asks a hybrid run for a name
    with pytest.warns(RemoteSettingsIgnoredWarning) as record:
        runner = flyte.with_runcontext(mode=mode, **named)
    assert _one_warning(record).startswith(f"flyte.with_runcontext(): ignoring remote setting(s) mode={mode!r};")
    assert runner.run(double, 4).outputs()[0] == 8
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemoteSettingsIgnoredWarning)
        flyte.with_runcontext(mode="local")


def test_logger_output_from_a_task_lands_in_its_actions_log_tail(capsys):
    import logging

    assert isinstance(flyte.logger, logging.Logger) and flyte.logger.getEffectiveLevel() == logging.INFO
    env = flyte.TaskEnvironment("logging")

    @env.task
    async def chatty(x: int) -> int:
        flyte.logger.info("working on %d", x)
        flyte.logger.debug("not shown at INFO")
        print("printed", x)
        return x

    @env.task
    def sync_chatty(x: int) -> int:
        flyte.logger.warning("sync body %d", x)
        return x

    @env.task
    async def main() -> list[int]:
        return list(await asyncio.gather(chatty(1), chatty(2), sync_chatty.aio(3)))

    flyte.init()
    run = flyte.run(main)
    assert run.outputs()[0] == [1, 2, 3]
    (sync_tail,) = ("".join(r.logs or ()) for r in run.controller.actions if r.name.endswith("sync_chatty"))
    assert sync_tail == "WARNING sync body 3\n"
    tails = sorted("".join(r.logs or ()) for r in run.controller.actions if r.name.endswith(".chatty"))
    assert tails == ["INFO working on 1\nprinted 1\n", "INFO working on 2\nprinted 2\n"]
    assert "INFO working on 1" in capsys.readouterr().err  # and still shown, like print
