"""Moving an action's inputs and outputs through the data layer, and timing it.

This is the 2u + 2d of the overhead model (2u + 2d + e + t): the parent uploads the inputs (u), the action downloads
them (d), uploads its output (u), and the parent downloads that (d). Each value is encoded
on its own, so a value over the hard limit is reported with the task and argument it
belongs to. Executors that run actions outside the kernel use these functions; the
embedded local backend uses them only when asked to (``local: {copy_io: true}``), to
measure or to check that a workflow's data survives the trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..data import _layout as layout
from ..data._codec import Payload, Transfer, decode, decode_inputs, encode

if TYPE_CHECKING:
    from ..data._run_data import RunData
    from ._base import ActionSpec


@dataclass(slots=True)
class Shipment:
    """Encoded inputs of one attempt: a payload per argument."""

    args: list[Payload]
    kwargs: dict[str, Payload]
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Ledger:
    """What one attempt moved: seconds and bytes up (u) and down (d)."""

    up: Transfer = field(default_factory=Transfer)
    down: Transfer = field(default_factory=Transfer)

    def add_up(self, transfer: Transfer) -> None:
        self.up.bytes += transfer.bytes
        self.up.seconds += transfer.seconds

    def add_down(self, transfer: Transfer) -> None:
        self.down.bytes += transfer.bytes
        self.down.seconds += transfer.seconds

    def timings(self) -> dict[str, float]:
        """For ``ActionSpec.timings``: seconds in ``u``/``d``, bytes in ``u_bytes``/``d_bytes``."""
        return {"u": self.up.seconds, "d": self.down.seconds, "u_bytes": self.up.bytes, "d_bytes": self.down.bytes}


def ship_inputs(spec: ActionSpec, data: RunData, ledger: Ledger) -> Shipment:
    """Parent side: encode each argument (offloading large ones)."""
    task = spec.task
    names = list(task.signature.parameters)
    run, action, attempt = data.run, spec.action.id, spec.attempt
    args = []
    for position, value in enumerate(spec.args):
        name = names[position] if position < len(names) else f"arg{position}"
        args.append(_encode(value, spec, data, layout.input_key(run, action, attempt, name), f"input {name!r}", ledger))
    kwargs = {
        name: _encode(value, spec, data, layout.input_key(run, action, attempt, name), f"input {name!r}", ledger)
        for name, value in spec.kwargs.items()
    }
    return Shipment(args, kwargs, names)


def receive_inputs(shipment: Shipment, data: RunData, ledger: Ledger) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Action side: decode the arguments."""
    args, kwargs, transfer = decode_inputs(shipment.args, shipment.kwargs, data.store)
    ledger.add_down(transfer)
    return args, kwargs


def ship_output(value: Any, spec: ActionSpec, data: RunData, ledger: Ledger) -> Payload:
    """Action side: encode the output."""
    return _encode(value, spec, data, layout.output_key(data.run, spec.action.id, spec.attempt), "return value", ledger)


def receive_output(payload: Payload, data: RunData, ledger: Ledger) -> Any:
    """Parent side: decode the output."""
    value, transfer = decode(payload, data.store)
    ledger.add_down(transfer)
    return value


def _encode(value: Any, spec: ActionSpec, data: RunData, key: str, what: str, ledger: Ledger) -> Payload:
    payload, transfer = encode(
        value,
        store=data.store,
        key=key,
        inline_limit=spec.task.max_inline_io_bytes,
        hard_limit=data.max_io_bytes,
        what=what,
        task=spec.task.name,
    )
    ledger.add_up(transfer)
    return payload
