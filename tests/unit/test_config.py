"""flyte.init and flyte.init_from_config: the file format, the search path, the errors."""

from __future__ import annotations

import pytest

import flyte_nb as flyte
from flyte_nb.errors import ConfigError
from flyte_nb.session._config import current_config


def test_init_defaults_to_local():
    config = flyte.init()
    assert config.backend == "local" and current_config() is config


def test_init_accepts_flyte_remote_options_and_rejects_unknown_ones():
    with pytest.warns(flyte.errors.RemoteSettingsIgnoredWarning, match="domain, endpoint, project;"):
        assert flyte.init(endpoint="dns:///example", project="p", domain="development").backend == "local"
    with pytest.raises(TypeError, match="bogus"):
        flyte.init(bogus=1)


def test_unknown_backend_lists_the_available_ones():
    with pytest.raises(ConfigError, match="unknown backend 'kubernetes'.*available backends: dask, docker, local"):
        flyte.init("kubernetes")


def test_explicit_path_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        flyte.init_from_config(tmp_path / "nope.yaml")


def test_full_config_file(tmp_path):
    path = tmp_path / "flyte.yaml"
    path.write_text(
        "backend: local\n"
        "storage: memory://runs\n"
        "limits:\n  max_actions: 1000\n  max_action_concurrency: 8\n"
        "local:\n  max_threads: 4\n"
        "admin:\n  endpoint: dns:///flyte.example.com\n"
    )
    with pytest.warns(flyte.errors.RemoteSettingsIgnoredWarning, match="admin.endpoint;"):
        config = flyte.init_from_config(str(path))
    assert (config.backend, config.storage, config.max_actions, config.max_action_concurrency) == (
        "local",
        "memory://runs",
        1000,
        8,
    )
    assert config.settings() == {"max_threads": 4}
    assert config.source == str(path)
    runner = flyte.with_runcontext()
    assert runner.limits.max_actions == 1000 and runner.limits.max_action_concurrency == 8


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("backend: local\nbakend: docker\n", r"unknown key\(s\) bakend.*allowed keys are backend"),
        ("local:\n  threads: 3\n", r"unknown key\(s\) threads under local"),
        ("limits:\n  max_actions: 0\n", "limits.max_actions .* must be an int >= 1"),
        ("limits: 5\n", "limits in .* must be a mapping"),
        ("- a\n- b\n", "must hold a mapping"),
        ("backend: [unclosed\n", "is not valid YAML"),
        ("storage: 3\n", "storage in .* must be a URL string"),
    ],
)
def test_config_errors_name_the_problem(tmp_path, text, message):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        flyte.init_from_config(path)


def test_search_path_env_var_then_cwd(tmp_path, monkeypatch):
    env_file = tmp_path / "from_env.yaml"
    env_file.write_text("limits:\n  max_actions: 7\n")
    cwd = tmp_path / "project"
    cwd.mkdir()
    (cwd / "config.yaml").write_text("limits:\n  max_actions: 9\n")
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("FLYTE_NB_CONFIG", str(env_file))
    assert flyte.init_from_config().max_actions == 7
    monkeypatch.delenv("FLYTE_NB_CONFIG")
    assert flyte.init_from_config().max_actions == 9


def test_user_config_folder_is_searched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "xdg" / "flyte_nb"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text("limits:\n  max_actions: 11\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert flyte.init_from_config().max_actions == 11


def test_no_config_found_uses_local_and_says_so_once(tmp_path, monkeypatch, capsys):
    import flyte_nb.session._config as config_module

    monkeypatch.setattr(config_module, "_announced", False)
    monkeypatch.chdir(tmp_path)
    assert flyte.init_from_config().backend == "local"
    flyte.init_from_config()
    err = capsys.readouterr().err
    assert err.count("using the embedded local backend") == 1
