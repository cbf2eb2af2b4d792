"""The widget's front-end unit tests (node's test runner, jsdom), run as part of pytest."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

JS = Path(__file__).parents[2] / "js"


def test_js_unit_tests_pass(js_toolchain):
    _node, npm = js_toolchain
    done = subprocess.run([npm, "test", "--silent"], cwd=JS, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert passed and int(passed.group(1)) > 0, output[-2000:]
    assert failed and int(failed.group(1)) == 0
