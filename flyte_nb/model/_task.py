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
from ._cluster_options import notice_cluster_only
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
    """The per-task options of ``@env.task(...)``, validated. The ones after
    ``max_inline_io_bytes`` only mean something on a Flyte cluster: kept, shown in a notice."""

    short_name: str
    cache: Cache | None
    retries: RetryStrategy
    timeout: Timeout
    max_inline_io_bytes: int
    #: the task's own ``secrets=`` (None: its environment's)
    secrets: tuple[Secret, ...] | None = None
    #: ``report=True``: the action has a report (``flyte.report``), saved when flushed and at its end
    report: bool = False
    docs: Any = None
    interruptible: bool | None = None
    queue: str | None = None
    service_account: str | None = None
    pod_template: Any = None
    triggers: tuple[Any, ...] = ()
    links: tuple[Any, ...] = ()
    task_resolver: Any = None
    entrypoint: bool = False
    produces_artifacts: bool = False
    plugin_config: Any = None


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

    def override(
        self,
        *,
        short_name: str | None = None,
        resources: Any = None,
        cache: Any = None,
        retries: Any = None,
        timeout: Any = None,
        reusable: Any = None,
        env_vars: dict[str, str] | None = None,
        service_account: str | None = None,
        max_inline_io_bytes: int | None = None,
        pod_template: Any = None,
        queue: str | None = None,
        interruptible: bool | None = None,
        entrypoint: bool | None = None,
        produces_artifacts: bool | None = None,
        links: Any = None,
        plugin_config: Any = None,
        **options: Any,
    ) -> TaskTemplate[P, R]:
        """A copy of this task with some options changed: any option of ``@env.task(...)``
        (``short_name``, ``cache``, ``retries``, ``timeout``, ``max_inline_io_bytes``, and the
        cluster-only ones), plus ``resources``, ``env_vars`` and ``reusable``
        (a ``ReusePolicy``, or ``"off"``), which apply to this copy only. As in the Flyte 2
        SDK, a task of a reusable environment changes ``resources``/``env_vars`` only with
        ``reusable="off"``."""
        for fixed in ("name", "image", "docs", "interface"):
            if fixed in options:
                raise TaskDefinitionError(f"{fixed.capitalize()} cannot be overridden (task {self.name})")
        cluster = {
            "service_account": service_account,
            "pod_template": pod_template,
            "queue": queue,
            "interruptible": interruptible,
            "entrypoint": entrypoint,
            "produces_artifacts": produces_artifacts,
            "links": links,
            "plugin_config": plugin_config,
        }
        local = {
            "short_name": short_name,
            "cache": cache,
            "retries": retries,
            "timeout": timeout,
            "max_inline_io_bytes": max_inline_io_bytes,
        }
        changes = {k: v for k, v in {**local, **cluster}.items() if v is not None}
        settings = task_settings(self.func, base=self.settings, **changes, **options)
        notice_cluster_only(cluster, f"{self.name}.override()", stacklevel=2)
        env = self.env
        if resources is not None or env_vars is not None or reusable is not None:
            policy = env.reuse_policy if reusable is None else None if reusable == "off" else reusable
            if policy is not None and (resources is not None or env_vars is not None):
                what = "resources" if resources is not None else "env_vars"
                raise TaskDefinitionError(
                    f"cannot override {what} of {self.name}: its environment is reusable (its workers keep "
                    f"one setting); pass reusable='off' in the same override to change {what}"
                )
            env = env.derived(resources=resources, env_vars=env_vars, reusable=policy)
        return TaskTemplate(self.func, env, settings)

    def forward(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Call the function itself, here, as no action (even inside a run); an async
        task gives its coroutine, as in the Flyte 2 SDK."""
        return self.func(*args, **kwargs)

    # ------------------------------------------------------------------ the SDK's attributes
    @property
    def resources(self) -> Any:
        """The resources the task's actions get (its environment's)."""
        return self.env.resources

    @property
    def env_vars(self) -> dict[str, str]:
        """The environment variables the task's actions get (its environment's)."""
        return dict(self.env.env_vars)

    @property
    def image(self) -> Any:
        return self.env.image

    @property
    def reusable(self) -> Any:
        return self.env.reuse_policy

    @property
    def parent_env_name(self) -> str:
        return self.env.name

    @property
    def docs(self) -> Any:
        return self.settings.docs

    @property
    def report(self) -> bool:
        return self.settings.report

    @property
    def interruptible(self) -> bool:
        own = self.settings.interruptible
        return bool(self.env.interruptible if own is None else own)

    @property
    def queue(self) -> str | None:
        return self.settings.queue or self.env.queue

    @property
    def service_account(self) -> str | None:
        return self.settings.service_account or self.env.service_account

    @property
    def pod_template(self) -> Any:
        return self.settings.pod_template if self.settings.pod_template is not None else self.env.pod_template

    @property
    def links(self) -> tuple[Any, ...]:
        return self.settings.links

    @property
    def triggers(self) -> tuple[Any, ...]:
        return self.settings.triggers

    @property
    def entrypoint(self) -> bool:
        return self.settings.entrypoint

    @property
    def produces_artifacts(self) -> bool:
        return self.settings.produces_artifacts

    @property
    def plugin_config(self) -> Any:
        return self.settings.plugin_config if self.settings.plugin_config is not None else self.env.plugin_config

    def __repr__(self) -> str:
        kind = "async task" if self.is_async else "task"
        return f"<{kind} {self.name}{self.signature}>"


#: the SDK's name of the class ``env.task`` makes (``isinstance(t, flyte.AsyncFunctionTaskTemplate)``)
AsyncFunctionTaskTemplate = TaskTemplate


def _identity(task: TaskTemplate[Any, Any]) -> tuple[str, str, str]:
    return (task.name, getattr(task.func, "__module__", "") or "", getattr(task.func, "__qualname__", ""))


def original_task(copy: TaskTemplate[Any, Any]) -> TaskTemplate[Any, Any]:
    """The task of this process that ``copy`` (unpickled from a container) was made from, so
    its actions group and compare like the kernel's own calls; ``copy`` when none matches."""
    found = _tasks.get(_identity(copy))
    if found is not None and found.settings == copy.settings and _same_env(found.env, copy.env):
        return found
    return copy


def _same_env(a: TaskEnvironment, b: TaskEnvironment) -> bool:
    """The same settings where actions run (``task.override(resources=...)`` makes a copy of
    the environment under its own name)."""
    return (
        a.name == b.name
        and a.resources == b.resources
        and a.env_vars == b.env_vars
        and a.reuse_policy == b.reuse_policy
    )


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
    docs: Any = _UNSET,
    **more: Any,
) -> TaskSettings:
    """Validate ``@env.task(...)`` options into :class:`TaskSettings`."""
    unknown = sorted(set(more) - set(_CLUSTER_SETTINGS))
    if unknown:
        raise TaskDefinitionError(
            f"unknown task option(s) {', '.join(unknown)} for {func.__name__}; accepted: short_name, cache, "
            f"retries, timeout, max_inline_io_bytes, docs, secrets, report, {', '.join(_CLUSTER_SETTINGS)}"
        )
    settings = base or TaskSettings(func.__name__, None, RetryStrategy(0), Timeout(), MAX_INLINE_IO_BYTES)
    changes: dict[str, Any] = {}
    for name, value in more.items():
        if value is not _UNSET and value is not None:
            changes[name] = _CLUSTER_SETTINGS[name](value, name, func.__name__)
    if docs is not _UNSET and docs is not None:
        changes["docs"] = docs
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


def _flag(value: Any, name: str, task: str) -> bool:
    if not isinstance(value, bool):
        raise TaskDefinitionError(f"{name} of task {task} must be True or False, got {value!r}")
    return value


def _text(value: Any, name: str, task: str) -> str:
    if not isinstance(value, str):
        raise TaskDefinitionError(f"{name} of task {task} must be a string, got {value!r}")
    return value


def _several(value: Any, name: str, task: str) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _kept(value: Any, name: str, task: str) -> Any:
    return value


#: the options of @env.task / override that flyte_nb keeps but only a cluster uses (and report),
#: with how each is checked
_CLUSTER_SETTINGS: dict[str, Callable[[Any, str, str], Any]] = {
    "interruptible": _flag,
    "queue": _text,
    "service_account": _text,
    "pod_template": _kept,
    "triggers": _several,
    "links": _several,
    "task_resolver": _kept,
    "entrypoint": _flag,
    "produces_artifacts": _flag,
    "plugin_config": _kept,
}


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
