"""``flyte-nb`` (also ``python -m flyte_nb``): run notebooks in batch, check a machine, tidy up.

::

    flyte-nb run notebooks/quickstart.ipynb -p backend docker -p n 20
    flyte-nb doctor
    flyte-nb clean --cache
    flyte-nb runs --phase failed
    flyte-nb show RUN
    flyte-nb clean --older-than 7d --dry-run
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _cli_history as history
from ._version import __version__
from .data import _layout as layout


def main(argv: Sequence[str] | None = None) -> int:
    """The console script; returns the process exit code."""
    from .errors import ConfigError

    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:  # a config file that does not parse: say which and why, no traceback
        print(f"flyte-nb {args.command}: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flyte-nb", description="Flyte 2 workflows from Jupyter notebooks.")
    parser.add_argument("--version", action="version", version=f"flyte_nb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="execute a notebook top to bottom (papermill), keeping each run's snapshot in the output",
        description="Execute NOTEBOOK with papermill. Its cell tagged 'parameters' is followed by the -p values. "
        "A failing cell stops the execution; the output notebook shows the error and the exit code is 1.",
    )
    run.add_argument("notebook", type=Path)
    run.add_argument("output", type=Path, nargs="?", help="where to write the executed notebook (NOTEBOOK.out.ipynb)")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; the value is read as YAML (3, 0.5, true, [1, 2], text)",
    )
    run.add_argument("--backend", help="shorthand for -p backend NAME")
    run.add_argument("-k", "--kernel", help="Jupyter kernel name (default: the notebook's)")
    run.add_argument("--cwd", type=Path, help="working directory of the kernel (default: the notebook's folder)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar over the cells")
    run.add_argument("--log-output", action="store_true", help="print the cells' output while they run")
    run.set_defaults(handler=_run)

    doctor = commands.add_parser("doctor", help="check Python, the Docker engine, the base image, storage and Dask")
    doctor.set_defaults(handler=_doctor)

    clean = commands.add_parser(
        "clean", help="remove containers left by ended kernels (and with flags: the cache, built images)"
    )
    clean.add_argument("--cache", action="store_true", help="also delete the store's task cache (cache/)")
    clean.add_argument("--images", action="store_true", help="also remove images flyte_nb built from image specs")
    clean.add_argument(
        "--all", action="store_true", help="remove every flyte_nb container, also those of running kernels"
    )
    history.add_clean_options(clean)
    clean.set_defaults(handler=_clean)
    history.add_commands(commands)
    return parser


# ---------------------------------------------------------------------- run
def parameter_value(text: str) -> Any:
    """A ``-p`` value: YAML scalars and lists (``3``, ``true``, ``[1, 2]``), else the text."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _run(args: argparse.Namespace) -> int:
    try:
        import papermill
    except ImportError:
        print("flyte-nb run needs papermill: pip install 'flyte_nb[batch]'", file=sys.stderr)
        return 2
    notebook: Path = args.notebook
    if not notebook.is_file():
        print(f"flyte-nb run: {notebook} does not exist", file=sys.stderr)
        return 2
    output = args.output or notebook.with_name(notebook.stem + ".out.ipynb")
    parameters = {name: parameter_value(value) for name, value in args.parameter}
    if args.backend:
        parameters["backend"] = args.backend
    cwd = args.cwd or notebook.resolve().parent
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=args.kernel,
            cwd=str(cwd),
            progress_bar=not args.no_progress,
            log_output=args.log_output,
        )
    except papermill.PapermillExecutionError as exc:
        print(
            f"flyte-nb run: cell {exc.exec_count} of {notebook} failed: {exc.ename}: {exc.evalue}\n"
            f"The executed notebook, with the error in that cell's output, is {output}",
            file=sys.stderr,
        )
        return 1
    print(f"{notebook} ran to the end; executed notebook: {output}")
    return 0


# ---------------------------------------------------------------------- doctor
def _doctor(args: argparse.Namespace) -> int:
    from ._doctor import report, run_checks

    checks = run_checks()
    print(report(checks))
    return 1 if any(c.status == "missing" and c.required for c in checks) else 0


# ---------------------------------------------------------------------- clean
def _clean(args: argparse.Namespace) -> int:
    older_than = None
    if args.older_than is not None:
        try:
            older_than = history.parse_age(args.older_than)
        except ValueError as exc:
            print(f"flyte-nb clean: {exc}", file=sys.stderr)
            return 2
    elif args.dry_run:
        print("flyte-nb clean: --dry-run goes with --older-than AGE (e.g. --older-than 7d --dry-run)", file=sys.stderr)
        return 2
    store = history.store_of(args)
    if older_than is not None:
        report = history.clean_old_runs(store, older_than, dry_run=args.dry_run)
        history.print_clean_report(store, report, args.older_than, dry_run=args.dry_run)
        if args.dry_run:
            return 0
    removed = store.clean_temporaries()
    print(f"store {store.url}: removed {removed} temporary file(s) left by interrupted writers")
    if args.cache:
        store.delete(layout.CACHE, recursive=True)
        print(f"store {store.url}: deleted the task cache (cache/)")
    client = _docker_client()
    if client is None:
        print("docker: no engine reachable, no containers to remove")
        return 0
    from .executors.docker._executor import remove_strays

    count = remove_strays(client, everything=args.all)
    print(f"docker: removed {count} container(s) {'of flyte_nb' if args.all else 'left by ended kernels'}")
    if args.images:
        from .executors.docker._images import LABEL

        images = client.images.list(filters={"label": LABEL})
        for image in images:
            client.images.remove(image.id, force=True)
        print(f"docker: removed {len(images)} image(s) built from image specs")
    return 0


def _docker_client() -> Any:
    """The configured engine's client (``docker: {host: ...}``, else ``DOCKER_HOST``), if one answers."""
    from .session._config import current_config

    try:
        from .executors.docker._images import engine_client

        client = engine_client(current_config().settings("docker").get("host"))
        client.ping()
        return client
    except Exception:
        return None


if __name__ == "__main__":  # pragma: no cover - python -m flyte_nb._cli
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
