"""Record what each ported example does with the Flyte 2 SDK: tests/upstream/expected/*.json.

Run with the Python of a separate venv that has the ``flyte`` package (2.12.1, with pandas and
pyarrow) installed, not flyte_nb::

    /path/to/sdkvenv/bin/python tests/upstream/record_sdk.py [example ...]

Each example runs in its own subprocess through ``harness.py flyte`` (the port's
``import flyte_nb as flyte`` gets the SDK), in the SDK's local mode, two at a time, in a fresh
temporary folder; what the harness writes (each run's outputs, what the program printed outside
its runs) is kept as the expectation ``test_examples.py`` compares flyte_nb with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
TIMEOUT_S = 90


def expected_path(name: str) -> Path:
    return EXPECTED / (name.removesuffix(".py").replace("/", "__") + ".json")


def record(name: str) -> str:
    with tempfile.TemporaryDirectory(prefix="sdk-example-") as work:
        out = Path(work) / "result.json"
        env = {**os.environ, "HOME": work}
        try:
            proc = subprocess.run(
                [sys.executable, str(HERE / "harness.py"), "flyte", str(HERE / "examples" / name), str(out)],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return f"{name}: timeout after {TIMEOUT_S}s (not recorded)"
        if not out.exists():
            return f"{name}: no result (exit {proc.returncode}): {proc.stderr[-500:]}"
        result = json.loads(out.read_text())
        result.pop("traceback", None)
        result["sdk"] = "flyte 2.12.1, local mode"
        expected_path(name).write_text(json.dumps(result, indent=1) + "\n")
        error = result.get("error")
        return f"{name}: {'error ' + error['type'] + ': ' + error['message'][:100] if error else 'ok'}"


def main(names: list[str]) -> None:
    import flyte

    assert flyte.__version__ == "2.12.1", f"recorded with flyte 2.12.1, this venv has {flyte.__version__}"
    EXPECTED.mkdir(exist_ok=True)
    names = names or json.loads((HERE / "examples.json").read_text())["ported"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for line in pool.map(record, names):
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
