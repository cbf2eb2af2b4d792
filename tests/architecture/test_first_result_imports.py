"""The first result comes fast: ``import flyte_nb``, ``flyte.init()`` and the first local run
load only what a run needs. Heavy or unrelated modules (Docker, Dask, the notebook layer,
data frames, fsspec, the installed packages' metadata, the image spec) load when used, never
before; these checks keep it so. They count modules, never time (bench/first_result.py
measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: never loaded by importing flyte_nb nor by a first local run (modules the interpreter had
#: loaded before ``import flyte_nb``, e.g. by a site hook, are not counted)
NOT_FOR_A_LOCAL_RUN = (
    "docker",
    "distributed",
    "dask",
    "IPython",
    "ipywidgets",
    "anywidget",
    "pandas",
    "pyarrow",
    "numpy",
    "fsspec",
    "cloudpickle",  # entry inputs and outputs of builtin data pickle without it
    "certifi",
    "yaml",
    "importlib.metadata",  # reading the packages' entry points costs tens of milliseconds
    "email",
    "http.client",
    "urllib.request",
    "uuid",  # and platform with it: temporaries are named from os.urandom
    "platform",
    "flyte_nb.notebook",
    "flyte_nb.executors.docker",
    "flyte_nb.executors.dask",
    "flyte_nb.model._image",  # the image spec: docker only
    "flyte_nb.model._storage_config",  # flyte.storage.S3 & co: only when given
    "flyte_nb.model._cluster_info",  # a Dask cluster's info: only on dask
    "flyte_nb.remote",
    "flyte_nb.io",
)
#: ``import flyte_nb`` alone loads none of these either: not even asyncio
NOT_FOR_THE_IMPORT = (*NOT_FOR_A_LOCAL_RUN, "asyncio", "ssl", "socket", "flyte_nb.session._run", "flyte_nb.errors")


def _loaded_by(code: str, tmp_path: Path) -> list[str]:
    """The modules ``code`` loads in a fresh interpreter, beyond those loaded before it (up to
    where it calls ``seen()``, if it does)."""
    script = "import sys\nbefore = set(sys.modules)\nloaded = None\n"
    script += "def seen():\n    global loaded\n    loaded = sorted(set(sys.modules) - before)\n"
    script += textwrap.dedent(code)
    script += "\nimport json\nprint(json.dumps(loaded if loaded is not None else sorted(set(sys.modules) - before)))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("FLYTE_NB_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _offending(loaded: list[str], banned: tuple[str, ...]) -> list[str]:
    return [m for m in loaded if any(m == b or m.startswith(b + ".") for b in banned)]


def test_importing_flyte_nb_loads_no_heavy_module(tmp_path):
    loaded = _loaded_by("import flyte_nb", tmp_path)
    assert "flyte_nb" in loaded
    assert _offending(loaded, NOT_FOR_THE_IMPORT) == []


def test_init_and_a_first_local_run_load_only_what_a_run_needs(tmp_path):
    loaded = _loaded_by(
        """
        import flyte_nb as flyte

        flyte.init()
        env = flyte.TaskEnvironment("first")

        @env.task
        async def noop() -> None:
            return None

        run = flyte.run(noop)
        seen()
        assert run.phase == "succeeded", run.phase
        assert flyte.remote.Run.get(run.name).phase == "succeeded"  # its record is on disk already
        """,
        tmp_path,
    )
    assert "flyte_nb.orchestrator._controller" in loaded  # the run really went through the controller
    assert _offending(loaded, NOT_FOR_A_LOCAL_RUN) == []


def test_the_check_catches_a_heavy_import(tmp_path):
    # the two checks above must be able to fail: a module that imports one of the banned ones
    loaded = _loaded_by("import flyte_nb\nimport importlib.metadata\nimport email.message", tmp_path)
    assert _offending(loaded, NOT_FOR_THE_IMPORT) != []
