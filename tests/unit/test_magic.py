"""%%flyte and %flyte driven through an in-process IPython shell (no kernel, no loop)."""

from __future__ import annotations

import pytest

IPython = pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from flyte_nb.errors import ConfigError, RunNotFoundError, TaskCallError  # noqa: E402
from flyte_nb.session._config import current_config  # noqa: E402

SETUP = """
import asyncio
import flyte_nb as flyte

env = flyte.TaskEnvironment("magic")

@env.task
async def sq(x: int) -> int:
    await asyncio.sleep(0.01)
    return x * x
"""


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "flyte_nb")
    assert ip.run_cell(SETUP).success
    yield ip
    InteractiveShell.clear_instance()


def test_cell_runs_as_a_run_and_its_names_land_in_the_namespace(shell):
    result = shell.run_cell(
        "%%flyte --name magic-1 --concurrency 2\n"
        "res = await asyncio.gather(*[sq(i) for i in range(6)])\n"
        "mapped = list(flyte.map(sq, range(3)))\n"
        "sum(res) + sum(mapped)"
    )
    assert result.success, result.error_in_exec
    assert result.result == sum(i * i for i in range(6)) + 5
    assert shell.user_ns["res"] == [0, 1, 4, 9, 16, 25] and shell.user_ns["mapped"] == [0, 1, 4]


def test_cell_errors_raise_the_original_exception(shell):
    result = shell.run_cell("%%flyte\nvalue = 1\nraise LookupError('missing thing')")
    assert isinstance(result.error_in_exec, LookupError)
    assert shell.user_ns["value"] == 1


def test_options_are_validated(shell):
    result = shell.run_cell("%%flyte --backend nope\nx = 1")
    assert isinstance(result.error_in_exec, TaskCallError | ConfigError)
    assert "unknown backend 'nope'" in str(result.error_in_exec)
    result = shell.run_cell("%%flyte stray words\nx = 1")
    assert isinstance(result.error_in_exec, ConfigError)
    result = shell.run_cell("%%flyte --limit 3\nx = 1")
    assert isinstance(result.error_in_exec, ConfigError) and "%flyte runs" in str(result.error_in_exec)


def test_line_magic_shows_and_switches_settings(shell, capsys):
    shell.run_line_magic("flyte", "")
    out = capsys.readouterr().out
    assert "backend: local" in out and "max_actions=50,000" in out
    shell.run_line_magic("flyte", "backend local")
    assert current_config().backend == "local"
    shell.run_line_magic("flyte", "runs")
    assert "no runs in the store yet" in capsys.readouterr().out
    with pytest.raises(ConfigError):
        shell.run_line_magic("flyte", "backend kubernetes")


def test_show_and_runs_read_past_runs_from_the_store(shell, capsys):
    assert shell.run_cell("flyte.with_runcontext(name='shown-1').run(sq, 3).phase").success
    assert shell.run_cell("%%flyte --name shown-2\nawait sq(4)").success
    capsys.readouterr()
    shell.run_line_magic("flyte", "show shown-1")
    shown = capsys.readouterr().out  # without a front end: the widget's text
    assert "succeeded magic.sq · run shown-1 · local" in shown and "past run · ran " in shown
    shell.run_line_magic("flyte", "runs --limit 1")
    (header, row) = capsys.readouterr().out.strip().splitlines()[:2]
    assert header.split()[:2] == ["name", "phase"] and row.split()[:2] == ["shown-2", "succeeded"]
    shell.run_line_magic("flyte", "runs --phase failed")
    assert "no runs in the store yet" in capsys.readouterr().out
    with pytest.raises(RunNotFoundError, match="no run named 'nope'"):
        shell.run_line_magic("flyte", "show nope")


def test_help_documents_every_option():
    from flyte_nb.notebook._magic import FlyteMagics

    doc = FlyteMagics.flyte.__doc__
    for option in ("--backend", "--name", "--concurrency", "--env", "--no-wait", "--no-cache", "--max-actions"):
        assert option in doc, option
