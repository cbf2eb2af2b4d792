"""The Binder set-up works from binder/ alone: a fresh virtual environment built the way
Binder builds it (requirements.txt, then postBuild from the repository root) runs every demo
notebook with papermill on the local backend, and the quickstart on dask."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.timeout(900)
def test_the_binder_environment_runs_the_demo_notebooks(tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / "bin"
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    environment.pop("PYTHONPATH", None)
    # a copy of the repository without its build leftovers, as Binder clones it
    source = tmp_path / "repo"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", "node_modules", "*.egg-info", ".flyte_nb"))

    def step(*command: str, **kwargs) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=900, **kwargs)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    step(str(bin_dir / "python"), "-m", "pip", "install", "-q", "-r", str(source / "binder" / "requirements.txt"))
    step("bash", str(source / "binder" / "postBuild"), cwd=source)
    # flyte_nb comes from the venv, not from this checkout
    where = step(str(bin_dir / "python"), "-c", "import flyte_nb; print(flyte_nb.__file__)", cwd=tmp_path)
    assert str(venv) in where.stdout

    work = tmp_path / "work"
    work.mkdir()
    # the kernel papermill starts is the venv's, with the venv's flyte_nb
    probe = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import flyte_nb, sys\nprint(flyte_nb.__file__)")]
    )
    nbformat.write(probe, work / "probe.ipynb")
    step(str(bin_dir / "python"), "-m", "papermill", "probe.ipynb", "probe.out.ipynb", "-k", "python3", cwd=work)
    printed = nbformat.read(work / "probe.out.ipynb", as_version=4).cells[0].outputs[0]["text"]
    assert printed.startswith(str(venv)), printed
    for notebook in NOTEBOOKS:
        out = work / notebook.name
        step(
            str(bin_dir / "python"),
            "-m",
            "papermill",
            str(source / "notebooks" / notebook.name),
            str(out),
            "-k",
            "python3",
            "--cwd",
            str(work),
            "--no-progress-bar",
            cwd=work,
        )
        executed = nbformat.read(out, as_version=4)
        errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert not errors, (notebook.name, errors)
    # the dask backend works there too: a LocalCluster inside the Binder container
    quickstart = source / "notebooks" / "quickstart.ipynb"
    step(
        str(bin_dir / "python"),
        "-m",
        "papermill",
        str(quickstart),
        "dask.ipynb",
        "-k",
        "python3",
        "-p",
        "backend",
        "dask",
        "--cwd",
        str(work),
        "--no-progress-bar",
        cwd=work,
    )
    executed = nbformat.read(work / "dask.ipynb", as_version=4)
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
