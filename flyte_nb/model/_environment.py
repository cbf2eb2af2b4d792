"""TaskEnvironment: the settings a group of tasks shares (image, resources, reuse, cache)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ..errors import ConfigError
from ._cluster_options import notice_cluster_only
from ._policies import Cache, Resources, ReusePolicy
from ._secret import SecretRequest, check_secret_request
from ._task import MAX_INLINE_IO_BYTES, TaskTemplate, check_task_function, inline_limit, task_settings

if TYPE_CHECKING:
    from ._image import Image

F = TypeVar("F", bound=Callable[..., Any])


class Environment:
    """The base of environments (the Flyte 2 SDK's ``flyte.Environment``): flyte_nb runs tasks
    in :class:`TaskEnvironment`, the one to make."""

    name: str

    def __init__(self, name: str, **settings: Any) -> None:
        raise TypeError(
            f"flyte.Environment is the base of environments; make a flyte.TaskEnvironment({name!r}, ...) instead"
        )


class TaskEnvironment(Environment):
    """Where and how a set of tasks runs.

    ``TaskEnvironment("name", resources=Resources(cpu=2, memory="4Gi"),
    reuse_policy=ReusePolicy(replicas=2, concurrency=4), cache="auto")``.
    ``reusable=`` is accepted as another spelling of ``reuse_policy=``. Everything is
    validated here; the container backends enforce resources, image and reuse. The Flyte 2
    SDK's cluster-only fields (``pod_template``, ``interruptible``, ``include``,
    ``service_account``, ``plugin_config``, ``queue``) are kept and named once in a notice;
    ``depends_on`` is kept (there is nothing to deploy locally).
    """

    def __init__(
        self,
        name: str,
        *,
        depends_on: list[TaskEnvironment] | None = None,
        pod_template: Any = None,
        description: str | None = None,
        secrets: SecretRequest | None = None,
        env_vars: dict[str, str] | None = None,
        resources: Resources | None = None,
        interruptible: bool = False,
        image: str | Image | None = "auto",
        include: tuple[str, ...] | list[str] = (),
        service_account: str | None = None,
        cache: str | bool | Cache | None = None,
        reusable: ReusePolicy | None = None,
        plugin_config: Any = None,
        queue: str | None = None,
        reuse_policy: ReusePolicy | None = None,
        max_inline_io_bytes: int = MAX_INLINE_IO_BYTES,
    ) -> None:  # Environment.__init__ only refuses: it is not called
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"TaskEnvironment needs a non-empty name, got {name!r}")
        if resources is not None and not isinstance(resources, Resources):
            raise ConfigError(f"resources must be flyte.Resources(...), got {resources!r}")
        if reuse_policy is not None and reusable is not None and reuse_policy is not reusable:
            raise ConfigError("give either reuse_policy= or reusable= (two spellings of one setting), not both")
        policy = reuse_policy if reuse_policy is not None else reusable
        if policy is not None and not isinstance(policy, ReusePolicy):
            raise ConfigError(f"reuse_policy must be flyte.ReusePolicy(...), got {policy!r}")
        if image is not None and not isinstance(image, str) and not _is_image(image):
            raise ConfigError(
                f"image must be an image tag, 'auto' or flyte.Image.from_base(...)/.from_debian_base(), got {image!r}"
            )
        if env_vars is not None and not (
            isinstance(env_vars, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in env_vars.items())
        ):
            raise ConfigError(f"env_vars must be a dict of str to str, got {env_vars!r}")
        if description is not None and not isinstance(description, str):
            raise ConfigError(f"description must be a string, got {description!r}")
        if isinstance(include, str) or not all(isinstance(item, str) for item in include):
            raise ConfigError(f"include must be a tuple of str paths, got {include!r}; write include=({include!r},)")
        if not isinstance(interruptible, bool):
            raise ConfigError(f"interruptible must be True or False, got {interruptible!r}")
        self.name = name
        self.depends_on: list[TaskEnvironment] = []
        self.resources = resources
        self.image = image
        self._cache_request = cache
        self.cache = Cache.of(cache)
        self.reuse_policy = policy
        self.env_vars = dict(env_vars or {})
        self.max_inline_io_bytes = inline_limit(max_inline_io_bytes, f"max_inline_io_bytes of {name}")
        self.description = description
        #: the secrets every task of this environment gets (flyte.Secret; names only, never values)
        self.secrets = check_secret_request(secrets, f"TaskEnvironment {name!r}")
        self.pod_template = pod_template
        self.interruptible = interruptible
        self.include = tuple(include)
        self.service_account = service_account
        self.plugin_config = plugin_config
        self.queue = queue
        self.tasks: dict[str, TaskTemplate[Any, Any]] = {}
        self.add_dependency(*(depends_on or []))
        notice_cluster_only(
            {
                "pod_template": pod_template,
                "interruptible": interruptible,
                "include": self.include,
                "service_account": service_account,
                "plugin_config": plugin_config,
                "queue": queue,
            },
            f"TaskEnvironment {name!r}",
            stacklevel=2,
        )

    def add_dependency(self, *env: TaskEnvironment) -> None:
        """Add environments this one depends on (``depends_on``); kept for code written for a
        cluster, where they are deployed together. Locally any task can call any other."""
        for dep in env:
            if not isinstance(dep, TaskEnvironment):
                raise TypeError(f"Expected Environment, got {type(dep)}")
            if dep.name == self.name:
                raise ValueError("Cannot add self as a dependency")
            if dep not in self.depends_on:
                self.depends_on.append(dep)

    def clone_with(
        self,
        name: str,
        image: str | Image | None = None,
        resources: Resources | None = None,
        env_vars: dict[str, str] | None = None,
        secrets: SecretRequest | None = None,
        depends_on: list[TaskEnvironment] | None = None,
        description: str | None = None,
        interruptible: bool | None = None,
        include: tuple[str, ...] | None = None,
        service_account: str | None = None,
        **kwargs: Any,
    ) -> TaskEnvironment:
        """A new environment (no tasks yet) with this one's settings, a new ``name`` and the
        settings given changed (also ``cache``, ``reusable``, ``plugin_config``, ``queue``,
        ``pod_template``, ``max_inline_io_bytes``)."""
        allowed = {"cache", "reusable", "reuse_policy", "plugin_config", "queue", "pod_template", "max_inline_io_bytes"}
        unexpected = sorted(set(kwargs) - allowed)
        if unexpected:
            raise TypeError(f"Unexpected keyword arguments: {unexpected}")
        policy = kwargs.get("reusable", kwargs.get("reuse_policy", self.reuse_policy))
        chosen = {
            "image": self.image if image is None else image,
            "resources": self.resources if resources is None else resources,
            "env_vars": self.env_vars if env_vars is None else env_vars,
            "secrets": list(self.secrets) if secrets is None else secrets,
            "depends_on": list(self.depends_on if depends_on is None else depends_on),
            "description": self.description if description is None else description,
            "interruptible": self.interruptible if interruptible is None else interruptible,
            "include": self.include if include is None else tuple(include),
            "service_account": self.service_account if service_account is None else service_account,
            "cache": kwargs["cache"] if kwargs.get("cache") is not None else self._cache_request,
            "plugin_config": kwargs.get("plugin_config", self.plugin_config),
            "queue": kwargs.get("queue", self.queue),
            "pod_template": kwargs.get("pod_template", self.pod_template),
            "max_inline_io_bytes": kwargs.get("max_inline_io_bytes", self.max_inline_io_bytes),
        }
        return TaskEnvironment(name, reusable=policy, **chosen)

    def derived(self, *, resources: Any = None, env_vars: dict[str, str] | None = None, reusable: Any = None) -> Any:
        """This environment under its own name with a task's overrides (``task.override``);
        it holds no tasks and is not one of the program's environments."""
        made = self.clone_with(self.name, resources=resources, env_vars=env_vars, reusable=reusable)
        made.depends_on = self.depends_on
        return made

    @classmethod
    def from_task(cls, name: str, *tasks: TaskTemplate[Any, Any], depends_on: list[Any] | None = None) -> Any:
        """The Flyte 2 SDK makes an environment of tasks that have none; in flyte_nb every
        task is made by ``@env.task`` and has one, so this raises, as the SDK does then."""
        if tasks:
            raise ValueError(
                "Tasks cannot assigned to multiple environments. "
                f"{', '.join(t.name for t in tasks)} already belong to their environments; "
                "use env.clone_with(name) for another environment with the same settings"
            )
        return cls(name, depends_on=depends_on)

    @property
    def reusable(self) -> ReusePolicy | None:
        """The same as :attr:`reuse_policy`."""
        return self.reuse_policy

    @overload
    def task(self, _func: F) -> TaskTemplate[Any, Any]: ...

    @overload
    def task(
        self,
        _func: None = None,
        *,
        short_name: str | None = None,
        cache: Any = None,
        retries: Any = 0,
        timeout: Any = 0,
        docs: Any = None,
        pod_template: Any = None,
        report: bool = False,
        interruptible: bool | None = None,
        max_inline_io_bytes: int | None = None,
        queue: str | None = None,
        service_account: str | None = None,
        triggers: Any = (),
        links: Any = (),
        task_resolver: Any = None,
        entrypoint: bool = False,
        produces_artifacts: bool = False,
        **options: Any,
    ) -> Callable[[F], TaskTemplate[Any, Any]]: ...

    def task(
        self,
        _func: Any = None,
        *,
        short_name: str | None = None,
        cache: Any = None,
        retries: Any = 0,
        timeout: Any = 0,
        docs: Any = None,
        pod_template: Any = None,
        report: bool = False,
        interruptible: bool | None = None,
        max_inline_io_bytes: int | None = None,
        queue: str | None = None,
        service_account: str | None = None,
        triggers: Any = (),
        links: Any = (),
        task_resolver: Any = None,
        entrypoint: bool = False,
        produces_artifacts: bool = False,
        **options: Any,
    ) -> Any:
        """Make a function a task of this environment: ``@env.task`` or ``@env.task(retries=3,
        timeout=60, cache="auto")``. Works on ``async def`` and plain ``def`` functions.

        Every option of the Flyte 2 SDK is accepted; ``short_name``, ``cache``, ``retries``,
        ``timeout``, ``max_inline_io_bytes``, ``docs``, ``report`` (and ``secrets``) apply
        locally, the others only on a Flyte cluster (named once in a notice)."""
        given = {
            "short_name": short_name,
            "cache": cache,
            "retries": retries if retries != 0 else None,
            "timeout": timeout if timeout != 0 else None,
            "docs": docs,
            "report": report,
            "max_inline_io_bytes": self.max_inline_io_bytes if max_inline_io_bytes is None else max_inline_io_bytes,
        }
        cluster = {
            "pod_template": pod_template,
            "interruptible": interruptible,
            "queue": queue,
            "service_account": service_account,
            "triggers": triggers,
            "links": links,
            "task_resolver": task_resolver,
            "entrypoint": entrypoint,
            "produces_artifacts": produces_artifacts,
        }
        if pod_template is not None and self.reuse_policy is not None:
            raise ValueError("Cannot set pod_template when environment is reusable.")
        settings_options = {k: v for k, v in {**given, **cluster}.items() if v is not None}
        settings_options.update(options)

        def decorate(func: Any) -> TaskTemplate[Any, Any]:
            check_task_function(func)
            template: TaskTemplate[Any, Any] = TaskTemplate(func, self, task_settings(func, **settings_options))
            notice_cluster_only(cluster, f"task {template.name}", stacklevel=3)
            self.tasks[template.name] = template
            return template

        if _func is None:
            return decorate
        return decorate(_func)

    def __repr__(self) -> str:
        return f"TaskEnvironment(name={self.name!r}, tasks={len(self.tasks)})"


def _is_image(value: object) -> bool:
    """Whether ``value`` is a :class:`flyte_nb.Image` (whose module loads only when images are used)."""
    from ._image import Image

    return isinstance(value, Image)
