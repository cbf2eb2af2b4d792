"""Batch execution: a failing task fails the papermill execution visibly, and the ``flyte-nb``
command line (run, doctor, clean) does what it says."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

papermill = pytest.importorskip("papermill")

FAILING_CELLS = [
    ("parameters", "items = 4"),
    (None, "%load_ext flyte_nb\nimport flyte_nb as flyte\nenv = flyte.TaskEnvironment('batch')"),
    (
        None,
        "@env.task\nasync def check(x: int) -> int:\n"
        "    if x == 2:\n        raise ValueError(f'item {x} is broken: flyte-nb-test-marker')\n    return x",
    ),
    (
        None,
        "%%flyte --name failing-cell\nimport asyncio\nresults = await asyncio.gather(*map(check, range(items)))",
    ),
    (None, "print('never reached')"),
]


def write_notebook(path: Path, cells: list[tuple[str | None, str]]) -> Path:
    notebook = new_notebook()
    for tag, source in cells:
        cell = new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flyte_nb", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_a_failing_task_fails_the_execution_with_its_error_in_the_output(tmp_path: Path):
    notebook = write_notebook(tmp_path / "failing.ipynb", FAILING_CELLS)
    out = tmp_path / "failing.out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(
            str(notebook), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False
        )
    assert caught.value.ename == "ValueError" and "flyte-nb-test-marker" in caught.value.evalue
    executed = nbformat.read(out, as_version=4)
    failed = [c for c in executed.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1 and "%%flyte" in failed[0].source
    (error,) = [o for o in failed[0].outputs if o.output_type == "error"]
    assert "item 2 is broken" in error.evalue
    # the widget's snapshot and the snapshot output beside it show the failed run too
    html = "".join(o.get("data", {}).get("text/html", "") for o in failed[0].outputs)
    assert "failed" in html and "item 2 is broken" in html
    assert "never reached" not in str(executed.cells[-1].get("outputs", []))


def test_run_command_passes_parameters_and_reports_a_failure(tmp_path: Path):
    notebook = write_notebook(tmp_path / "failing.ipynb", FAILING_CELLS)
    done = cli("run", str(notebook), "-p", "items", "2", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # with 2 items, item 2 never runs
    executed = nbformat.read(tmp_path / "failing.out.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "items = 2" in injected[0].source
    assert "never reached" in str(executed.cells[-1].outputs)

    failed = cli("run", str(notebook), str(tmp_path / "out.ipynb"), "--no-progress", cwd=tmp_path)
    assert failed.returncode == 1
    assert "ValueError" in failed.stderr and "flyte-nb-test-marker" in failed.stderr
    assert str(tmp_path / "out.ipynb") in failed.stderr and (tmp_path / "out.ipynb").is_file()


def test_run_command_explains_a_missing_notebook(tmp_path: Path):
    done = cli("run", "nowhere.ipynb", cwd=tmp_path)
    assert done.returncode == 2 and "nowhere.ipynb does not exist" in done.stderr


def test_parameter_values_are_read_as_yaml():
    from flyte_nb._cli import parameter_value

    assert parameter_value("3") == 3 and parameter_value("0.5") == 0.5 and parameter_value("true") is True
    assert parameter_value("[1, 2]") == [1, 2] and parameter_value("docker") == "docker"
    assert parameter_value("{unbalanced") == "{unbalanced"


def test_doctor_reports_each_piece_and_fails_without_storage(tmp_path: Path):
    done = cli("doctor", cwd=tmp_path, env={"FLYTE_NB_STORAGE": str(tmp_path / "store")})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in (
        "python",
        "config",
        "ipykernel",
        "anywidget",
        "storage",
        "docker sdk",
        "docker engine",
        "base image",
        "dask",
    ):
        assert any(line[7:].startswith(name) for line in lines), (name, done.stdout)
    assert "the embedded local backend is ready" in done.stdout

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("a file where the store's folder should be")
    broken = cli("doctor", cwd=tmp_path, env={"FLYTE_NB_STORAGE": str(blocked / "store")})
    assert broken.returncode == 1
    assert "[FAIL] storage" in broken.stdout and "fix: point storage" in broken.stdout


def test_doctor_checks_a_configured_dask_scheduler(tmp_path: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    config = tmp_path / "config.yaml"
    config.write_text(f"backend: dask\ndask:\n  address: tcp://127.0.0.1:{port}\n")
    done = cli("doctor", cwd=tmp_path, env={"FLYTE_NB_CONFIG": str(config), "FLYTE_NB_STORAGE": str(tmp_path / "s")})
    (line,) = [line for line in done.stdout.splitlines() if line[7:].startswith("dask")]
    assert line.startswith("[warn]") and f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in line
    assert "[ok  ] config" in done.stdout and str(config) in done.stdout
    assert done.returncode == 0  # the local backend still works


def test_clean_removes_the_cache_and_strays(tmp_path: Path, docker_client):
    store = tmp_path / "store"
    (store / "cache" / "task").mkdir(parents=True)
    (store / "cache" / "task" / "key").write_bytes(b"cached")
    (store / "runs" / "r-1").mkdir(parents=True)
    (store / "runs" / "r-1" / ".out.tmp-dead").write_bytes(b"half")
    os.utime(store / "runs" / "r-1" / ".out.tmp-dead", (0, 0))  # old: its writer is long gone
    # a container left by a kernel that no longer exists (a pid that is not running)
    dead_pid = 2**22 - 7
    stray = docker_client.containers.create(
        "flyte-nb-base:bookworm",
        ["sleep", "60"],
        labels={"flyte_nb.kernel": f"{socket.gethostname()}:{dead_pid}", "flyte_nb.run": "stray-test"},
    )
    done = cli("clean", "--cache", cwd=tmp_path, env={"FLYTE_NB_STORAGE": str(store)})
    assert done.returncode == 0, done.stderr
    assert not (store / "cache").exists() and not (store / "runs" / "r-1" / ".out.tmp-dead").exists()
    assert "removed 1 temporary file" in done.stdout
    assert not docker_client.containers.list(all=True, filters={"id": stray.id})
