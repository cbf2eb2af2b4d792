"""Declarative settings of environments and tasks: resources, reuse, retries, timeouts, cache.

All of them validate on construction, so a mistake surfaces where it is written, with a
sentence naming the field and what it accepts. Backends enforce them later.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, Protocol, cast, runtime_checkable

from .._checks import is_finite_number, is_int, is_int_at_least
from ..errors import ConfigError
from ._devices import Device, device_of

__all__ = ["Backoff", "Cache", "CachePolicy", "Resources", "RetryStrategy", "ReusePolicy", "Timeout"]

Duration = int | float | timedelta

#: a memory size; compiled on first use (re caches it), not when flyte_nb loads
_MEMORY = r"^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|K|M|G|T|KB|MB|GB|TB|B)?\s*$"
_MEMORY_FACTORS = {
    None: 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "ki": 1024,
    "mi": 1024**2,
    "gi": 1024**3,
    "ti": 1024**4,
}
#: Docker and the kernel count bytes in a signed 64-bit integer.
_MAX_BYTES = 2**63 - 1


def seconds_of(value: Duration | None, what: str) -> float | None:
    """A duration given as seconds or a timedelta, as float seconds (None and 0 mean unset)."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        secs = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        secs = float(value)
    else:
        raise ConfigError(f"{what} must be seconds (int or float) or a timedelta, got {value!r}")
    if math.isnan(secs) or secs < 0:
        raise ConfigError(f"{what} must be >= 0 seconds, got {value!r}")
    if math.isinf(secs):
        raise ConfigError(f"{what} must be a finite number of seconds, got {value!r}; leave it out (None) for no limit")
    return secs or None


def memory_bytes(value: str | int, what: str = "memory") -> int:
    """Parse a Kubernetes-style memory quantity (``"512Mi"``, ``"2Gi"``, ``"1G"``) into bytes."""
    if is_int(value):
        result = value
    else:
        match = re.match(_MEMORY, value, re.IGNORECASE) if isinstance(value, str) else None
        if not match:
            raise ConfigError(
                f"{what} must look like '512Mi', '2Gi' or '1G' (or be an int number of bytes), got {value!r}"
            )
        number, unit = match.groups()
        result = int(float(number) * _MEMORY_FACTORS[unit.lower() if unit else None])
    if result <= 0:
        raise ConfigError(f"{what} must be at least 1 byte, got {value!r}; write e.g. '512Mi'")
    if result > _MAX_BYTES:
        raise ConfigError(f"{what} must be at most 8 EiB (2**63 - 1 bytes), got {value!r}; write e.g. '64Gi'")
    return result


def cpu_count(value: int | float | str, what: str = "cpu") -> float:
    """Parse a CPU quantity (``2``, ``0.5``, ``"500m"``, ``"2"``) into cores."""
    if isinstance(value, bool):
        raise ConfigError(f"{what} must be a number of cores like 2, 0.5 or '500m', got {value!r}")
    if isinstance(value, (int, float)):
        if not is_finite_number(value):
            raise ConfigError(f"{what} must be a finite number of cores like 2, 0.5 or '500m', got {value!r}")
        cores = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+m\s*", value):
        cores = int(value.strip()[:-1]) / 1000
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        cores = float(value)
    else:
        raise ConfigError(f"{what} must be a number of cores like 2, 0.5 or '500m', got {value!r}")
    if cores <= 0:
        raise ConfigError(f"{what} must be more than 0 cores, got {value!r}; write e.g. 1 or '500m'")
    if cores * 1e9 > _MAX_BYTES:  # docker counts nano-cores in 64 bits
        raise ConfigError(f"{what} must be at most 9e9 cores, got {value!r}; write e.g. 4")
    return cores


@dataclass(frozen=True)
class Resources:
    """What each action of an environment may use. A pair ``(request, limit)`` is accepted.

    ``Resources(cpu=2, memory="4Gi")``. Limits are enforced by the docker backend; on Dask
    the requests reserve worker resources (when the workers declare them); the embedded
    local backend records them only.

    ``gpu`` is a count (``gpu=1``), an accelerator string (``"T4:1"``, ``"A100:2"``) or a
    :class:`~flyte_nb.Device` (``flyte.GPU("A100", 2)``, ``flyte.TPU("V5P")``). On docker a GPU
    becomes a device request and ``shm`` the container's ``/dev/shm`` size (``"auto"``: the
    host's); on Dask an accelerator becomes a worker resource request (``{"GPU": n}``).
    """

    cpu: int | float | str | tuple[int | float | str, int | float | str] | None = None
    memory: str | int | tuple[str | int, str | int] | None = None
    gpu: int | str | Device | None = None
    disk: str | None = None
    shm: str | None = None

    def __post_init__(self) -> None:
        cpus = [cpu_count(value, "Resources.cpu") for value in _pair(self.cpu, "cpu")]
        memories = [memory_bytes(value, "Resources.memory") for value in _pair(self.memory, "memory")]
        for what, values, example in (("cpu", cpus, "(1, 2)"), ("memory", memories, "('1Gi', '2Gi')")):
            if len(values) == 2 and values[0] > values[1]:
                raise ConfigError(
                    f"Resources.{what} request {getattr(self, what)[0]!r} is more than its limit "
                    f"{getattr(self, what)[1]!r}; a pair is (request, limit), e.g. {what}={example}"
                )
        if self.disk is not None:
            memory_bytes(self.disk, "Resources.disk")
        if self.shm is not None and self.shm != "auto":
            memory_bytes(self.shm, "Resources.shm")
        device_of(self.gpu)  # a count, an accelerator string or a Device, checked

    def get_device(self) -> Device | None:
        """The accelerator asked for, as a :class:`~flyte_nb.Device` (None for none or ``gpu=0``)."""
        return device_of(self.gpu)

    def get_shared_memory(self) -> str | None:
        """The ``/dev/shm`` size asked for (``""`` for ``"auto"``), as the SDK gives it."""
        if self.shm is None:
            return None
        return "" if self.shm == "auto" else self.shm

    @property
    def cpu_request(self) -> float | None:
        """Cores an action reserves where it is scheduled (the request of a pair)."""
        values = _pair(self.cpu)
        return cpu_count(values[0]) if values else None

    @property
    def memory_request(self) -> int | None:
        """Bytes an action reserves where it is scheduled (the request of a pair)."""
        values = _pair(self.memory)
        return memory_bytes(values[0]) if values else None

    @property
    def cpu_limit(self) -> float | None:
        """Cores an action may use at most (the limit of a pair)."""
        values = _pair(self.cpu)
        return cpu_count(values[-1]) if values else None

    @property
    def memory_limit(self) -> int | None:
        """Bytes an action may use at most (the limit of a pair)."""
        values = _pair(self.memory)
        return memory_bytes(values[-1]) if values else None


def _pair(value: object, what: str = "resource") -> tuple:
    if value is None:
        return ()
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ConfigError(f"Resources.{what} pair must be (request, limit), got {value!r}")
        return value
    return (value,)


@dataclass
class ReusePolicy:
    """Keep warm worker containers and send actions to them instead of starting one each.

    ``replicas`` is a fixed count or an autoscaling range ``(min, max)``; ``concurrency`` is
    how many actions one replica runs at once. ``idle_ttl`` shuts the whole pool down after
    that long without work, ``scaledown_ttl`` removes a single idle replica. Durations are
    seconds or ``timedelta``.
    """

    replicas: int | tuple[int, int] = 2
    idle_ttl: Duration = 30
    concurrency: int = 1
    scaledown_ttl: Duration = 30
    scope: Literal["global", "run"] = "global"

    def __post_init__(self) -> None:
        replicas = self.replicas
        if is_int(replicas):
            replicas = (replicas, replicas)
        if not (isinstance(replicas, tuple) and len(replicas) == 2 and all(is_int(v) for v in replicas)):
            raise ConfigError(
                f"ReusePolicy.replicas must be an int or a (min, max) pair of ints, got {self.replicas!r}"
            )
        low, high = replicas
        if low < 0 or high < 1 or low > high:
            raise ConfigError(f"ReusePolicy.replicas must satisfy 0 <= min <= max and max >= 1, got {self.replicas!r}")
        self.replicas = (low, high)
        if not is_int_at_least(self.concurrency, 1):
            raise ConfigError(f"ReusePolicy.concurrency must be an int >= 1, got {self.concurrency!r}")
        if self.scope not in ("global", "run"):
            raise ConfigError(f"ReusePolicy.scope must be 'global' or 'run', got {self.scope!r}")
        for name in ("idle_ttl", "scaledown_ttl"):
            secs = seconds_of(getattr(self, name), f"ReusePolicy.{name}")
            setattr(self, name, timedelta(seconds=secs or 0))

    @property
    def min_replicas(self) -> int:
        return cast("tuple[int, int]", self.replicas)[0]  # __post_init__ made it a pair

    @property
    def max_replicas(self) -> int:
        return cast("tuple[int, int]", self.replicas)[1]  # __post_init__ made it a pair

    @property
    def capacity(self) -> int:
        """Actions the pool can run at once at full scale: ``max_replicas * concurrency``."""
        return self.max_replicas * self.concurrency


@dataclass(frozen=True)
class Backoff:
    """Exponential pacing between retries: the n-th retry (0-based) waits
    ``min(base * factor**n, cap)``."""

    base: timedelta = timedelta(seconds=0.1)
    factor: float = 2.0
    cap: timedelta | None = timedelta(seconds=10)

    def __post_init__(self) -> None:
        if not isinstance(self.base, timedelta) or self.base < timedelta(0):
            raise ConfigError(f"Backoff.base must be a timedelta >= 0, got {self.base!r}")
        if not is_finite_number(self.factor) or self.factor < 1:
            raise ConfigError(f"Backoff.factor must be a finite number >= 1, got {self.factor!r}")
        if self.cap is not None and (not isinstance(self.cap, timedelta) or self.cap < timedelta(0)):
            raise ConfigError(f"Backoff.cap must be a timedelta >= 0 or None, got {self.cap!r}")
        if self.factor > 1 and self.cap is None:
            raise ConfigError("Backoff.cap is required when factor > 1, so delays cannot grow without bound")

    def delay(self, n: int) -> float:
        """Seconds to wait before retry number ``n`` (0-based)."""
        base = self.base.total_seconds()
        cap = self.cap.total_seconds() if self.cap is not None else math.inf
        try:
            return min(base * self.factor**n, cap)
        except OverflowError:
            return cap


#: Pacing used when ``retries=`` is a plain count: 0.1 s, 0.2 s, 0.4 s, ... capped at 10 s.
DEFAULT_BACKOFF = Backoff()


@dataclass
class RetryStrategy:
    """How often to retry a failed action, and how to pace it.

    ``retries=3`` on a task means ``RetryStrategy(3, backoff=DEFAULT_BACKOFF)``; an explicit
    ``RetryStrategy(count)`` without ``backoff`` retries back to back, as Flyte does.
    """

    count: int
    backoff: Backoff | None = None

    def __post_init__(self) -> None:
        if not is_int_at_least(self.count, 0):
            raise ConfigError(f"RetryStrategy.count must be an int >= 0, got {self.count!r}")
        if self.backoff is not None and not isinstance(self.backoff, Backoff):
            raise ConfigError(
                f"RetryStrategy.backoff must be a flyte.Backoff or None, got {self.backoff!r}; "
                "write e.g. RetryStrategy(3, backoff=flyte.Backoff(timedelta(seconds=1)))"
            )

    @classmethod
    def of(cls, value: int | RetryStrategy | None) -> RetryStrategy:
        if value is None:
            return cls(0)
        if isinstance(value, RetryStrategy):
            return value
        if is_int(value):
            return cls(value, backoff=DEFAULT_BACKOFF if value else None)
        raise ConfigError(f"retries must be an int >= 0 or a flyte.RetryStrategy, got {value!r}")


@dataclass
class Timeout:
    """Wall-clock bounds of an action; each is seconds or a timedelta, None/0 meaning none.

    ``max_runtime`` bounds each attempt while it runs, ``max_queued_time`` each wait for a
    slot, and ``deadline`` the whole action across all attempts. A plain number or timedelta
    given as a task's ``timeout=`` is its ``max_runtime``.
    """

    max_runtime: Duration | None = None
    max_queued_time: Duration | None = None
    deadline: Duration | None = None

    def __post_init__(self) -> None:
        self.max_runtime = seconds_of(self.max_runtime, "Timeout.max_runtime")
        self.max_queued_time = seconds_of(self.max_queued_time, "Timeout.max_queued_time")
        self.deadline = seconds_of(self.deadline, "Timeout.deadline")

    @classmethod
    def of(cls, value: Duration | Timeout | None) -> Timeout:
        if isinstance(value, Timeout):
            return value
        if value is None or (isinstance(value, (int, float, timedelta)) and not isinstance(value, bool)):
            return cls(max_runtime=value)
        raise ConfigError(f"timeout must be seconds, a timedelta or a flyte.Timeout, got {value!r}")

    @property
    def is_set(self) -> bool:
        return bool(self.max_runtime or self.max_queued_time or self.deadline)


CACHE_BEHAVIOURS = ("auto", "override", "disable")
#: spellings the Flyte SDK also accepts for a behaviour (``cache="on"``, ``Cache("off")``)
_BEHAVIOUR_ALIASES: dict[str, str] = {
    "enable": "auto",
    "enabled": "auto",
    "on": "auto",
    "true": "auto",
    "yes": "auto",
    "off": "disable",
    "false": "disable",
    "no": "disable",
    "none": "disable",
}


@dataclass(frozen=True)
class VersionParameters:
    """What a :class:`CachePolicy` is given to compute a version: the task's function
    (``image`` and ``code_bundle`` are always None locally)."""

    func: Callable[..., Any] | None
    image: Any = None
    code_bundle: Any = None


@runtime_checkable
class CachePolicy(Protocol):
    """A custom cache version strategy, as in the Flyte SDK: implement
    ``get_version(salt, params) -> str`` (``params.func`` is the task's function) and pass it
    as ``flyte.Cache("auto", policies=[MyPolicy()])``. The versions of all policies replace
    the hash of the task's source in the cache key."""

    def get_version(self, salt: str, params: VersionParameters) -> str: ...


@dataclass(frozen=True, init=False)
class Cache:
    """Cache settings of a task, with the Flyte SDK's constructor.

    ``behavior`` is ``"auto"`` (key from the task's source, or its ``policies``, and inputs),
    ``"override"`` (key from ``version_override``) or ``"disable"``. ``version_override``
    replaces the computed version, ``ignored_inputs`` names inputs left out of the key,
    ``salt`` goes into the key, ``max_age`` (timedelta or seconds; 0 or None: no limit)
    makes older entries a miss, and ``serialize=True`` runs concurrent identical calls of
    one run once (the others wait for its result). ``version=`` and ``ignore=`` are older
    spellings of ``version_override=`` and ``ignored_inputs=``.
    """

    behavior: Literal["auto", "override", "disable"]
    version_override: str | None
    serialize: bool
    ignored_inputs: tuple[str, ...]
    salt: str
    policies: tuple[CachePolicy, ...] | None
    max_age: timedelta | None

    def __init__(
        self,
        behavior: Literal["auto", "override", "disable"],
        version_override: str | None = None,
        serialize: bool = False,
        ignored_inputs: tuple[str, ...] | str = (),
        salt: str = "",
        policies: list[CachePolicy] | CachePolicy | None = None,
        max_age: timedelta | int | None = None,
        *,
        version: str | None = None,
        ignore: tuple[str, ...] | str | None = None,
    ) -> None:
        if version is not None:
            if version_override is not None and version_override != version:
                raise ConfigError("Cache got both version_override= and version= (its older name); give one")
            version_override = version
        if ignore is not None:
            if ignored_inputs and tuple(_names(ignored_inputs)) != tuple(_names(ignore)):
                raise ConfigError("Cache got both ignored_inputs= and ignore= (its older name); give one")
            ignored_inputs = ignore
        if isinstance(behavior, str) and behavior not in CACHE_BEHAVIOURS:
            behavior = cast(
                'Literal["auto", "override", "disable"]', _BEHAVIOUR_ALIASES.get(behavior.lower(), behavior)
            )
        if behavior not in CACHE_BEHAVIOURS:
            raise ConfigError(f"Cache.behavior must be one of {CACHE_BEHAVIOURS}, got {behavior!r}")
        if version_override is not None and not isinstance(version_override, str):
            raise ConfigError(
                f"Cache.version_override must be a str, got {version_override!r}; write e.g. version_override='v1'"
            )
        if behavior == "override" and not version_override:
            raise ConfigError("Cache(behavior='override') needs a version_override=... to key the cache on")
        if not isinstance(serialize, bool):
            raise ConfigError(f"Cache.serialize must be True or False, got {serialize!r}")
        if not isinstance(salt, str):
            raise ConfigError(f"Cache.salt must be a str, got {salt!r}; write e.g. salt='2026-12'")
        if isinstance(max_age, bool) or (max_age is not None and not isinstance(max_age, (int, timedelta))):
            # the SDK's error type for this mistake
            raise TypeError(f"Cache.max_age must be an int (seconds), a timedelta or None, got {max_age!r}")
        age = timedelta(seconds=max_age) if isinstance(max_age, int) else max_age
        if age is not None and age < timedelta(0):
            raise ConfigError(f"Cache.max_age must be >= 0, got {max_age!r}; 0 or None means no limit")
        object.__setattr__(self, "behavior", behavior)
        object.__setattr__(self, "version_override", version_override)
        object.__setattr__(self, "serialize", serialize)
        object.__setattr__(self, "ignored_inputs", _names(ignored_inputs))
        object.__setattr__(self, "salt", salt)
        object.__setattr__(self, "policies", _policies(policies))
        object.__setattr__(self, "max_age", age or None)

    @property
    def version(self) -> str | None:
        """The older name of ``version_override``."""
        return self.version_override

    @property
    def ignore(self) -> tuple[str, ...]:
        """The older name of ``ignored_inputs``."""
        return self.ignored_inputs

    def get_ignored_inputs(self) -> tuple[str, ...]:
        """The inputs left out of the cache key (the SDK's accessor)."""
        return self.ignored_inputs

    def is_enabled(self) -> bool:
        """Whether calls are cached (the SDK's accessor)."""
        return self.enabled

    def version_of(self, func: Callable[..., Any]) -> str | None:
        """The version in the cache key: ``version_override``, else the hash of the
        ``policies``' versions (called like the SDK calls them), else None (the key then
        uses the hash of the task's source)."""
        if self.version_override is not None:
            return self.version_override
        if not self.policies:
            return None
        params = VersionParameters(func=func)
        versions = ""
        for policy in self.policies:
            try:
                versions += policy.get_version(self.salt, params)
            except Exception as exc:
                raise ConfigError(f"Failed to generate version for cache policy {policy!r}: {exc}") from exc
        return hashlib.sha256(versions.encode()).hexdigest()

    @classmethod
    def of(cls, value: str | bool | Cache | None) -> Cache | None:
        """Normalise the ``cache=`` argument of environments and tasks (None: inherit)."""
        if value is None or isinstance(value, Cache):
            return value
        if value is True:
            return cls("auto")
        if value is False:
            return cls("disable")
        if isinstance(value, str) and _BEHAVIOUR_ALIASES.get(value.lower(), value) in ("auto", "disable"):
            return cls(cast('Literal["auto", "disable"]', _BEHAVIOUR_ALIASES.get(value.lower(), value)))
        if value == "override":
            raise ConfigError(
                "cache='override' needs a version: write cache=flyte.Cache('override', version_override='v1')"
            )
        raise ConfigError(f"cache must be 'auto', 'disable', True/False or flyte.Cache(...), got {value!r}")

    @property
    def enabled(self) -> bool:
        return self.behavior != "disable"


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    names = _iterable(value)
    if not all(isinstance(name, str) for name in names):
        raise ConfigError(
            f"Cache.ignored_inputs must be an input name or a tuple of them (str), got {value!r}; "
            "write e.g. ignored_inputs=('verbose',)"
        )
    return cast("tuple[str, ...]", names)


def _policies(value: object) -> tuple[CachePolicy, ...] | None:
    if value is None:
        return None
    policies = (value,) if isinstance(value, CachePolicy) else _iterable(value)
    for policy in policies:
        if not isinstance(policy, CachePolicy):
            raise ConfigError(
                f"Cache.policies must be a flyte.CachePolicy (an object with get_version(salt, params)) or a list "
                f"of them, got {policy!r}"
            )
    return cast("tuple[CachePolicy, ...]", policies)


def _iterable(value: object) -> tuple[object, ...]:
    try:
        # any value is tried: one that is not iterable raises TypeError, handled below
        return tuple(value)  # type: ignore[arg-type]
    except TypeError:
        return (value,)  # not iterable: checked (and refused) as one item
