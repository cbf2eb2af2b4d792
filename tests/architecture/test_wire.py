"""Each message that crosses a process boundary has one definition, in ``flyte_nb/wire/``.

Every message round-trips through its ``to_dict``/``from_dict`` pair and the pickle the
framing sends (or the store holds), and no module at either end of the wire (the runtime,
the executors, the orchestrator) spells a message's keys itself: they build and read the
messages through the dataclasses.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path
from typing import Any

import pytest

from flyte_nb._runtime._failures import error_of, failure
from flyte_nb.errors import RemoteTaskError
from flyte_nb.wire._calls import (
    CallAnswer,
    Gauge,
    GroupSpec,
    MalformedCallError,
    SemaphoresUpdate,
    SubmitCall,
    TracesUpdate,
    parse_call,
)
from flyte_nb.wire._job import CallbackAddress, Job
from flyte_nb.wire._outcome import Failure, Outcome
from flyte_nb.wire._pool import CancelJob, JobDone, RunJob, parse_order
from flyte_nb.wire._secrets import SecretDelivery

PACKAGE = Path(__file__).resolve().parents[2] / "flyte_nb"
#: the ends of the wire: the code run in containers and workers, the executors, and any other
#: module that imports ``flyte_nb.wire`` (wherever the callback server lives)
ENDS = ("_runtime", "executors")
#: dicts at the ends that are no wire message (path under flyte_nb/ -> keys they may spell)
NOT_MESSAGES = {
    "executors/_transfer.py": {"u", "d"},  # ActionSpec.timings, read by the controller
    "executors/docker/_engine.py": {"id"},  # the Docker engine's events
    "executors/docker/_images.py": {"error"},  # the Docker engine's build stream
}

CALLBACK = CallbackAddress("/run/cb.sock", "0-abc", "run-1", 3, "a/b", secret="ff")
FAILURE = Failure("ValueError", "bad", "Traceback ...", b"pickled")
MESSAGES: list[Any] = [
    CALLBACK,
    CallbackAddress("tcp://[::1]:80", "1-def", "run-2", 0),
    Job(b"func", "task", [b"arg"], {"x": b"kw"}, 1024, {"f:1:ab": "cell.py"}, CALLBACK),
    Job(b"func", "task", [], {}, 10),
    Job(
        b"func", "task", [], {}, 10, secrets=[SecretDelivery("API_TOKEN", None, "v"), SecretDelivery(None, "g/k", "w")]
    ),
    SecretDelivery("API_TOKEN", "g/k", "v"),
    FAILURE,
    GroupSpec("k", "map", "fanout", 4, 10),
    SubmitCall(7, "0-abc", 3, b"task", [b"a"], {"b": b"b"}, GroupSpec("g", "group", "named")),
    SubmitCall(8, "0-abc", 3, b"task", [], {}),
    SemaphoresUpdate("0-abc", 3, [Gauge(0, ("cell.py", 4, "main"), 2, 1, 5)]),
    TracesUpdate("0-abc", 3, b"traces"),
    CallAnswer(7, True, b"payload"),
    CallAnswer(8, False, failure=FAILURE),
    JobDone("runs/r/job", "printed\n"),
]
OUTCOMES = [
    Outcome(True, b"payload", downloaded_s=0.5, uploaded_s=0.25, runtime_s=1.0),
    Outcome(True, b"payload", traces=b"steps", runtime_s=2.0),
    Outcome.failed(FAILURE, runtime_s=0.1),
    Outcome.failed(Failure("CancelledError", ""), cancelled=True, logs="started\n"),
]


def _over_the_wire(raw: dict[str, Any]) -> dict[str, Any]:
    return pickle.loads(pickle.dumps(raw))


@pytest.mark.parametrize("message", MESSAGES + OUTCOMES, ids=lambda m: type(m).__name__)
def test_each_message_round_trips(message: Any) -> None:
    assert type(message).from_dict(_over_the_wire(message.to_dict())) == message


@pytest.mark.parametrize("call", [m for m in MESSAGES if isinstance(m, (SubmitCall, SemaphoresUpdate, TracesUpdate))])
def test_a_call_is_read_back_as_its_own_kind(call: Any) -> None:
    assert parse_call(_over_the_wire(call.to_dict())) == call


def test_a_malformed_call_says_whom_it_came_from_and_what_to_answer() -> None:
    with pytest.raises(MalformedCallError) as bad:
        parse_call({"id": 2, "op": "submit", "run": "0-abc"})
    assert (bad.value.run, bad.value.reply_to) == ("0-abc", 2)
    with pytest.raises(MalformedCallError):
        parse_call({"op": "dance", "run": "0-abc"})


def test_pool_orders_round_trip() -> None:
    secrets = (SecretDelivery("API_TOKEN", None, "v"),)
    orders = (RunJob("runs/r/job", "seal", "ff"), RunJob("runs/r/job", "seal", "ff", secrets), RunJob("runs/r/job"))
    for order in (*orders, CancelJob("runs/r/job")):
        assert parse_order(_over_the_wire(order.to_dict())) == order
    assert parse_order({}) is None


def test_a_failure_raises_again_as_itself_or_as_a_remote_task_error() -> None:
    try:
        raise KeyError("missing")
    except KeyError as exc:
        sent = Failure.from_dict(_over_the_wire(failure(exc).to_dict()))
    again = error_of(sent, "its container")
    assert isinstance(again, KeyError) and "KeyError" in again.__flyte_remote_traceback__  # type: ignore[attr-defined]
    lost = error_of(Failure("Odd", "cannot unpickle", "tb", b"not a pickle"), "its container")
    assert isinstance(lost, RemoteTaskError) and lost.error_type == "Odd"


def _message_keys() -> set[str]:
    keys: set[str] = set()
    for message in MESSAGES + OUTCOMES + [RunJob("k", "s", "x"), CancelJob("k")]:
        keys.update(message.to_dict())
    return keys


def _spelled(tree: ast.AST, keys: set[str]) -> list[tuple[int, str]]:
    """Where ``tree`` spells one of ``keys``: a dict literal's key, ``x["key"]``,
    ``x.get("key")``/``pop``/``setdefault``, ``x.update(key=...)``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[Any] = []
        if isinstance(node, ast.Dict):
            names = [k.value for k in node.keys if isinstance(k, ast.Constant)]
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            names = [node.slice.value]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "pop", "setdefault") and node.args and isinstance(node.args[0], ast.Constant):
                names = [node.args[0].value]
            elif node.func.attr == "update":
                names = [k.arg for k in node.keywords]
        found += [(node.lineno, name) for name in names if isinstance(name, str) and name in keys]
    return found


def _imports_wire(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            if (parts[:1] == ["wire"] and node.level > 0) or parts[:2] == ["flyte_nb", "wire"]:
                return True
    return False


def test_no_module_at_the_ends_of_the_wire_spells_a_message_key() -> None:
    keys = _message_keys()
    assert {"func", "payload", "op", "gauges", "traceback", "done", "inline_limit"} <= keys
    spelled = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text())
        if name.startswith("wire/") or not (name.startswith(ENDS) or _imports_wire(tree)):
            continue
        mine = keys - NOT_MESSAGES.get(name, set())
        spelled += [f"{name}:{line} {key!r}" for line, key in _spelled(tree, mine)]
    assert spelled == [], "build and read wire messages with flyte_nb/wire/'s dataclasses"


def test_the_check_sees_a_message_spelled_by_hand() -> None:
    tree = ast.parse('send(w, {"op": "traces", "run": t}); outcome["payload"]; m.get("done")')
    assert {key for _, key in _spelled(tree, _message_keys())} == {"op", "run", "payload", "done"}
