"""The Flyte 2 SDK's example programs, ported with only their imports changed, run with flyte_nb.

Each program in ``examples/`` (see ``port_examples.py``; ``examples.json`` lists them, and the ones
that cannot run here at all with the reason) runs in its own subprocess through ``harness.py``,
two at a time, and is compared with what the same program did with the SDK in its local mode
(``expected/*.json``, written once by ``record_sdk.py`` in a separate venv): every ``flyte.run``
gives the same outputs (``run.outputs()`` an ``ActionOutputs`` tuple, as the SDK's), a run that
failed with the SDK fails the same way, and the program prints the same lines outside its runs.
Run names, URLs, temporary paths, uuids and timings are normalised away; where the SDK's local
mode has a defect flyte_nb does not copy, ``examples.json`` says so under ``notes`` and the test
expects flyte_nb's behaviour: ``order_insensitive`` compares the words in any order,
``stdout_not_compared`` compares the outputs only, ``store_references`` reads the printed
File/Dir/DataFrame references flyte_nb gives (URLs into its store, with the content's sha256) as
the SDK's local mode prints them (bare temporary paths, no hash), and ``expected_here`` gives (with its
``reason``) the outputs of each run and the printed lines flyte_nb must give instead of the
SDK's, compared exactly as the SDK's would be.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
MANIFEST = json.loads((HERE / "examples.json").read_text())
PORTED: list[str] = MANIFEST["ported"]
SKIPPED: dict[str, str] = MANIFEST["skipped"]
NOTES: dict[str, dict[str, Any]] = MANIFEST.get("notes", {})
TIMEOUT_S = 60
PARALLEL = 2

VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"(/private)?/(tmp|var/folders)/[^\s'\",)\]]*"), "<tmp>"),
    (re.compile(r"\b\d+\.\d+\s*(s|ms|sec|seconds)\b"), "<duration>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(\+\d{2}:\d{2})?"), "<datetime>"),
    (re.compile(r"\bpid=\d+"), "pid=<pid>"),
    (re.compile(r"\bts=\d+\.\d+"), "ts=<ts>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex>"),
    (re.compile(r"\brandom=\d+"), "random=<n>"),
    (re.compile(r"ActionID\([^)]*\)"), "ActionID(<action>)"),
    (re.compile(r"\bmarker=\d+"), "marker=<n>"),
]


def normalise(value: Any) -> Any:
    if isinstance(value, str):
        for pattern, replacement in VOLATILE:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {normalise(key): normalise(item) for key, item in value.items()}
    return value


STORE_REFERENCES = [
    (re.compile(r"\b(path|uri)='(file://<tmp>|<run-url>/[^']*)'"), r"\1='<tmp>'"),
    (re.compile(r"\bhash='[0-9a-f]{64}'"), "hash=None"),
]


def as_sdk_local_references(lines: list[str]) -> list[str]:
    """flyte_nb's printed references (store URLs, sha256 hashes) as the SDK's local mode prints them."""
    for pattern, replacement in STORE_REFERENCES:
        lines = [pattern.sub(replacement, line) for line in lines]
    return lines


def tokens(value: Any) -> list[str]:
    """The words of a value, sorted: the same for two values that differ only in order."""
    return sorted(re.findall(r"[\w%-]+", json.dumps(normalise(value))))


def expected_path(name: str) -> Path:
    return HERE / "expected" / (name.removesuffix(".py").replace("/", "__") + ".json")


def run_example(name: str) -> dict[str, Any]:
    """Run one ported example with flyte_nb in a subprocess; what the harness recorded."""
    with tempfile.TemporaryDirectory(prefix="flyte-nb-example-") as work:
        out = Path(work) / "result.json"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "FLYTE_NB_STORAGE": str(Path(work) / "store"),
            "XDG_CONFIG_HOME": str(Path(work) / "config"),
            "HOME": work,
        }
        env.pop("FLYTE_NB_CONFIG", None)
        command = [sys.executable, str(HERE / "harness.py"), "flyte_nb", str(HERE / "examples" / name), str(out)]
        try:
            proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
            return {"timeout": True, "stderr": stderr[-2000:]}
        if not out.exists():
            return {"no_result": proc.returncode, "stderr": proc.stderr[-2000:]}
        result: dict[str, Any] = json.loads(out.read_text())
        result["stderr"] = proc.stderr[-2000:]
        return result


@pytest.fixture(scope="session")
def example_results(request: pytest.FixtureRequest) -> dict[str, Future[dict[str, Any]]]:
    """Every selected example started at once, two at a time, in collection order."""
    selected = [
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_example_matches_the_sdk"
        and item.callspec.params["name"] in PORTED
    ]
    pool = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="upstream-example")
    request.addfinalizer(lambda: pool.shutdown(wait=False, cancel_futures=True))
    return {name: pool.submit(run_example, name) for name in selected}


def expectation(name: str) -> dict[str, Any]:
    """What the SDK's program did, with ``expected_here``'s outputs and printed lines in place of
    the SDK's where the SDK's local mode is wrong."""
    want: dict[str, Any] = json.loads(expected_path(name).read_text())
    here = NOTES.get(name, {}).get("expected_here")
    if here is None:
        return want
    assert len(here["runs"]) == len(want["runs"]), f"examples.json: {name}'s expected_here needs one entry a run"
    runs = [{**theirs, "outputs": mine["outputs"]} for mine, theirs in zip(here["runs"], want["runs"], strict=True)]
    return {**want, "runs": runs, "stdout": here["stdout"]}


def describe_error(error: dict[str, Any]) -> str:
    code = f" (code {error['code']})" if error.get("code") else ""
    return f"{error['type']}{code}: {error['message'].splitlines()[0] if error['message'] else ''}"


def differences(name: str, got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """What flyte_nb did differently from the SDK, most telling first."""
    if got.get("timeout"):
        return [f"timed out after {TIMEOUT_S}s\n{got['stderr']}"]
    if "no_result" in got:
        return [f"the harness wrote no result (exit {got['no_result']})\n{got['stderr']}"]
    note = NOTES.get(name, {})
    problems: list[str] = []
    if got.get("error") and not want.get("error"):
        problems.append(f"the program raised {describe_error(got['error'])}")
        problems.append(got.get("traceback", "").rstrip())
        return problems
    if "exit" in want or "exit" in got:
        if want.get("exit") != got.get("exit"):
            problems.append(f"the program exited with {got.get('exit')}, the SDK's with {want.get('exit')}")
    want_runs = want["runs"]
    got_runs = got["runs"]
    for index, (mine, theirs) in enumerate(zip(got_runs, want_runs, strict=False), start=1):
        if "run_error" in theirs:
            if "run_error" not in mine:
                problems.append(
                    f"run {index}: the SDK's flyte.run raised {describe_error(theirs['run_error'])}; flyte_nb's did not"
                )
            elif mine["run_error"]["type"] != theirs["run_error"]["type"]:
                problems.append(
                    f"run {index}: flyte.run raised {describe_error(mine['run_error'])}, "
                    f"the SDK's {describe_error(theirs['run_error'])}"
                )
            continue
        if "run_error" in mine:
            problems.append(f"run {index}: flyte.run raised {describe_error(mine['run_error'])}")
            continue
        if "outputs_error" in mine:
            problems.append(f"run {index}: run.outputs() raised {describe_error(mine['outputs_error'])}")
            continue
        if mine["outputs_type"] != "ActionOutputs":
            value = mine["outputs"] if mine["outputs_is_tuple"] else [mine["outputs"]]
            same = tokens(value) == tokens(theirs["outputs"])
            problems.append(
                f"run {index}: run.outputs() returned {mine['outputs_type']}, not the SDK's ActionOutputs "
                f"(a tuple of the outputs); {'the values are the same' if same else 'the values differ too'}: "
                f"{mine['outputs']!r}, the SDK's {theirs['outputs']!r}"
            )
            continue
        if note.get("order_insensitive"):
            if tokens(mine["outputs"]) != tokens(theirs["outputs"]):
                problems.append(
                    f"run {index}: outputs {mine['outputs']!r}, the SDK's {theirs['outputs']!r} (in any order)"
                )
        elif normalise(mine["outputs"]) != normalise(theirs["outputs"]):
            problems.append(f"run {index}: outputs {mine['outputs']!r}, the SDK's {theirs['outputs']!r}")
    if len(got_runs) != len(want_runs):
        problems.append(f"{len(got_runs)} runs, the SDK's program made {len(want_runs)}")
    if want.get("error"):
        if not got.get("error") or got["error"]["type"] != want["error"]["type"]:
            mine = describe_error(got["error"]) if got.get("error") else "nothing"
            problems.append(f"the program raised {mine}, the SDK's {describe_error(want['error'])}")
    want_stdout = normalise(want["stdout"])
    got_stdout = normalise(got["stdout"])
    if note.get("store_references"):
        got_stdout = as_sdk_local_references(got_stdout)
    if note.get("stdout_not_compared"):
        pass
    elif note.get("order_insensitive"):
        if tokens(got_stdout) != tokens(want_stdout):
            problems.append(f"printed {got_stdout!r}, the SDK's program printed {want_stdout!r} (in any order)")
    elif got_stdout != want_stdout:
        problems.append(f"printed {got_stdout!r}, the SDK's program printed {want_stdout!r}")
    if problems and got.get("traceback"):
        problems.append(got["traceback"].rstrip())
    return problems


@pytest.mark.parametrize("name", PORTED + sorted(SKIPPED))
def test_example_matches_the_sdk(name: str, example_results: dict[str, Future[dict[str, Any]]]) -> None:
    if name in SKIPPED:
        pytest.skip(f"examples/{name}: {SKIPPED[name]}")
    want = expectation(name)
    got = example_results[name].result(timeout=TIMEOUT_S * len(example_results))
    problems = differences(name, got, want)
    assert not problems, f"examples/{name}: " + "\n".join(problems)
