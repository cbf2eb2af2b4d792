"""The Flyte 2 SDK's smaller public names, with its shapes: flyte.models.ActionPhase,
flyte.notify, flyte.storage settings (accepted by init, named in the remote-settings notice),
Checkpoint / latest_checkpoint, and the TimeoutType / CacheRequest / Documentation names."""

from __future__ import annotations

import asyncio
import datetime
import os
import pathlib
import time
import typing
import warnings

import pytest

import flyte_nb as flyte
from flyte_nb import notify
from flyte_nb.errors import RemoteSettingsIgnoredWarning
from flyte_nb.models import ActionPhase


def test_action_phase_members_compare_to_run_phase_strings():
    assert ActionPhase.SUCCEEDED == "succeeded" and ActionPhase("timed_out") is ActionPhase.TIMED_OUT
    assert [p for p in ActionPhase if p.is_terminal] == [
        ActionPhase.SUCCEEDED,
        ActionPhase.FAILED,
        ActionPhase.ABORTED,
        ActionPhase.TIMED_OUT,
        ActionPhase.RECOVERED,
    ]
    assert ActionPhase.QUEUED.to_protobuf_name() == "ACTION_PHASE_QUEUED"


def test_notifications_normalise_and_default_as_the_sdk():
    email = notify.Email(on_phase=ActionPhase.FAILED, recipients=["oncall@example.com"])
    assert email.on_phase == (ActionPhase.FAILED,) and email.recipients == ("oncall@example.com",)
    assert email.subject == "Run {{.Run.Name}} {{.Phase}}" and email.html_body is None
    slack = notify.Slack(on_phase=[ActionPhase.SUCCEEDED, ActionPhase.ABORTED], webhook_url="https://hooks/x")
    assert slack.on_phase == (ActionPhase.SUCCEEDED, ActionPhase.ABORTED)
    assert slack.message is not None and "{{.Phase}}" in slack.message
    teams = notify.Teams(on_phase=ActionPhase.TIMED_OUT, webhook_url="https://teams/x", card={"k": 1})
    assert teams.message is None and teams.title == "Run {{.Run.Name}} {{.Phase}}"
    hook = notify.Webhook(on_phase=ActionPhase.FAILED, url="https://example.com")
    assert hook.method == "POST" and hook.body is not None and hook.body["phase"] == "{{.Phase}}"
    assert notify.NamedRule("oncall").name == "oncall"
    assert notify.NamedDelivery(on_phase=ActionPhase.FAILED, name="slack-oncall").name == "slack-oncall"
    assert isinstance(email, notify.Notification)
    with pytest.raises(AttributeError):
        email.subject = "changed"  # type: ignore[misc]  # frozen, as the SDK's


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: notify.Email(on_phase=ActionPhase.RUNNING, recipients=["a@b"]), "phase ActionPhase.RUNNING"),
        (lambda: notify.Email(on_phase=(), recipients=["a@b"]), "At least one phase"),
        (lambda: notify.Email(on_phase=ActionPhase.FAILED, recipients=[]), "At least one recipient"),
        (lambda: notify.Slack(on_phase=ActionPhase.FAILED, webhook_url=""), "webhook_url is required"),
        (lambda: notify.Webhook(on_phase=ActionPhase.FAILED, url=""), "url is required"),
        (lambda: notify.NamedRule(""), "Rule name must not be empty"),
    ],
)
def test_wrong_notifications_raise_value_error(build: typing.Callable[[], object], message: str):
    with pytest.raises(ValueError, match=message):
        build()


def test_notifications_are_accepted_by_with_runcontext_and_named_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runner = flyte.with_runcontext(notifications=(notify.NamedRule("oncall"),))
        flyte.with_runcontext(notifications=None)
    assert isinstance(runner, flyte.Runner)
    notices = [str(w.message) for w in caught if issubclass(w.category, RemoteSettingsIgnoredWarning)]
    assert len(notices) == 1 and "ignoring remote setting(s) notifications;" in notices[0]


def test_storage_settings_have_the_sdk_fields_and_constructors(monkeypatch: pytest.MonkeyPatch):
    sandbox = flyte.storage.S3.for_sandbox()
    assert (sandbox.endpoint, sandbox.access_key_id, sandbox.secret_access_key) == (
        "http://localhost:4566",
        "minio",
        "miniostorage",
    )
    assert sandbox.retries == 3 and sandbox.backoff == datetime.timedelta(seconds=5)
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://minio:9000")
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_NAME", "acct")
    assert flyte.storage.S3.auto(region="eu-west-1") == flyte.storage.S3(
        endpoint="http://minio:9000", region="eu-west-1"
    )
    assert flyte.storage.ABFS.auto().account_name == "acct"
    assert isinstance(flyte.storage.GCS.auto(), flyte.storage.Storage)


def test_init_accepts_cluster_storage_names_it_and_keeps_its_own_store(tmp_path: pathlib.Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = flyte.init(storage=flyte.storage.S3.for_sandbox(), endpoint="dns:///localhost:8090")
    assert config.storage is None  # the default store, not the cluster's
    notices = [str(w.message) for w in caught if issubclass(w.category, RemoteSettingsIgnoredWarning)]
    assert len(notices) == 1 and "endpoint, storage=S3(...)" in notices[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = flyte.init(storage=f"file://{tmp_path}/store")
    assert config.storage == f"file://{tmp_path}/store" and not caught
    with pytest.raises(TypeError, match="flyte.storage.S3, GCS or ABFS"):
        flyte.init_from_config(storage="s3://bucket")
    flyte.init()


def test_checkpoint_saves_a_directory_and_restores_it(tmp_path: pathlib.Path):
    dest = tmp_path / "attempt0" / "_flytecheckpoints"
    work = tmp_path / "work"
    (work / "nested").mkdir(parents=True)
    (work / "state.txt").write_text("step 3")
    (work / "nested" / "last.ckpt").write_text("weights")
    first = flyte.Checkpoint(str(dest))
    assert not first.prev_exists() and first.load_sync() is None and first.remote_source is None
    first.save_sync(work)
    assert dest.is_file()

    resumed = flyte.Checkpoint(str(tmp_path / "attempt1" / "cp"), checkpoint_src=f"file://{dest}")
    restored = resumed.load_sync()
    assert restored == resumed.path
    assert (restored / "state.txt").read_text() == "step 3"
    assert flyte.latest_checkpoint(restored) == restored / "nested" / "last.ckpt"
    assert isinstance(resumed, flyte.BaseCheckpoint)


def test_checkpoint_bytes_round_trip_as_payload_async(tmp_path: pathlib.Path):
    dest = str(tmp_path / "cp.bin")
    asyncio.run(flyte.Checkpoint(dest).save(b"epoch=7"))
    resumed = flyte.Checkpoint(str(tmp_path / "next"), checkpoint_src=dest)  # its workspace lives with it
    loaded = asyncio.run(resumed.load())
    assert loaded is not None and loaded.name == "payload" and loaded.read_bytes() == b"epoch=7"


def test_checkpoint_with_a_missing_previous_object_starts_fresh(tmp_path: pathlib.Path):
    cp = flyte.Checkpoint(str(tmp_path / "out"), checkpoint_src=str(tmp_path / "never-written"))
    assert cp.prev_exists() and cp.load_sync() is None
    with pytest.raises(FileNotFoundError, match="does not exist"):
        cp.save_sync(tmp_path / "nope")


def test_latest_checkpoint_picks_the_newest_or_by_key(tmp_path: pathlib.Path):
    assert flyte.latest_checkpoint(tmp_path) is None
    for step in (3, 10, 7):
        path = tmp_path / f"step-{step}.ckpt"
        path.write_text(str(step))
        os.utime(path, (time.time() + step, time.time() + step))
    assert flyte.latest_checkpoint(tmp_path, "*.ckpt").name == "step-10.ckpt"  # type: ignore[union-attr]
    by_step = flyte.latest_checkpoint(tmp_path, "*.ckpt", key=lambda p: -int(p.stem.split("-")[1]))
    assert by_step is not None and by_step.name == "step-3.ckpt"


def test_type_aliases_and_documentation():
    assert set(typing.get_args(flyte.TimeoutType)) == {flyte.Timeout, int, datetime.timedelta}
    assert flyte.Cache in typing.get_args(flyte.CacheRequest)
    assert flyte.Documentation(description="adds numbers").description == "adds numbers"


PLUGIN_MODULE = """
from __future__ import annotations
from dataclasses import dataclass, field

@dataclass
class WorkerGroup:
    group_name: str
    replicas: int = 1

@dataclass
class JobConfig:
    workers: list[WorkerGroup] = field(default_factory=list)
    head: WorkerGroup | None = None
    env: dict[str, str] = field(default_factory=dict)
"""


def test_load_plugin_config_builds_nested_dataclasses(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "myplugin_cfg.py").write_text(PLUGIN_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "plugin.yaml"
    path.write_text(
        "plugin: myplugin_cfg.JobConfig\n"
        "config:\n  workers:\n    - group_name: w\n      replicas: 2\n  head: {group_name: h}\n  env: {A: b}\n"
    )
    config = flyte.load_plugin_config(path)
    assert type(config).__name__ == "JobConfig" and config.env == {"A": "b"}
    assert [(w.group_name, w.replicas) for w in config.workers] == [("w", 2)]
    assert config.head.group_name == "h" and config.head.replicas == 1
    path.write_text("plugin: myplugin_cfg.JobConfig\nconfig: {nope: 1}\n")
    with pytest.raises(ValueError, match=r"Unknown field\(s\) \['nope'\]"):
        flyte.load_plugin_config(path)
    path.write_text("plugin: not_installed_pkg.Config\n")
    with pytest.raises(ValueError, match="Could not load plugin config class 'not_installed_pkg.Config'"):
        flyte.load_plugin_config(path)
    path.write_text("config: {}\n")
    with pytest.raises(ValueError, match="top-level 'plugin' key"):
        flyte.load_plugin_config(path)


def test_link_is_a_protocol_users_implement():
    class RunbookLink(flyte.Link):
        name = "runbook"

        def get_link(self, run_name: str, *args: typing.Any, **kwargs: typing.Any) -> str:
            return f"https://runbooks.example.com/{run_name}"

    assert RunbookLink().get_link("r1", "p", "d", {}, "a0", "a1", "pod") == "https://runbooks.example.com/r1"
    assert RunbookLink.icon_uri == ""
