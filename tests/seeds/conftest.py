"""Fixtures for the seed tests: running a seed's ``__main__`` block as a real script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import flyte_nb.session._config as config_module

#: A seed script's run takes a second or two; this only stops a hung one.
SCRIPT_TIMEOUT_S = 60


@pytest.fixture
def script_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a seed script: no config file can be found outside its own folder."""
    home = tmp_path_factory.mktemp("script-home")
    env = {key: value for key, value in os.environ.items() if key != config_module.CONFIG_ENV_VAR}
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def run_script(tmp_path: Path, script_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Copy an example module into an otherwise empty folder as ``name`` and run it there."""

    def run(module: ModuleType, name: str) -> subprocess.CompletedProcess[str]:
        script = tmp_path / name
        shutil.copyfile(module.__file__, script)
        return subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=script_env,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_S,
            check=False,
        )

    return run
