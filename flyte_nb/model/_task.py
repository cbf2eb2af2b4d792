"""Tasks: functions that become actions when called inside a run.

Outside a run a task is its function: calling it runs the function (an async task
returns its coroutine). Inside a run, every call is an action the run's controller
schedules: awaiting an async task's call submits it; a sync task blocks the calling
code until its action is done, and ``task.aio(...)`` gives an awaitable for async code.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from .._checks import is_int_at_least
from ..errors import TaskCallError, TaskDefinitionError
from ._context import current
from ._policies import Cache, RetryStrategy, Timeout
from ._returns import checked_return
from ._secret import Secret, check_secret_request
from ._types import Plan, plan_of

if TYPE_CHECKING:
    from ._environment import TaskEnvironment

P = ParamSpec("P")
R = TypeVar("R")

#: Inputs or outputs up to this size travel inline with the action (10 MiB, like Flyte 2).
MAX_INLINE_IO_BYTES = 10 * 1024 * 1024

_getframe = sys._getframe

#: every task made in this process, by what identifies it across a pickle round trip
_tasks: weakref.WeakValueDictionary[tuple[str, str, str], TaskTemplate[Any, Any]] = weakref.WeakValueDictionary()


@dataclass(frozen=True)
class TaskSettings:
    """The per-task options of ``@env.task(...)``, validated."""

    short_name: str
    cache: Cache | None
    retries: RetryStrategy
    timeout: Timeout
    max_inline_io_bytes: int
    #: the task's own ``secrets=`` (None: its environment's)
    secrets: tuple[Secret, ...] | None = None
    #: ``report=True``: the action has a report (``flyte.report``), saved when flushed and at its end
    report: bool = False


class TaskTemplate(Generic[P, R]):
    """A function registered with a :class:`TaskEnvironment`. Call it like the function."""

    def __init__(self, func: Callable[P, R], env: TaskEnvironment, settings: TaskSettings) -> None:
        self.func = func
        self.env = env
        self.settings = settings
        self.name = f"{env.name}.{func.__name__}"
        self.short_name = settings.short_name
        self.is_async = inspect.iscoroutinefunction(func)
        self.retries = settings.retries
        self.timeout = settings.timeout
        self.max_inline_io_bytes = settings.max_inline_io_bytes
        self.signature = _signature(func)
        params = self.signature.parameters.values()
        self._names = frozenset(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        self._varargs = any(p.kind is p.VAR_POSITIONAL for p in params)
        self._varkw = any(p.kind is p.VAR_KEYWORD for p in params)
        self._max_positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        self._required = sum(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)
        self._plan: Plan | None = None  # made on the first call (annotations may name later classes)
        #: whether some input converts only where the body runs (``_types``); known after the first call
        self.converts_late = False
        functools.update_wrapper(self, func)
        _tasks[_identity(self)] = self

    @property
    def cache(self) -> Cache | None:
        """The cache policy in force: the task's own, else its environment's."""
        return self.settings.cache if self.settings.cache is not None else self.env.cache

    @property
    def secrets(self) -> tuple[Secret, ...]:
        """The secrets its actions get: its own ``secrets=``, else its environment's."""
        return self.settings.secrets if self.settings.secrets is not None else self.env.secrets

    # ------------------------------------------------------------------ calling
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        ctx = current.get()
        if ctx is None:
            return self.func(*args, **kwargs)
        frame = _getframe(1)
        args, kwargs = self.check_call(args, kwargs)  # type: ignore[assignment]  # the same P.args, converted
        submission = ctx.controller.submit(self, args, kwargs, ctx, (frame.f_code, frame.f_lineno))
        if self.is_async:
            return cast(R, submission)  # an async task's R is the coroutine that submission is
        from ._sync import run_sync

        return run_sync(submission)

    def aio(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, Any]:
        """An awaitable call of this task, for async code (the way to call a sync task there)."""
        ctx = current.get()
        if ctx is None:
            if self.is_async:
                return cast("Coroutine[Any, Any, Any]", self.func(*args, **kwargs))  # an async func's call
            return asyncio.to_thread(self.func, *args, **kwargs)
        frame = _getframe(1)
        args, kwargs = self.check_call(args, kwargs)  # type: ignore[assignment]  # the same P.args, converted
        return ctx.controller.submit(self, args, kwargs, ctx, (frame.f_code, frame.f_lineno))

    def check_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The arguments, checked and converted per the annotations (the Flyte SDK's ``TypeError``
        for a value that does not fit, see ``_types``). Raise :class:`TaskCallError` if the
        function would not accept them at all.

        A few integer comparisons on the common path; the full signature binding (and its
        helpful message) only when something looks off.
        """
        nargs = len(args)
        if (
            (nargs > self._max_positional and not self._varargs)
            or nargs + len(kwargs) < self._required
            or (kwargs and not self._varkw and not self._names.issuperset(kwargs))
        ):
            problems = self._call_problems(args, kwargs)
            if problems:
                raise TaskCallError(
                    f"task {self.name} was called with arguments it does not take: {'; '.join(problems)}. "
                    f"Its signature is {self.func.__name__}{self.signature}."
                )
        plan = self._plan
        if plan is None or plan.stale:
            plan = self._types()
        if not plan.params or (not kwargs and plan.fits(args)):
            return args, kwargs  # nothing annotated, or every value exactly its int/str/... type
        return plan.inputs(args, kwargs)

    def _types(self) -> Plan:
        """How this task's inputs and output are checked (made once, again when io types load)."""
        plan = self._plan
        if plan is None or plan.stale:
            plan = self._plan = plan_of(self.func, self.signature)
            self.converts_late = plan.late
        return plan

    def body_inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The inputs as the body takes them: the late conversions done (where it runs)."""
        plan = self._types()
        return plan.inputs(args, kwargs, late=True) if plan.late else (args, kwargs)

    def returned(self, value: Any) -> Any:
        """What the body returned, checked (no forgotten coroutine) and converted per the
        return annotation."""
        plan = self._plan
        if plan is not None and type(value) is plan.exact_output:
            return value  # the common case: an int for an int (never a coroutine)
        value = checked_return(self.name, value)
        return self._types().returned(self.name, value)

    def _call_problems(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
        """Every reason the arguments do not fit, most telling first (unexpected names)."""
        problems: list[str] = []
        if not self._varkw:
            unexpected = [name for name in kwargs if name not in self._names]
            if unexpected:
                problems.append("unexpected keyword argument " + ", ".join(map(repr, unexpected)))
        try:
            self.signature.bind(*args, **{k: v for k, v in kwargs.items() if k in self._names or self._varkw})
        except TypeError as exc:
            problems.append(str(exc))
        return problems

    def override(self, **options: Any) -> TaskTemplate[P, R]:
        """A copy of this task with some options changed (``retries``, ``timeout``, ``cache``,
        ``short_name``, ``max_inline_io_bytes``, ``secrets``)."""
        settings = task_settings(self.func, base=self.settings, **options)
        return TaskTemplate(self.func, self.env, settings)

    def __repr__(self) -> str:
        kind = "async task" if self.is_async else "task"
        return f"<{kind} {self.name}{self.signature}>"


def _identity(task: TaskTemplate[Any, Any]) -> tuple[str, str, str]:
    return (task.name, getattr(task.func, "__module__", "") or "", getattr(task.func, "__qualname__", ""))


def original_task(copy: TaskTemplate[Any, Any]) -> TaskTemplate[Any, Any]:
    """The task of this process that ``copy`` (unpickled from a container) was made from, so
    its actions group and compare like the kernel's own calls; ``copy`` when none matches."""
    found = _tasks.get(_identity(copy))
    if found is not None and found.settings == copy.settings and found.env.name == copy.env.name:
        return found
    return copy


def _signature(func: Callable[..., Any]) -> inspect.Signature:
    """The function's signature, with string annotations resolved when they can be (so
    messages read ``(r: int)``, not ``(r: 'int')``)."""
    try:
        return inspect.signature(func, eval_str=True)
    except (NameError, AttributeError, TypeError, SyntaxError):  # unresolvable yet: keep strings
        return inspect.signature(func)


_UNSET: Any = object()


def task_settings(
    func: Callable[..., Any],
    *,
    base: TaskSettings | None = None,
    short_name: str | None = _UNSET,
    cache: Any = _UNSET,
    retries: Any = _UNSET,
    timeout: Any = _UNSET,
    max_inline_io_bytes: int = _UNSET,
    secrets: Any = _UNSET,
    report: Any = _UNSET,
    **unknown: Any,
) -> TaskSettings:
    """Validate ``@env.task(...)`` options into :class:`TaskSettings`."""
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TaskDefinitionError(
            f"unknown task option(s) {names} for {func.__name__}; accepted: short_name, cache, retries, "
            "timeout, max_inline_io_bytes, secrets, report"
        )
    settings = base or TaskSettings(func.__name__, None, RetryStrategy(0), Timeout(), MAX_INLINE_IO_BYTES)
    changes: dict[str, Any] = {}
    if short_name is not _UNSET and short_name is not None:
        changes["short_name"] = str(short_name)
    if cache is not _UNSET:
        changes["cache"] = Cache.of(cache)
    if retries is not _UNSET:
        changes["retries"] = RetryStrategy.of(retries)
    if timeout is not _UNSET:
        changes["timeout"] = Timeout.of(timeout)
    if max_inline_io_bytes is not _UNSET:
        changes["max_inline_io_bytes"] = inline_limit(max_inline_io_bytes, f"max_inline_io_bytes of {func.__name__}")
    if secrets is not _UNSET and secrets is not None:
        changes["secrets"] = check_secret_request(secrets, func.__name__)
    if report is not _UNSET:
        if not isinstance(report, bool):
            raise TaskDefinitionError(f"report of {func.__name__} must be True or False, got {report!r}")
        changes["report"] = report
    return replace(settings, **changes)


def inline_limit(value: Any, what: str) -> int:
    if not is_int_at_least(value, 0):
        raise TaskDefinitionError(f"{what} must be an int >= 0 (bytes), got {value!r}")
    return value


def check_task_function(func: Any) -> None:
    """Raise :class:`TaskDefinitionError` unless ``func`` is a named ``def`` function."""
    if isinstance(func, TaskTemplate):
        raise TaskDefinitionError(f"{func.name} is already a task; decorate the plain function once")
    if isinstance(func, functools.partial):
        raise TaskDefinitionError(
            "env.task needs a function defined with def, got a functools.partial; "
            "define a small def that calls it instead"
        )
    if not (inspect.isfunction(func) or inspect.ismethod(func)):
        raise TaskDefinitionError(
            f"env.task needs a function defined with def (async or not), got {type(func).__name__} {func!r}"
        )
    if func.__name__ == "<lambda>":
        raise TaskDefinitionError(
            "env.task needs a named function defined with def, got a lambda; "
            "write `@env.task` above a `def` (or `async def`) instead"
        )
    if inspect.isasyncgenfunction(func) or inspect.isgeneratorfunction(func):
        raise TaskDefinitionError(
            f"{func.__name__} is a generator; a task must return its result. Collect the items into a list "
            "and return that, or use flyte.map to stream results from many actions"
        )
