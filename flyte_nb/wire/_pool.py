"""Between a worker pool (``executors/docker/_pool.py``) and its reusable workers
(``_runtime/worker.py``), over the pool's authenticated unix socket:

- :class:`RunJob` → worker: run the job at ``key`` (in the store), sealed with the run's key
  ``seal`` (``Sealer.to_env``), its task calls proving the run's ``secret`` (hex): both travel
  over this socket, never through a file, and so do the action's ``secrets`` (their values);
- :class:`CancelJob` → worker: stop the job at ``key`` if it runs;
- :class:`JobDone` → pool: the job at ``key`` has left its outcome in the store; ``logs`` is
  what it printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._secrets import SecretDelivery


@dataclass(frozen=True, slots=True)
class RunJob:
    key: str
    seal: str | None = None
    secret: str = ""
    secrets: tuple[SecretDelivery, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"run": self.key, "seal": self.seal, "secret": self.secret}
        if self.secrets:
            out["secrets"] = [s.to_dict() for s in self.secrets]
        return out


@dataclass(frozen=True, slots=True)
class CancelJob:
    key: str

    def to_dict(self) -> dict[str, Any]:
        return {"cancel": self.key}


PoolOrder = RunJob | CancelJob


def parse_order(message: dict[str, Any]) -> PoolOrder | None:
    """What the pool asks of a worker (None: nothing this worker knows)."""
    if "run" in message:
        secrets = tuple(SecretDelivery.from_dict(s) for s in message.get("secrets") or ())
        return RunJob(message["run"], message.get("seal"), message.get("secret", ""), secrets)
    if "cancel" in message:
        return CancelJob(message["cancel"])
    return None


@dataclass(frozen=True, slots=True)
class JobDone:
    key: str
    logs: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"done": self.key, "logs": self.logs}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> JobDone:
        return cls(raw.get("done", ""), raw.get("logs", ""))
