"""``flyte-nb runs``, ``flyte-nb show RUN`` and ``flyte-nb clean --older-than``: past runs from the store.

Every command reads the small records runs leave behind (``runs/<run>/run.json``), never a
data value, so listing a thousand runs takes well under a second on a local disk.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .data import _layout as layout
from .data._cache_sweep import CacheSweep

if TYPE_CHECKING:
    from .data._store import Store

#: Lines of a failed action's traceback ``flyte-nb show`` prints (the rest is in its file).
ERROR_TAIL_LINES = 6
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def add_commands(commands: Any) -> None:
    """Add ``runs`` and ``show`` to the CLI's subcommands."""
    runs = commands.add_parser("runs", help="list past runs, newest first")
    runs.add_argument("--limit", type=int, default=20, help="show at most this many runs (default 20)")
    runs.add_argument(
        "--phase", action="append", help="only runs in this phase (succeeded, failed, cancelled); repeatable"
    )
    runs.add_argument("--task", help="only runs whose entry task has this name (env.task or task)")
    _store_option(runs)
    runs.add_argument("--json", action="store_true", help="print the runs as JSON, for scripts")
    runs.set_defaults(handler=list_runs)

    show = commands.add_parser("show", help="one past run: summary, failed actions, where its page and logs are")
    show.add_argument("run", metavar="RUN", help="the run's name (as `flyte-nb runs` lists it)")
    _store_option(show)
    show.set_defaults(handler=show_run)


def add_clean_options(clean: argparse.ArgumentParser) -> None:
    """Add ``--older-than AGE`` and ``--dry-run`` (and ``--store``) to ``flyte-nb clean``."""
    clean.add_argument(
        "--older-than",
        metavar="AGE",
        help="also delete ended runs started more than AGE ago (30m, 12h, 7d, 2w), and the cache entries "
        f"only they used: {CACHE_RULE}",
    )
    clean.add_argument("--dry-run", action="store_true", help="with --older-than: list what would go, delete nothing")
    _store_option(clean)


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        help="the store to read (file:///path, s3://bucket/prefix); default: the configured one "
        "(the config file's storage, else $FLYTE_NB_STORAGE, else .flyte_nb in this folder)",
    )


def store_of(args: argparse.Namespace) -> Store:
    """The store ``--store`` names, else the one the configuration names (as ``flyte.init`` finds it)."""
    from dataclasses import replace

    from .session._config import config_search_path, configured_store, current_config, load_config_file

    # the first config file on flyte.init_from_config()'s search path, else the defaults
    config = next((load_config_file(p) for p in config_search_path() if p.is_file()), current_config())
    url = getattr(args, "store", None)
    if url:
        config = replace(config, storage=url, storage_options={})
    return configured_store(config)


def parse_age(text: str) -> float:
    """Seconds in an age like ``7d`` (units: s, m, h, d, w); ValueError saying what is accepted."""
    match = _AGE.match(text)
    if match is None:
        raise ValueError(
            f"--older-than {text!r} is not an age: give a number and a unit, one of s, m, h, d, w (30m, 12h, 7d, 2w)"
        )
    return float(match.group(1)) * _UNITS[match.group(2)]


# ---------------------------------------------------------------------- runs
def list_runs(args: argparse.Namespace) -> int:
    """``flyte-nb runs``: a table (or ``--json``) of the store's runs, newest first."""
    from .session._history import run_records

    store = store_of(args)
    records = run_records(store, in_phase=args.phase, task_name=args.task, limit=args.limit)
    if args.json:
        print(json.dumps([_summary(r) for r in records], indent=1))
        return 0
    if not records:
        print(f"no runs in the store {store.url}" + (" matching the filters" if args.phase or args.task else ""))
        return 0
    rows = [
        (
            str(r.get("run", "")),
            str(r.get("task") or "-"),
            str(r.get("phase", "")),
            _local_time(r.get("started")),
            _duration(r.get("elapsed_s")),
            str(r.get("actions", "")),
        )
        for r in records
    ]
    print(_table(("NAME", "TASK", "PHASE", "STARTED", "DURATION", "ACTIONS"), rows))
    return 0


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    started = record.get("started")
    return {
        "name": record.get("run"),
        "task": record.get("task"),
        "phase": record.get("phase"),
        "started": started,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)) if started else None,
        "duration_s": record.get("elapsed_s"),
        "actions": record.get("actions"),
        "counts": record.get("counts", {}),
        "backend": record.get("backend"),
    }


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]
    )


def _local_time(started: object) -> str:
    if not isinstance(started, int | float) or not started:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))


def _duration(seconds: object) -> str:
    if not isinstance(seconds, int | float):
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


# ---------------------------------------------------------------------- show
def show_run(args: argparse.Namespace) -> int:
    """``flyte-nb show RUN``: the run's summary, its failed actions' errors, its page and logs."""
    from .session._history import run_record

    store = store_of(args)
    record = run_record(store, args.run)
    if record is None:
        print(
            f"flyte-nb show: no run named {args.run!r} in the store {store.url} (or it is still running). "
            f"List the runs there with: flyte-nb runs --store {store.url}",
            file=sys.stderr,
        )
        return 1
    name = str(record["run"])
    counts = ", ".join(f"{n} {state}" for state, n in (record.get("counts") or {}).items() if n)
    lines = [
        f"run       {name}",
        f"phase     {record.get('phase')}",
        f"task      {record.get('task') or '-'}",
        f"started   {_local_time(record.get('started'))}",
        f"duration  {_duration(record.get('elapsed_s'))}",
        f"actions   {record.get('actions', 0)}" + (f" ({counts})" if counts else ""),
    ]
    if record.get("backend"):
        lines.append(f"backend   {record['backend']}")
    if record.get("cancel_reason"):
        lines.append(f"cancelled {record['cancel_reason']}")
    page = layout.run_page_key(name)
    lines.append(f"page      {store.url_of(page) if store.exists(page) else '(none was written)'}")
    logs = layout.run_logs_folder(name)
    printed = store.children(logs)
    lines.append(
        f"logs      {store.url_of(logs)}/ ({len(printed)} file(s))" if printed else "logs      (no action printed)"
    )
    print("\n".join(lines))
    errors = [str(e) for e in record.get("errors") or []]
    if errors:
        print(f"\nfailed actions ({len(errors)}):")
    for label in errors:
        key = layout.run_error_key(name, label.removesuffix(".txt"))
        try:
            text = store.get(key).decode(errors="replace")
        except FileNotFoundError:
            text = "(its traceback file is missing)"
        tail = text.rstrip().splitlines()[-ERROR_TAIL_LINES:]
        print(f"\n  {label.removesuffix('.txt')}:")
        print("\n".join(f"    {line}" for line in tail))
        print(f"    (whole traceback: {store.url_of(key)})")
    return 0


# ---------------------------------------------------------------------- clean --older-than
#: ``flyte-nb clean --older-than``'s rule for cache entries and blobs (its help and output say it).
CACHE_RULE = (
    "a cache entry goes with the old runs when it was written before the cutoff and no run that stays wrote "
    "or hit it; while a run is going, or a run that stays is from an earlier flyte_nb (it does not record "
    "which entries it used), every entry is kept. blobs/ (File and Dir uploads) are always kept"
)


@dataclass
class CleanReport:
    """What ``clean --older-than`` removed (or, dry, would remove) and what it kept."""

    removed: list[tuple[str, int]] = field(default_factory=list)  # (run, bytes)
    running: list[str] = field(default_factory=list)  # records that say running
    unrecorded: list[str] = field(default_factory=list)  # folders without a record
    cache: CacheSweep = field(default_factory=CacheSweep)
    blobs: tuple[int, int] = (0, 0)  # files and bytes under blobs/, all kept

    @property
    def removed_bytes(self) -> int:
        return sum(size for _, size in self.removed)


def clean_old_runs(store: Store, older_than_s: float, *, dry_run: bool = False) -> CleanReport:
    """Delete (unless ``dry_run``) every run in ``store`` whose record says it started more
    than ``older_than_s`` seconds ago: its whole ``runs/<run>/`` folder, then the cache entries
    written before then that no run left behind wrote or hit (see ``data/_cache_sweep.py``).
    A run whose record says ``running``, or a folder with no record yet (a run going on in
    another kernel), is kept, and so is every cache entry while there is one. Blobs are kept."""
    from .data._cache_sweep import sweep_cache
    from .session._history import run_record

    cutoff = time.time() - older_than_s
    report = CleanReport()
    remaining: list[dict[str, Any]] = []
    for name in store.children(layout.RUNS):
        record = run_record(store, name)
        if record is None:
            report.unrecorded.append(name)
            continue
        if str(record.get("phase")) == "running":
            report.running.append(name)
            continue
        started = record.get("started")
        if not isinstance(started, int | float) or started >= cutoff:
            remaining.append(record)
            continue
        folder = layout.run_root(name)
        size = _bytes_under(store, folder)
        if not dry_run:
            store.delete(folder, recursive=True)
        report.removed.append((name, size))
    going = len(report.running) + len(report.unrecorded)
    report.cache = sweep_cache(store, cutoff, remaining, going=going, dry_run=dry_run)
    report.blobs = _files_under(store, layout.BLOBS)
    return report


def print_clean_report(store: Store, report: CleanReport, age: str, *, dry_run: bool) -> None:
    verb = "would delete" if dry_run else "deleted"
    for name, size in report.removed:
        print(f"  {verb} run {name} ({_bytes(size)})")
    cache = report.cache
    for key, size in cache.removed:
        print(f"  {verb} cache entry {key} ({_bytes(size)})")
    print(
        f"store {store.url}: {verb} {len(report.removed)} run(s) started more than {age} ago, "
        f"{_bytes(report.removed_bytes)}; {len(cache.removed)} cache entry(ies) written before then "
        f"that no remaining run used, {_bytes(cache.removed_bytes)}"
    )
    if report.running:
        print(f"  kept {len(report.running)} run(s) whose record says running: {', '.join(report.running)}")
    if report.unrecorded:
        print(
            f"  kept {len(report.unrecorded)} folder(s) under runs/ with no record (a run still going, "
            "or one that was killed): delete them by hand when no kernel uses them"
        )
    if cache.kept_all_because is not None:
        print(f"  kept every cache entry: {cache.kept_all_because}")
    else:
        kept = [
            (cache.kept_used, "used by a remaining run"),
            (cache.kept_recent, f"written less than {age} ago"),
            (cache.kept_unstamped, "with no readable time stamp (from an earlier flyte_nb)"),
        ]
        shown = "; ".join(f"{n} {why}" for n, why in kept if n)
        if shown:
            print(f"  kept cache entries: {shown}")
    files, size = report.blobs
    print(
        f"  kept blobs/ ({files} file(s), {_bytes(size)}): File and Dir uploads are shared by content and "
        "referenced from inside stored values and live kernels, which clean cannot read without running code"
    )


def _files_under(store: Store, key: str) -> tuple[int, int]:
    """How many files are under ``key`` and their bytes (0, 0 when it cannot be listed)."""
    try:
        sizes = store.fs.find(store.path(key), detail=True)
        return len(sizes), sum(int(info.get("size") or 0) for info in sizes.values())
    except Exception:
        return 0, 0


def _bytes_under(store: Store, key: str) -> int:
    try:
        return int(store.fs.du(store.path(key), total=True))
    except Exception:
        return 0


def _bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
