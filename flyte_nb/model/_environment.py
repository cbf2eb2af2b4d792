"""TaskEnvironment: the settings a group of tasks shares (image, resources, reuse, cache)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from ..errors import ConfigError
from ._image import Image
from ._policies import Cache, Resources, ReusePolicy
from ._secret import SecretRequest, check_secret_request
from ._task import MAX_INLINE_IO_BYTES, TaskTemplate, check_task_function, inline_limit, task_settings

F = TypeVar("F", bound=Callable[..., Any])


class TaskEnvironment:
    """Where and how a set of tasks runs.

    ``TaskEnvironment("name", resources=Resources(cpu=2, memory="4Gi"),
    reuse_policy=ReusePolicy(replicas=2, concurrency=4), cache="auto")``.
    ``reusable=`` is accepted as another spelling of ``reuse_policy=``. Everything is
    validated here; the container backends enforce resources, image and reuse.
    """

    def __init__(
        self,
        name: str,
        *,
        resources: Resources | None = None,
        image: str | Image | None = None,
        cache: str | bool | Cache | None = None,
        reuse_policy: ReusePolicy | None = None,
        reusable: ReusePolicy | None = None,
        env_vars: dict[str, str] | None = None,
        max_inline_io_bytes: int = MAX_INLINE_IO_BYTES,
        description: str | None = None,
        secrets: SecretRequest | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"TaskEnvironment needs a non-empty name, got {name!r}")
        if resources is not None and not isinstance(resources, Resources):
            raise ConfigError(f"resources must be flyte.Resources(...), got {resources!r}")
        if reuse_policy is not None and reusable is not None and reuse_policy is not reusable:
            raise ConfigError("give either reuse_policy= or reusable= (two spellings of one setting), not both")
        policy = reuse_policy if reuse_policy is not None else reusable
        if policy is not None and not isinstance(policy, ReusePolicy):
            raise ConfigError(f"reuse_policy must be flyte.ReusePolicy(...), got {policy!r}")
        if image is not None and not isinstance(image, str | Image):
            raise ConfigError(
                f"image must be an image tag, 'auto' or flyte.Image.from_base(...)/.from_debian_base(), got {image!r}"
            )
        if env_vars is not None and not (
            isinstance(env_vars, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in env_vars.items())
        ):
            raise ConfigError(f"env_vars must be a dict of str to str, got {env_vars!r}")
        self.name = name
        self.resources = resources
        self.image = image
        self.cache = Cache.of(cache)
        self.reuse_policy = policy
        self.env_vars = dict(env_vars or {})
        self.max_inline_io_bytes = inline_limit(max_inline_io_bytes, f"max_inline_io_bytes of {name}")
        self.description = description
        #: the secrets every task of this environment gets (flyte.Secret; names only, never values)
        self.secrets = check_secret_request(secrets, f"TaskEnvironment {name!r}")
        self.tasks: dict[str, TaskTemplate[Any, Any]] = {}

    @property
    def reusable(self) -> ReusePolicy | None:
        """The same as :attr:`reuse_policy`."""
        return self.reuse_policy

    @overload
    def task(self, _func: F) -> TaskTemplate[Any, Any]: ...

    @overload
    def task(self, _func: None = None, **options: Any) -> Callable[[F], TaskTemplate[Any, Any]]: ...

    def task(self, _func: Any = None, **options: Any) -> Any:
        """Make a function a task of this environment: ``@env.task`` or ``@env.task(retries=3,
        timeout=60, cache="auto")``. Works on ``async def`` and plain ``def`` functions."""
        options.setdefault("max_inline_io_bytes", self.max_inline_io_bytes)

        def decorate(func: Any) -> TaskTemplate[Any, Any]:
            check_task_function(func)
            template: TaskTemplate[Any, Any] = TaskTemplate(func, self, task_settings(func, **options))
            self.tasks[template.name] = template
            return template

        if _func is None:
            return decorate
        return decorate(_func)

    def __repr__(self) -> str:
        return f"TaskEnvironment(name={self.name!r}, tasks={len(self.tasks)})"
