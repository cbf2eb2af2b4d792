"""Secrets: flyte.Secret and secrets= as the Flyte 2 SDK spells them, found in the kernel's
environment or the user's secrets file, present in an action only while it runs, and never
written to the store."""

from __future__ import annotations

import asyncio
import contextvars
import os
import pathlib
import pickle
import stat
from typing import Any

import pytest

import flyte_nb as flyte
from flyte_nb._paths import user_config_dir
from flyte_nb.errors import ConfigError, SecretNotFoundError
from flyte_nb.executors import ActionSpec, Executor, available_backends, register_backend, secrets_present
from flyte_nb.session._secrets import run_secrets

VALUE = "s3cr3t-value-7f1c9a"  # found in no file of a run's store, if all goes well
MOUNT = pathlib.Path("/etc/flyte/secrets")

plain = flyte.TaskEnvironment("sec_plain", secrets="api-token")
grouped = flyte.TaskEnvironment(
    "sec_grouped", secrets=flyte.Secret("db-password", group="billing", as_env_var="DB_PASSWORD")
)
mounted = flyte.TaskEnvironment("sec_mounted", secrets=flyte.Secret("tls-key", group="certs", mount=MOUNT))
bare = flyte.TaskEnvironment("sec_bare")
started: list[str] = []


def value_of(run: Any) -> Any:
    """The run's single output (the SDK's ActionOutputs of one, or the bare value); tasks here
    return no tuples."""
    out = run.outputs()
    return out[0] if isinstance(out, tuple) else out


@plain.task
async def read_token() -> str:
    started.append("read_token")
    return os.environ["API_TOKEN"]


@plain.task(cache="auto")
async def cached_token_length(x: int) -> int:
    started.append("cached")
    return len(os.environ["API_TOKEN"]) + x


@plain.task
def read_token_sync() -> str:
    return os.environ["API_TOKEN"]


@grouped.task
async def read_password() -> str:
    return os.environ["DB_PASSWORD"]


@mounted.task
def read_mounted() -> list[Any]:
    folder = os.environ.get("FLYTE_SECRETS_DEFAULT_DIR", str(MOUNT))
    path = pathlib.Path(folder, "certs", "tls-key")
    return [path.read_text(), stat.S_IMODE(path.stat().st_mode), str(path)]


@bare.task
async def no_secrets() -> bool:
    return "API_TOKEN" in os.environ


@bare.task
async def calls_token_reader() -> list[Any]:
    token = await read_token()
    return [token, await no_secrets()]


def secrets_file(text: str, mode: int = 0o600) -> pathlib.Path:
    path = user_config_dir() / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def store_files() -> list[pathlib.Path]:
    return [p for p in pathlib.Path(os.environ["FLYTE_NB_STORAGE"]).rglob("*") if p.is_file()]


# ---------------------------------------------------------------------------- the SDK's shapes
def test_secret_names_env_vars_and_checks_mounts_as_the_sdk_does() -> None:
    assert flyte.Secret("my-secret").as_env_var == "MY_SECRET"
    assert flyte.Secret("k", group="g-1").as_env_var == "G_1_K"
    assert flyte.Secret("k", as_env_var="OPENAI_API_KEY").as_env_var == "OPENAI_API_KEY"
    assert flyte.Secret("k", mount=MOUNT).as_env_var is None
    with pytest.raises(ValueError, match="Only /etc/flyte/secrets is supported"):
        flyte.Secret("k", mount=pathlib.Path("/tmp/x"))
    with pytest.raises(ValueError, match="Invalid environment variable name: bad-name"):
        flyte.Secret("k", as_env_var="bad-name")
    assert hash(flyte.Secret("k", group="g")) == hash(flyte.Secret("k", group="g"))
    assert flyte.Secret("k", group="g").stable_hash() != flyte.Secret("k").stable_hash()
    assert "str" in str(flyte.SecretRequest) and "Secret" in str(flyte.SecretRequest)


def test_secrets_on_environments_and_tasks_and_override() -> None:
    env = flyte.TaskEnvironment("sec_shapes", secrets=["a", flyte.Secret("b", group="g")])

    @env.task
    async def uses_env() -> None: ...

    @env.task(secrets="own")
    async def uses_own() -> None: ...

    assert [s.as_env_var for s in uses_env.secrets] == ["A", "G_B"]
    assert [s.key for s in uses_own.secrets] == ["own"]
    assert [s.key for s in uses_env.override(secrets=[flyte.Secret("c")]).secrets] == ["c"]
    with pytest.raises(TypeError, match="secrets= of TaskEnvironment 'bad'"):
        flyte.TaskEnvironment("bad", secrets=42)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- finding them
def test_from_the_kernels_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", VALUE)
    assert value_of(flyte.run(read_token)) == VALUE
    assert value_of(flyte.run(read_token_sync)) == VALUE
    assert os.environ["API_TOKEN"] == VALUE  # the kernel's own variable is left as it was


def test_from_the_secrets_file_with_groups_present_only_while_the_action_runs() -> None:
    secrets_file(f'api-token = "{VALUE}"\n\n[billing]\ndb-password = "pw-{VALUE}"\n')
    assert value_of(flyte.run(read_token)) == VALUE
    assert value_of(flyte.run(read_password)) == f"pw-{VALUE}"
    assert "API_TOKEN" not in os.environ and "DB_PASSWORD" not in os.environ  # gone after the action


def test_a_task_without_secrets_does_not_see_another_tasks_once_it_ended() -> None:
    secrets_file(f'api-token = "{VALUE}"\n')
    token, seen_after = value_of(flyte.run(calls_token_reader))
    assert token == VALUE and seen_after is False


def test_a_missing_secret_stops_flyte_run_before_anything_runs() -> None:
    started.clear()
    with pytest.raises(SecretNotFoundError) as caught:
        flyte.run(calls_token_reader)  # the entry task has no secrets; the task it calls has
    message = str(caught.value)
    assert "'api-token'" in message and "API_TOKEN" in message
    assert str(user_config_dir() / "secrets.toml") in message and "chmod 600" in message
    assert started == []


def test_a_missing_secret_of_a_task_reached_indirectly_fails_that_action() -> None:
    table = {"reader": read_token}

    @bare.task
    async def indirect() -> str:
        return await table["reader"]()  # not a name in the code: found when the action starts

    with pytest.raises(SecretNotFoundError, match="API_TOKEN"):
        flyte.with_runcontext().run(indirect)  # a script stops on the failed run


def test_a_secrets_file_others_can_read_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    path = secrets_file(f'api-token = "{VALUE}"\n', mode=0o644)
    with pytest.raises(ConfigError, match=rf"chmod 600 {path}") as caught:
        flyte.run(read_token)
    assert VALUE not in str(caught.value)
    path.chmod(0o640)
    with pytest.raises(ConfigError, match="can be read by others"):
        flyte.run(read_token)


def test_bad_secrets_files_name_the_problem_not_the_value() -> None:
    secrets_file(f'api-token = "{VALUE}\n')
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        flyte.run(read_token)
    assert VALUE not in str(caught.value)
    secrets_file("api-token = 42\n")
    with pytest.raises(ConfigError, match="must be a string"):
        flyte.run(read_token)
    secrets_file('billing = "x"\n')
    with pytest.raises(ConfigError, match=r"must be a \[section\]"):
        flyte.run(read_password)
    secrets_file('api-token = "half\\u0000half"\n')
    with pytest.raises(ConfigError, match="holds a NUL character"):
        flyte.run(read_token)


def test_the_config_names_more_secrets_files(tmp_path: pathlib.Path) -> None:
    team = tmp_path / "team-secrets.toml"
    team.write_text(f'[billing]\ndb-password = "{VALUE}"\n')
    team.chmod(0o600)
    config = tmp_path / "config.yaml"
    config.write_text(f"secrets:\n  files: [{team}]\n")
    flyte.init_from_config(config)
    assert value_of(flyte.run(read_password)) == VALUE
    config.write_text("secrets:\n  files: 3\n")
    with pytest.raises(ConfigError, match="secrets.files"):
        flyte.init_from_config(config)


def test_mounted_secrets_are_0400_files_removed_after_the_action() -> None:
    secrets_file(f'[certs]\ntls-key = "{VALUE}"\n')
    text, mode, path = value_of(flyte.run(read_mounted))
    assert text == VALUE and mode == 0o400
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(os.path.dirname(path)))
    assert "FLYTE_SECRETS_DEFAULT_DIR" not in os.environ


def test_concurrent_actions_keep_the_variable_until_the_last_one_ends() -> None:
    secrets_file(f'api-token = "{VALUE}"\n')

    @plain.task
    async def slow_reader(seconds: float) -> str:
        await asyncio.sleep(seconds)
        return os.environ["API_TOKEN"]

    @bare.task
    async def both() -> list[str]:
        return list(await asyncio.gather(slow_reader(0.05), slow_reader(0.3)))

    assert value_of(flyte.run(both)) == [VALUE, VALUE]
    assert "API_TOKEN" not in os.environ


# ---------------------------------------------------------------------------- never stored
def test_values_never_reach_the_store_and_do_not_change_cache_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    started.clear()
    secrets_file(f'api-token = "{VALUE}"\n')
    flyte.init(local={"copy_io": True})  # inputs and outputs through the store, as containers send them
    assert value_of(flyte.run(cached_token_length, 1)) == len(VALUE) + 1
    secrets_file('api-token = "another value, same name"\n')
    assert value_of(flyte.run(cached_token_length, 1)) == len(VALUE) + 1  # a cache hit
    assert started == ["cached"]
    files = store_files()
    assert files, "the runs wrote their records and cache entries"
    leaked = [p for p in files if VALUE.encode() in p.read_bytes()]
    assert leaked == []


@plain.task
async def careless(fail: bool) -> str:
    print("the token is", os.environ["API_TOKEN"])
    if fail:
        raise ValueError(f"rejected token {os.environ['API_TOKEN']}")
    return "ok"


def test_values_printed_or_raised_by_a_task_are_masked_in_its_log_and_the_run_record() -> None:
    secrets_file(f'api-token = "{VALUE}"\n')
    run = flyte.run(careless, False)
    assert value_of(run) == "ok"
    log = "".join(run.controller.actions[0].logs or ())
    assert "the token is [secret]" in log and VALUE not in log
    with pytest.raises(ValueError):
        flyte.run(careless, True)
    files = store_files()
    assert any(b"[secret]" in p.read_bytes() for p in files)
    assert [p for p in files if VALUE.encode() in p.read_bytes()] == []


def test_the_runs_values_never_pickle() -> None:
    values = run_secrets()
    with pytest.raises(TypeError, match="never pickle"):
        pickle.dumps(values)
    assert VALUE not in repr(values)


class SecretsThreadExecutor(Executor):
    """A third-party backend: sync bodies in a thread, with the action's secrets around them."""

    name = "secrets-threads"

    async def submit(self, spec: ActionSpec) -> Any:
        with secrets_present(spec.secrets()):
            if spec.task.is_async:
                return await spec.task.func(*spec.args, **spec.kwargs)
            ctx = contextvars.copy_context()
            return await asyncio.to_thread(ctx.run, spec.task.func, *spec.args, **spec.kwargs)


if "secrets-threads" not in available_backends():
    register_backend("secrets-threads", SecretsThreadExecutor)


def test_a_backend_of_ones_own_delivers_secrets_with_the_public_helper() -> None:
    secrets_file(f'api-token = "{VALUE}"\n')
    flyte.init("secrets-threads")
    assert value_of(flyte.run(read_token_sync)) == VALUE
    assert "API_TOKEN" not in os.environ


def test_a_flyte_cell_stops_before_it_runs_when_a_task_it_names_lacks_a_secret() -> None:
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "flyte_nb")
        setup = (
            "import os\nimport flyte_nb as flyte\n"
            "env = flyte.TaskEnvironment('sec_cell', secrets='cell-token')\n"
            "@env.task\nasync def token() -> str:\n    return os.environ['CELL_TOKEN']\n"
        )
        assert shell.run_cell(setup).success
        missing = shell.run_cell("%%flyte\nran = True\nvalue = await token()")
        assert isinstance(missing.error_in_exec, SecretNotFoundError)
        assert "CELL_TOKEN" in str(missing.error_in_exec) and "ran" not in shell.user_ns
        secrets_file(f'cell-token = "{VALUE}"\n')
        found = shell.run_cell("%%flyte\nvalue = await token()")
        assert found.success, found.error_in_exec
        assert shell.user_ns["value"] == VALUE and "CELL_TOKEN" not in os.environ
    finally:
        InteractiveShell.clear_instance()
