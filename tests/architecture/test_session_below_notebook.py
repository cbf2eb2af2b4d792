"""The session (runs) sits below the notebook layer (widget, view, snapshot, magic): it never
imports it, at import time or later, yet a Run in a notebook still draws itself with it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_no_session_module_imports_the_notebook_layer():
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("flyte_nb", cache_dir=None)  # every import: top level, in functions, TYPE_CHECKING
    assert not graph.chain_exists(importer="flyte_nb.session", imported="flyte_nb.notebook", as_packages=True)


def test_running_a_run_and_its_repr_load_no_notebook_module(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        import flyte_nb.session._run as session_run
        import flyte_nb as flyte

        env = flyte.TaskEnvironment("below")

        @env.task
        async def double(x: int) -> int:
            return 2 * x

        run = flyte.run(double, 21)
        assert run.outputs()[0] == 42 and "succeeded" in repr(run)
        loaded = sorted(m for m in sys.modules if m.startswith("flyte_nb.notebook"))
        assert not loaded, loaded
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=_env()
    )
    assert done.returncode == 0, done.stderr


def test_a_run_is_displayed_by_the_notebook_layer_the_package_registered(tmp_path):
    """``import flyte_nb`` alone (no %load_ext): IPython's display of a Run is its widget."""
    pytest.importorskip("anywidget")
    code = textwrap.dedent(
        """
        import sys
        import flyte_nb as flyte
        from IPython.core.interactiveshell import InteractiveShell

        env = flyte.TaskEnvironment("shown")

        @env.task
        async def one() -> int:
            return 1

        run = flyte.run(one)
        assert "flyte_nb.notebook" not in sys.modules
        shell = InteractiveShell.instance()
        shown = []
        shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append(data)
        run._ipython_display_()
        assert "flyte_nb.notebook._display" in sys.modules
        assert any("application/vnd.jupyter.widget-view+json" in d for d in shown), shown
        assert type(run.widget()).__name__ == "RunWidget" and run.widget() is run.widget()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=_env()
    )
    assert done.returncode == 0, done.stderr


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
