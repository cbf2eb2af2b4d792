"""The widget's front-end unit tests (node's test runner, jsdom), run as part of pytest."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import in_ci

JS = Path(__file__).parents[2] / "js"


def test_js_unit_tests_pass():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        if in_ci():
            pytest.fail("node and npm are needed for the widget's JS tests (CI=true: no skipping)")
        pytest.skip("node/npm not installed")
    if not (JS / "node_modules" / "jsdom").exists():
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True)
        assert installed.returncode == 0, installed.stderr[-2000:]
    done = subprocess.run([npm, "test", "--silent"], cwd=JS, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert passed and int(passed.group(1)) > 0, output[-2000:]
    assert failed and int(failed.group(1)) == 0
