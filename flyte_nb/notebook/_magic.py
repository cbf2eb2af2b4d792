"""The ``%%flyte`` cell magic and ``%flyte`` line magic.

``%%flyte`` runs the cell as the driver of a run, on the kernel's running loop: the cell
may ``await``, call tasks, gather, map, use semaphores and groups, and every task call in
it is an action of that run. Names it assigns land in the notebook's namespace and its
last expression is the cell's result, as with a normal cell. The run's widget is shown
above the cell's other output.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import inspect
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from ..errors import ConfigError, RunCancelledError
from ..model._environment import TaskEnvironment
from ..model._task import TaskTemplate, task_settings
from ..session import _config
from ..session._history import Run as PastRecord
from ..session._run import Run, with_runcontext
from ._runs_table import DEFAULT_LIMIT, runs_table, runs_text

#: The environment a cell's driver action belongs to unless ``--env`` names another.
DEFAULT_DRIVER_ENV = "notebook"


@magics_class
class FlyteMagics(Magics):
    """``%%flyte`` (run a cell as a flyte_nb run) and ``%flyte`` (show or change config)."""

    @magic_arguments()
    @argument("--backend", "-b", help="backend of this run: local, docker or dask (default: from the config)")
    @argument("--name", "-n", help="name of the run (default: a fresh r-xxxxxx)")
    @argument("--concurrency", "-c", type=int, help="run-wide limit: at most N actions doing work at once")
    @argument("--max-actions", type=int, help="most actions the run may start (default 50,000)")
    @argument("--env", "-e", default=DEFAULT_DRIVER_ENV, help="environment name the cell's own action is shown under")
    @argument("--no-wait", action="store_true", help="return the Run at once; the widget keeps updating")
    @argument("--no-cache", action="store_true", help="ignore cached results for this run (overwrite_cache)")
    @argument("--quiet", "-q", action="store_true", help="do not show the run widget")
    @argument("--limit", type=int, help="line magic runs: at most N runs (default 20)")
    @argument("--phase", help="line magic runs: only runs in this phase (succeeded, failed, running, ...)")
    @argument("rest", nargs="*", help="line magic only: 'backend NAME', 'runs', 'show NAME', 'last' or nothing")
    @line_cell_magic
    def flyte(self, line: str, cell: str | None = None) -> Any:
        """Run a cell as a flyte_nb run, or (as a line magic) show and change settings.

        Cell magic::

            %%flyte --concurrency 8
            results = await asyncio.gather(*[my_task(i) for i in range(100)])
            len(results)

        The cell is the run's entry action; its task calls are actions, shown live in the
        run's widget. By default the cell ends when the run does (an interrupt cancels the
        run); ``--no-wait`` returns the ``Run`` at once and the widget keeps updating.

        Line magic: ``%flyte`` shows the backend and storage in force, ``%flyte backend
        NAME`` switches backend, ``%flyte runs [--limit N] [--phase PHASE]`` shows the runs in
        the store (newest first, 20 by default; this kernel's runs still going among them) as a
        table whose rows open their run's widget, ``%flyte show NAME`` shows a past run's
        widget as it ended (or as last recorded, for a run still going elsewhere), and
        ``run = %flyte last`` gives the ``Run`` of the latest ``%%flyte`` cell (to check its
        snapshot, outputs or actions in the cells that follow).
        """
        args = parse_argstring(self.flyte, line)
        if cell is None:
            return self._line(args)
        _only_options(args)
        return self._cell(args, cell)

    # ------------------------------------------------------------------ %flyte
    def _line(self, args: argparse.Namespace) -> Any:
        words = list(args.rest)
        if words[:1] == ["backend"] and len(words) == 2:
            _config.switch_backend(words[1])  # keeps storage, store_key, limits and backend sections
            words = []
        elif words == ["last"]:
            if _cell_runs.last is None:
                raise ConfigError("no %%flyte cell has run in this kernel yet")
            return _cell_runs.last
        elif words == ["runs"]:
            _show_runs(args.limit or DEFAULT_LIMIT, args.phase)
            return None
        elif words[:1] == ["show"] and len(words) == 2:
            display(PastRecord.get(words[1]))  # RunNotFoundError names the store
            return None
        elif words:
            raise ConfigError(
                f"unknown %flyte command {' '.join(words)!r}; use 'backend NAME', 'runs', 'show NAME', "
                "'last' or nothing"
            )
        if args.backend:
            _config.switch_backend(args.backend)
        config = _config.current_config()
        print(f"backend: {config.backend}")
        from ..data._store import default_storage_url

        print(f"storage: {config.storage or default_storage_url()}")
        print(f"limits:  max_actions={config.max_actions:,} max_action_concurrency={config.max_action_concurrency}")
        print(f"config:  {config.source or '(defaults)'}")
        return None

    # ------------------------------------------------------------------ %%flyte
    def _cell(self, args: argparse.Namespace, cell: str) -> Any:
        """The synchronous path, for ``run_cell_magic`` called directly; cells typed in a
        notebook take :func:`flyte_cell` instead (see :func:`transform_flyte_cells`)."""
        __tracebackhide__ = True
        shell = self.shell
        assert shell is not None
        runner, driver = _prepare(shell, args, cell)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a terminal IPython has no running loop: run it to the end here
            return _run_without_loop(runner, driver)
        run = _cell_runs.started(runner.start(driver, in_process=True))
        if args.no_wait:
            return run  # the displayhook shows it: the widget
        if not args.quiet:
            display(run)
        # waits (an interrupt cancels the run, then re-raises); the widget shows the end
        return _outcome(run)


def _show_runs(limit: int, phase: str | None) -> None:
    """``%flyte runs``: the table widget, and below it the output area a row's run opens in
    (the table as text without anywidget)."""
    try:
        from ._runs_widget import RunsTableWidget
    except ImportError:
        print(runs_text(runs_table(limit, phase)["rows"]))
        return
    table = RunsTableWidget(limit, phase)
    display(table)
    display(table.below)


class _CellRuns:
    """The latest ``%%flyte`` cell's run, for ``%flyte last``."""

    last: Run | None = None

    def started(self, run: Run) -> Run:
        self.last = run
        return run


_cell_runs = _CellRuns()


def _only_options(args: argparse.Namespace) -> None:
    """A %%flyte cell's line holds options only (words are for the %flyte line magic)."""
    if args.rest:
        raise ConfigError(f"%%flyte takes only options, got {' '.join(args.rest)!r}; see %%flyte?")
    if args.limit is not None or args.phase is not None:
        raise ConfigError("--limit and --phase are options of the line magic %flyte runs, not of a %%flyte cell")


def _prepare(shell: Any, args: argparse.Namespace, cell: str) -> tuple[Any, TaskTemplate[Any, Any]]:
    runner = with_runcontext(
        name=args.name,
        backend=args.backend,
        max_action_concurrency=args.concurrency,
        max_actions=args.max_actions,
        overwrite_cache=args.no_cache,
    )
    return runner, _cell_driver(shell, cell, args.env)


async def flyte_cell(line: str, cell: str) -> Any:
    """A ``%%flyte`` cell, awaited by the kernel like any cell with top-level ``await``.

    The kernel's loop is never re-entered: the cell's run proceeds beside everything else
    on the loop while the cell awaits it. An interrupt cancels the run (then
    ``RunCancelledError``); a failing cell raises its original exception.
    """
    __tracebackhide__ = True
    from IPython import get_ipython

    shell = get_ipython()
    args = parse_argstring(FlyteMagics.flyte, line)
    _only_options(args)
    runner, driver = _prepare(shell, args, cell)
    run = _cell_runs.started(runner.start(driver, in_process=True))
    if args.no_wait:
        return run
    if not args.quiet:
        display(run)
    return await run


def transform_flyte_cells(lines: list[str]) -> list[str]:
    """IPython input transformer: a ``%%flyte`` cell becomes one top-level ``await`` of
    :func:`flyte_cell`, so the kernel runs it as an async cell (``%%flyte?`` is left as is)."""
    if not lines or not lines[0].startswith("%%flyte"):
        return lines
    first = lines[0].rstrip("\n")
    if first.endswith("?") or (first[len("%%flyte") :][:1] not in ("", " ", "\t")):
        return lines
    line, cell = first[len("%%flyte") :].strip(), "".join(lines[1:])
    module = "__import__('flyte_nb.notebook._magic', fromlist=['flyte_cell'])"
    return [f"await {module}.flyte_cell({line!r}, {cell!r})\n"]


def _outcome(run: Run) -> Any:
    """The cell's value, or its error raised again (so the cell, and papermill, fail); a
    cancelled run stops the cell as an interrupt would."""
    __tracebackhide__ = True
    try:
        return run._result()  # the cell's last value as it is, not the SDK's ActionOutputs tuple
    except RunCancelledError as cancelled:
        raise KeyboardInterrupt(str(cancelled)) from None


def _run_without_loop(runner: Any, driver: TaskTemplate[Any, Any]) -> Any:
    __tracebackhide__ = True
    started: list[Run] = []

    async def drive() -> None:
        run = _cell_runs.started(runner.start(driver, in_process=True))
        started.append(run)
        await run.until_done()

    asyncio.run(drive())
    return _outcome(started[0])


def _cell_driver(shell: Any, cell: str, env_name: str) -> TaskTemplate[Any, Any]:
    """The cell as a task: its body runs in the notebook's namespace, top-level ``await``
    allowed, and its last expression (if any) is the task's output."""
    source = shell.transform_cell(cell)
    number = shell.execution_count
    try:
        filename = shell.compile.cache(source, number, raw_code=cell)
    except TypeError:  # older IPython: cache(transformed_code, number)
        filename = shell.compile.cache(source, number)
    tree = ast.parse(source, filename=filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    body = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
    tail = (
        compile(ast.Expression(last.value), filename, "eval", flags=flags, dont_inherit=True)
        if last is not None
        else None
    )
    namespace = shell.user_ns

    async def cell_body() -> Any:
        __tracebackhide__ = True
        outcome = eval(body, namespace)
        if body.co_flags & inspect.CO_COROUTINE:  # the cell uses top-level await
            await outcome
        if tail is None:
            return None
        value = eval(tail, namespace)
        if tail.co_flags & inspect.CO_COROUTINE:
            value = await value
        return value

    cell_body.__name__ = cell_body.__qualname__ = f"cell_{number}"
    env = TaskEnvironment(env_name)
    return TaskTemplate(cell_body, env, task_settings(cell_body))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext flyte_nb``: register ``%%flyte`` and ``%flyte``."""
    ipython.register_magics(FlyteMagics)
    cleanup = ipython.input_transformers_cleanup
    if transform_flyte_cells not in cleanup:
        cleanup.append(transform_flyte_cells)
