"""What the kernel tells a container through its environment, and how a container says it
ended because its kernel went away.

A one-shot container gets where the kernel's callback server listens, its run's token and
the run's secret (its lifeline and its task calls use them: ``_runtime/_lifeline.py``); a
reusable worker gets its own secret for the pool's socket (``_runtime/worker.py``). The
runtime removes the secrets from its environment once read, so the task's own subprocesses
do not inherit them.
"""

from __future__ import annotations

SOCKET_ENV = "FLYTE_NB_CALLBACK_SOCKET"
TOKEN_ENV = "FLYTE_NB_CALLBACK_TOKEN"
SECRET_ENV = "FLYTE_NB_CALLBACK_SECRET"
#: a reusable worker's own secret, for the handshake on its pool's socket
POOL_SECRET_ENV = "FLYTE_NB_POOL_SECRET"
#: the exit code of a container whose kernel went away (EX_TEMPFAIL)
EXIT_KERNEL_GONE = 75
