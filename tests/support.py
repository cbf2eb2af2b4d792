"""Measuring helpers shared by the test suites (importable as ``support``)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from flyte_nb.testing._suite import peak_overlap  # noqa: F401 - one definition, shared with the suite


class Gauge:
    """Counts how many bodies run at once, as the bodies themselves see it (``with gauge:``)."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.entered = 0

    def __enter__(self) -> Gauge:
        self.now += 1
        self.entered += 1
        self.peak = max(self.peak, self.now)
        return self

    def __exit__(self, *exc: object) -> None:
        self.now -= 1


class CountedAttempts:
    """A task of ``env`` that counts its attempts (``calls``) and fails as ``outcome`` says,
    and an entry task ``main`` that awaits it, so it runs as a child action (where retries
    and timeouts apply). ``outcome(n)`` is the exception attempt ``n`` raises, or None for
    the attempt to return ``n``; ``options`` are the task's (``retries=``, ``timeout=``).
    For in-process runs: both tasks join ``env``, and an environment travels to containers
    with all its tasks, which this module (not in the image) could not unpickle there."""

    def __init__(self, env: Any, outcome: Callable[[int], BaseException | None], **options: Any) -> None:
        self.calls = 0

        async def attempt() -> int:
            self.calls += 1
            error = outcome(self.calls)
            if error is not None:
                raise error
            return self.calls

        async def main() -> int:
            return await self.task()

        self.task = env.task(**options)(attempt)
        self.main = env.task(main)


class Heartbeat:
    """``async with Heartbeat(interval) as beat:`` counts how often the loop let it run
    (``beat.ticks``), to show that the loop stayed free meanwhile."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.ticks += 1

    async def __aenter__(self) -> Heartbeat:
        self._task = asyncio.create_task(self._beat())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def ended_run(task: Any, *args: Any, runner: Any = None, **kwargs: Any) -> Any:
    """Run ``task(*args, **kwargs)`` to its end and return its ``Run``, failed or not.

    ``flyte.run`` in a script raises a failed run's error, as the Flyte 2 SDK does; a test
    that looks at a failed run's records starts it on a loop instead (as a notebook cell
    does, ``runner``: a ``flyte.with_runcontext(...)``) and waits without raising."""
    import flyte_nb as flyte

    async def start_and_wait() -> Any:
        run = await (runner.aio if runner is not None else flyte.run.aio)(task, *args, **kwargs)
        await run.until_done()
        return run

    return asyncio.run(start_and_wait())


def in_ci() -> bool:
    """True under CI (CI=true), where a test that cannot run must fail instead of skipping."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_dask() -> None:
    """dask.distributed for the dask backend: a skip without it, a failure when CI=true."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        if in_ci():
            pytest.fail(f"CI=true needs dask.distributed for the dask backend: {exc}")
        pytest.skip(f"dask.distributed is not installed: {exc}")


def assert_runs_in_a_fresh_interpreter(code: str, timeout: float = 60) -> None:
    """Run ``code`` with ``python -c`` (nothing imported yet, unlike this test process) and
    fail the test with its stderr when it fails, e.g. on an ``assert`` about ``sys.modules``."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
