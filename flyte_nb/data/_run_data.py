"""A run's data services: the store, cache lookups and writes, trace checkpoints.

Kept apart from the Controller, which only asks two questions of it: "is this call
cached?" before running an action and "remember this output" after. Store I/O runs in a
thread (the loop never waits on a disk or a network), except for ``memory://``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import CacheUntrustedWarning, ConfigError, StoreIntegrityError
from . import _cache as cache
from . import _layout as layout
from ._codec import digest, dumps, loads
from ._store import Store

if TYPE_CHECKING:
    from ..model._secret import SecretValues
    from ..model._task import TaskTemplate

T = TypeVar("T")

#: Cache modes of a run: use entries, ignore them but write new ones, or neither.
CACHE_USE, CACHE_OVERWRITE, CACHE_OFF = "use", "overwrite", "off"


class CacheWriteWarning(UserWarning):
    """An output could not be cached (it does not pickle, or the store refused it)."""


class RunData:
    """The store of one run and how the run uses its cache."""

    def __init__(
        self,
        store: Store,
        run: str,
        *,
        cache_mode: str = CACHE_USE,
        max_io_bytes: int | None = None,
        env_vars: dict[str, str] | None = None,
        secrets: SecretValues | None = None,
        max_kept_bytes: int | None = None,
    ):
        self.store = store
        self.run = run
        #: environment variables of the run (with_runcontext(env_vars=...)) for actions in containers
        self.env_vars = dict(env_vars or {})
        #: the run's secret values (never pickled, never stored): executors deliver them per action
        self.secrets = secrets
        self.cache_mode = cache_mode
        self.max_io_bytes = max_io_bytes
        #: the most bytes (pickled) of one value :meth:`persist_values` keeps (None: no cap)
        self.max_kept_bytes = max_kept_bytes
        #: the cache entries (store keys) this run wrote, and those it found and used
        self.cache_written: set[str] = set()
        self.cache_hit: set[str] = set()

    # ------------------------------------------------------------------ flyte.ctx()
    def task_paths(self, action: int, attempt: int) -> dict[str, str]:
        """What ``flyte.ctx()`` shows an attempt of the run: the folders ``raw_data``,
        ``run_base`` and ``output``, and the objects ``checkpoint`` and (after the first
        attempt) ``prev_checkpoint``; paths on a local store, URLs on any other."""
        where = self.store.path if self.store.is_local else self.store.url_of
        paths = {
            "raw_data": where(layout.run_folder(self.run, layout.FILES)),
            "run_base": where(layout.run_root(self.run)),
            "output": where(layout.action_folder(self.run, action)),
            "checkpoint": where(layout.checkpoint_key(self.run, action, attempt)),
        }
        if attempt > 1:
            paths["prev_checkpoint"] = where(layout.checkpoint_key(self.run, action, attempt - 1))
        return paths

    # ------------------------------------------------------------------ cache
    def cache_key(self, task: TaskTemplate[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        """The cache key of this call, or None when the task is not cached in this run."""
        policy = task.cache
        if self.cache_mode == CACHE_OFF or policy is None or not policy.enabled:
            return None
        try:
            return cache.cache_key(task, args, kwargs)
        except ConfigError:  # a CachePolicy that failed: the task's settings, not its inputs
            raise
        except (TypeError, ValueError, AttributeError) as exc:  # inputs that do not pickle
            name = _unpicklable_input(task, args, kwargs)
            which = f"input {name!r}" if name else "an input"
            fix = (
                f"cache=flyte.Cache('auto', ignored_inputs=({name!r},))"
                if name
                else "cache=flyte.Cache('auto', ignored_inputs=...)"
            )
            warnings.warn(
                f"{task.name}: not cached: {which} cannot be pickled to make the cache key "
                f"({type(exc).__name__}: {exc}); leave it out of the key with {fix}, or pass a value that pickles",
                CacheWriteWarning,
                stacklevel=2,
            )
            return None

    async def cached(self, key: str, task: TaskTemplate[Any, Any]) -> Any:
        """The cached output at ``key`` or ``MISS`` (always a miss when overwriting, and
        for an entry older than the task's ``Cache(max_age=...)``)."""
        if self.cache_mode != CACHE_USE:
            return cache._MISS
        max_age = task.cache.max_age if task.cache is not None else None
        value = await self.store.io(cache.lookup, self.store, key, max_age)
        if not cache.is_miss(value):
            self.cache_hit.add(key)
        return value

    async def remember(self, key: str, value: Any, task: TaskTemplate[Any, Any]) -> None:
        try:
            await self.store.io(cache.write, self.store, key, value)
            self.cache_written.add(key)
        except (TypeError, ValueError, AttributeError) as exc:
            warnings.warn(
                f"{task.name}: not cached: its return value cannot be pickled ({type(exc).__name__}: {exc}); "
                "return a value that pickles, or set cache='disable' on the task",
                CacheWriteWarning,
                stacklevel=2,
            )
        except OSError as exc:
            warnings.warn(
                f"{task.name}: return value not cached: the store refused it ({exc})", CacheWriteWarning, stacklevel=2
            )

    @staticmethod
    def is_miss(value: Any) -> bool:
        return cache.is_miss(value)

    def cache_use(self) -> dict[str, list[str]]:
        """The cache entries the run wrote (``written``) and found (``hit``), as keys under
        ``cache/``, sorted: what ``runs/<run>/cache.json`` keeps so that ``flyte-nb clean
        --older-than`` knows an entry a remaining run used."""
        under = len(layout.CACHE) + 1
        return {
            "written": sorted(key[under:] for key in self.cache_written),
            "hit": sorted(key[under:] for key in self.cache_hit),
        }

    # ------------------------------------------------------------------ trace checkpoints
    def checkpoint_key(self, action_path: str, name: str, call: int, inputs: dict[str, Any]) -> str | None:
        try:
            inputs_hash = digest(dumps(sorted(inputs.items())))[:16]
        except (TypeError, ValueError, AttributeError):
            return None
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return layout.trace_key(self.run, action_path, safe, call, inputs_hash)

    async def restore(self, key: str) -> tuple[bool, Any]:
        """(True, output) when a checkpoint exists at ``key``; one whose seal does not hold
        is a miss with a warning (never unpickled), and the traced call runs again."""
        try:
            data = await self.store.io(self.store.get_sealed, key)
        except FileNotFoundError:
            return False, None
        except StoreIntegrityError:
            warnings.warn(
                f"trace checkpoint {self.store.url_of(key)} was not written by this user's flyte_nb (no valid seal "
                "of the store key), so it was not unpickled; running the traced call again",
                CacheUntrustedWarning,
                stacklevel=2,
            )
            return False, None
        try:
            return True, loads(data)
        except Exception:
            return False, None

    async def checkpoint(self, key: str, value: Any) -> None:
        try:
            data = dumps(value)
            await self.store.io(self.store.put_sealed, key, data)
        except (TypeError, ValueError, AttributeError):
            return  # an output that does not pickle (or that this process may not seal) is not checkpointed

    # ------------------------------------------------------------------ the run's record
    async def persist(self, files: Mapping[str, bytes | Iterable[bytes]]) -> None:
        """Write the ended run's record (``orchestrator``'s ``run_files``: ``run.json``, one text
        file per failed action and per action that printed), by store key."""
        try:
            await self.store.io(self._put_all, files)
        except OSError as exc:  # the run's outcome stands; only its record is missing
            warnings.warn(f"run {self.run}: could not write its record to {self.store.url}: {exc}", stacklevel=2)

    async def persist_values(self, values: dict[str, Any]) -> dict[str, int]:
        """Pickle and seal each value at its key (the entry action's inputs and outputs, for
        ``flyte.remote.Run``); a value that does not pickle is left out, never the run, and so
        is one above ``max_kept_bytes``: its key and size are returned."""
        too_big: dict[str, int] = {}
        for key, value in values.items():
            try:
                data = dumps(value)
            except Exception:  # whatever pickling raises (a lock, a socket): left out, the run stands
                continue
            if self.max_kept_bytes is not None and len(data) > self.max_kept_bytes:
                too_big[key] = len(data)
                continue
            try:
                await self.store.io(self.store.put_sealed, key, data)
            except OSError as exc:
                warnings.warn(f"run {self.run}: could not write {self.store.url_of(key)}: {exc}", stacklevel=2)
        return too_big

    def _put_all(self, files: Mapping[str, bytes | Iterable[bytes]]) -> None:
        for key, data in files.items():
            self.store.put(key, data)


def _unpicklable_input(task: TaskTemplate[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The name of the first argument of this call that does not pickle, if one does not."""
    try:
        bound = task.signature.bind(*args, **kwargs)
    except TypeError:
        return None
    for name, value in bound.arguments.items():
        try:
            dumps(value)
        except Exception:  # whatever pickling raises: this is the culprit
            return name
    return None
