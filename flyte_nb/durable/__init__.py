"""``flyte.durable``: time functions that give the same answer when a run is run again.

``time()``, ``now()`` and ``sleep(seconds)`` are called like ``time.time()``,
``datetime.now()`` and ``time.sleep()`` (``await flyte.durable.sleep.aio(s)`` in async
code). Each is recorded as a trace step of the calling action, and its answer is
checkpointed: when a failed run is run again under the same name, a call that completed
returns the recorded time, and a sleep counts from when it first started (it returns at
once if that moment has passed), as in the Flyte 2 SDK.
"""

from ._time import now, sleep, time

__all__ = ["now", "sleep", "time"]
