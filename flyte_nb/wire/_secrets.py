"""A secret as an action receives it: its value and where it appears (a variable, a file).

The executors build these per action from the run's values; they cross to a Dask worker
inside its job (never stored) and to a reusable worker over its pool's socket. A one-shot
container gets them at its creation instead (environment, read-only bind mounts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SecretDelivery:
    """One secret's value and where an action sees it: the variable ``env`` and/or the file
    ``file`` (relative to the mount folder)."""

    env: str | None
    file: str | None
    value: str = ""

    def __repr__(self) -> str:  # never the value
        return f"SecretDelivery(env={self.env!r}, file={self.file!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"env": self.env, "file": self.file, "value": self.value}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SecretDelivery:
        return cls(raw.get("env"), raw.get("file"), str(raw.get("value", "")))
