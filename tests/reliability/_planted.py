"""A pickle that runs code when loaded: it writes a marker file (what an attacker's would do
far worse). Planted in the store, it shows whether the kernel ever unpickled it."""

from __future__ import annotations

import pathlib
import pickle


class Planted:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (pathlib.Path.write_text, (pathlib.Path(self.marker), "the store ran this code"))


def planted(marker: str) -> bytes:
    """The bytes of a pickle that creates ``marker`` when unpickled."""
    return pickle.dumps(Planted(marker), protocol=5)


def check_it_runs(tmp: pathlib.Path) -> None:
    """The planted pickle does run code when loaded (so a missing marker means it was not loaded)."""
    probe = tmp / "probe-marker"
    pickle.loads(planted(str(probe)))
    assert probe.exists()
    probe.unlink()


def chain(exc: BaseException | None) -> list[BaseException]:
    """An exception and its causes and contexts."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen
