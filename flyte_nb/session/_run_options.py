"""The options of a run, checked where they are given, before any action starts.

Every way of naming or configuring a run (``flyte.with_runcontext(...)``, ``flyte.run``,
``run.aio``, the ``%%flyte`` magic's ``--name``/``--backend``/...) goes through
:class:`RunOptions`, so a bad value fails the call that wrote it, with one sentence
naming the option, the value, the rule and an example.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from .._checks import is_int_at_least
from ..errors import TaskCallError

__all__ = ["RUN_NAME_EXAMPLE", "RUN_NAME_RULE", "RunOptions", "check_run_name"]

#: A run's name is a folder of the store (``runs/<name>``) and a container label: this keeps
#: it one safe path component (never '.', '..', '' or hidden) on every filesystem.
RUN_NAME_RULE = "1 to 128 ASCII letters, digits, '-', '_' or '.', starting with a letter, digit or '_'"
RUN_NAME_EXAMPLE = "nightly-2026.12.02"
_RUN_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}"  # compiled on first use (re caches it)
#: What an environment variable's name may be (POSIX portable names).
_ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


def check_run_name(name: object) -> str:
    """``name`` if it follows :data:`RUN_NAME_RULE`, else :class:`TaskCallError` saying why."""
    if isinstance(name, str) and re.fullmatch(_RUN_NAME, name):
        return name
    raise TaskCallError(
        f"bad run name {name!r}: a run name must be {RUN_NAME_RULE}, e.g. {RUN_NAME_EXAMPLE!r} "
        "(leave name out for a fresh one)"
    )


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """The options of one run (``flyte.with_runcontext(...)``), checked when made: a bad
    value raises :class:`TaskCallError` naming the option and a value that would do."""

    name: str | None = None
    backend: str | None = None
    max_action_concurrency: int | None = None
    max_actions: int | None = None
    overwrite_cache: bool = False
    disable_run_cache: bool = False
    env_vars: dict[str, str] | None = None
    #: flyte.ctx().custom_context of the entry action, passed on to every action it starts
    custom_context: dict[str, str] | None = None
    #: flyte.ctx().interactive_mode (None: True in a notebook kernel)
    interactive_mode: bool | None = None
    #: folders flyte.ctx() names instead of the run's own ones in the store
    raw_data_path: str | None = None
    run_base_dir: str | None = None
    #: flyte.ctx().run_start_time (None: when the run starts)
    run_start_time: datetime | None = None
    #: kept on the run (``run.controller.run_info``)
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    #: levels of flyte_nb's own logger and of flyte.logger, set when the run starts
    log_level: int | None = None
    user_log_level: int | None = None

    def __post_init__(self) -> None:
        _check_run_options(**{f.name: getattr(self, f.name) for f in fields(self)})


def _check_run_options(
    *,
    name: object,
    backend: object,
    max_action_concurrency: object,
    max_actions: object,
    overwrite_cache: object,
    disable_run_cache: object,
    env_vars: object,
    **more: object,
) -> None:
    if name is not None:
        check_run_name(name)
    if backend is not None:
        _check_backend(backend)
    if max_action_concurrency is not None and not is_int_at_least(max_action_concurrency, 0):
        raise TaskCallError(
            f"bad run option max_action_concurrency={max_action_concurrency!r}: "
            "max_action_concurrency must be an int >= 0 (0 means no limit), e.g. 8"
        )
    if max_actions is not None and not is_int_at_least(max_actions, 1):
        raise TaskCallError(f"bad run option max_actions={max_actions!r}: max_actions must be an int >= 1, e.g. 50000")
    for option, value in (("overwrite_cache", overwrite_cache), ("disable_run_cache", disable_run_cache)):
        if not isinstance(value, bool):
            raise TaskCallError(f"bad run option {option}={value!r}: {option} must be True or False")
    if env_vars is not None:
        _check_env_vars(env_vars)
    _check_context_options(**more)


def _check_context_options(
    *,
    custom_context: object,
    interactive_mode: object,
    raw_data_path: object,
    run_base_dir: object,
    run_start_time: object,
    labels: object,
    annotations: object,
    log_level: object,
    user_log_level: object,
) -> None:
    if custom_context is not None and not (
        isinstance(custom_context, Mapping) and all(isinstance(k, str) for k in custom_context)
    ):
        raise TaskCallError(
            f"bad run option custom_context={_short(custom_context)}: custom_context must be a dict with str keys, "
            "e.g. {'project': 'demo'}"
        )
    if interactive_mode is not None and not isinstance(interactive_mode, bool):
        raise TaskCallError(f"bad run option interactive_mode={interactive_mode!r}: it must be True, False or None")
    for option, value in (("raw_data_path", raw_data_path), ("run_base_dir", run_base_dir)):
        if value is not None and (not isinstance(value, str) or not value):
            raise TaskCallError(f"bad run option {option}={value!r}: {option} must be a folder's path or URL (a str)")
    if run_start_time is not None and not isinstance(run_start_time, datetime):
        raise TaskCallError(
            f"bad run option run_start_time={run_start_time!r}: it must be a datetime, e.g. datetime.now(timezone.utc)"
        )
    for option, value in (("labels", labels), ("annotations", annotations)):
        if value is not None and not (
            isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            raise TaskCallError(
                f"bad run option {option}={_short(value)}: {option} must be a dict of str to str, e.g. {{'team': 'ml'}}"
            )
    for option, value in (("log_level", log_level), ("user_log_level", user_log_level)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise TaskCallError(
                f"bad run option {option}={value!r}: {option} must be a logging level (an int), e.g. logging.DEBUG"
            )


def _check_backend(backend: object) -> None:
    from ..executors import available_backends, is_backend

    if not is_backend(backend):
        backends = available_backends()
        raise TaskCallError(
            f"bad run option backend={backend!r}: unknown backend {backend!r}; "
            f"backend must be one of {', '.join(backends)}, e.g. 'local'"
        )


def _check_env_vars(env_vars: object) -> None:
    if not isinstance(env_vars, Mapping):
        raise TaskCallError(
            f"bad run option env_vars={_short(env_vars)}: env_vars must be a dict of str to str, "
            "e.g. {'LOG_LEVEL': 'debug'}"
        )
    for key, value in env_vars.items():
        if not isinstance(key, str) or not re.fullmatch(_ENV_NAME, key):
            raise TaskCallError(
                f"bad run option env_vars: {key!r} is not an environment variable name "
                "(letters, digits and '_', not starting with a digit), e.g. 'LOG_LEVEL'"
            )
        if not isinstance(value, str) or "\0" in value:
            raise TaskCallError(
                f"bad run option env_vars[{key!r}]={_short(value)}: values must be strings without NUL bytes; "
                f"write str(...) around it, e.g. {{'{key}': '1'}}"
            )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
