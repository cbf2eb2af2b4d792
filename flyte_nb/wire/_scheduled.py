"""Task calls carried through the Dask scheduler, for workers that cannot reach the kernel.

With ``dask: {callback: scheduler}`` a job's task calls (and its trace and semaphore
reports) are not sent over a socket to the kernel: the worker logs them as events on the
scheduler's :data:`CALLS_TOPIC` (``Worker.log_event``), the kernel's client subscribed to
that topic receives them, and the kernel's answers go back to that worker process with
``Client.run``. Both directions reuse the connections the cluster already has (worker to
scheduler, client to scheduler, scheduler to worker), so a gateway or Kubernetes cluster
whose workers cannot dial the kernel still works.

Anyone who can connect to the scheduler can log an event on any topic, and read the
topic's recent events back. So every message is an :func:`envelope` sealed with the run's
secret (the one the tcp handshake uses; it reaches a worker only inside its Dask job,
never through the store): ``HMAC-SHA256(secret, kind, token, job, peer, seq, worker,
stored key, sha256(body))``, where ``peer`` names one run of the job (Dask reruns a job
whose worker died: the rerun is a new peer, and the kernel stops hearing the old one).
The kernel opens an envelope (:func:`open_envelope`) only for a registered run whose
secret it checks in constant time, and only with a ``seq`` it has not yet taken from that
job (of an attempt still running), so a forged message is dropped and a recorded one cannot be replayed;
nothing is unpickled before. Answers are sealed the same way (kind ``answer``) and the
worker checks them before it unpickles them.

The scheduler keeps the last events of each topic (``distributed.admin.low-level-log-length``,
1,000 by default), so an envelope's body stays small: a message larger than
:data:`INLINE_BYTES` goes to the run's store and the envelope carries its key (the MAC
covers the stored bytes). The scheduler's memory for this topic is thus bounded by count
and size, whatever the calls carry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: the scheduler's event topic that carries task calls from workers to kernels
CALLS_TOPIC = "flyte_nb.calls"
#: the callback address of a job whose calls go through the scheduler
SCHEDULER_ADDRESS = "scheduler://"
#: the largest message body an envelope carries itself; larger ones go through the store
INLINE_BYTES = 32 * 1024
CALL = "call"
ANSWER = "answer"


@dataclass(frozen=True, slots=True)
class Opened:
    """An envelope whose seal held: who sent it and what it carries (a body, or its store key)."""

    token: str
    job: str
    peer: str
    seq: int
    worker: str
    body: bytes | None
    stored: str | None
    digest: bytes


def _mac(
    secret: bytes, kind: str, token: str, job: str, peer: str, seq: int, worker: str, stored: str, digest: bytes
) -> bytes:
    fields = (kind, token, job, peer, str(seq), worker, stored)
    return hmac.new(secret, b"\0".join([*(f.encode() for f in fields), digest]), hashlib.sha256).digest()


def envelope(
    secret: bytes,
    kind: str,
    token: str,
    job: str,
    peer: str,
    seq: int,
    body: bytes,
    *,
    worker: str = "",
    stored: str | None = None,
) -> dict[str, Any]:
    """A sealed message (plain types only: Dask's events must be msgpack-able). With
    ``stored`` the body lives in the store at that key and is left out of the envelope;
    the seal covers every field, the key and the body's digest included."""
    digest = hashlib.sha256(body).digest()
    return {
        "kind": kind,
        "token": token,
        "job": job,
        "peer": peer,
        "seq": seq,
        "worker": worker,
        "body": None if stored is not None else body,
        "stored": stored,
        "digest": digest,
        "mac": _mac(secret, kind, token, job, peer, seq, worker, stored or "", digest),
    }


def addressed_to(raw: Any) -> tuple[str, str]:
    """The run token and job an envelope says it is for (not checked: for routing only)."""
    if not isinstance(raw, dict):
        return "", ""
    return str(raw.get("token", "")), str(raw.get("job", ""))


def open_envelope(raw: Any, kind: str, secret_of: Callable[[str], bytes | None]) -> Opened | None:
    """The envelope's fields if it is well formed and sealed with its run's secret, else
    None. Nothing in it is acted on before: not even a stored body's key is read. A stored
    body, once fetched, is checked against the sealed digest (:func:`body_matches`)."""
    if not isinstance(raw, dict) or raw.get("kind") != kind:
        return None
    token, job, peer, seq = raw.get("token"), raw.get("job"), raw.get("peer"), raw.get("seq")
    worker = raw.get("worker", "")
    body, stored, digest, mac = raw.get("body"), raw.get("stored"), raw.get("digest"), raw.get("mac")
    if not (isinstance(token, str) and isinstance(job, str) and isinstance(peer, str) and isinstance(worker, str)):
        return None
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(mac, bytes) or not isinstance(digest, bytes):
        return None
    if (body is None) == (stored is None) or not isinstance(body, (bytes, type(None))):
        return None
    if not isinstance(stored, (str, type(None))):
        return None
    secret = secret_of(token)
    if secret is None:
        return None
    if not hmac.compare_digest(mac, _mac(secret, kind, token, job, peer, seq, worker, stored or "", digest)):
        return None
    if body is not None and hashlib.sha256(body).digest() != digest:
        return None
    return Opened(token, job, peer, seq, worker, body, stored, digest)


def body_matches(opened: Opened, body: bytes) -> bool:
    """Whether a body fetched from the store is the one its envelope was sealed over."""
    return hmac.compare_digest(hashlib.sha256(body).digest(), opened.digest)
