"""Run one action inside a container and leave its outcome in the store.

``python -m flyte_nb._runtime <store-root> <job-key>``: the job (the task's function,
cloudpickled by value, and its inputs' payloads) is read from the store, run, and
``<job-key>.result`` receives the output's payload or the exception. The exit code is 0
whenever an outcome was written, so a non-zero exit means the container itself failed
(75: its kernel went away, see ``_lifeline.py``).
"""

from __future__ import annotations

import asyncio
import sys


def main(argv: list[str]) -> int:
    from flyte_nb._runtime._job import execute
    from flyte_nb._runtime._lifeline import hold, take_secret
    from flyte_nb.data._store import Store, default_storage_options

    root, job_key = argv
    secret = take_secret()
    if secret is not None:
        hold(secret)  # before anything slow: a dead kernel's container must not start work
    asyncio.run(execute(Store(root, **default_storage_options()), job_key, callback_secret=secret))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
