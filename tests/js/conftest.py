"""The widget's JS toolchain: node, npm and js/node_modules (npm ci on first use)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support import in_ci

JS = Path(__file__).parents[2] / "js"


@pytest.fixture(scope="session")
def js_toolchain() -> tuple[str, str]:
    """(node, npm) with js/node_modules installed; skips without node/npm, fails in CI."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        if in_ci():
            pytest.fail("node and npm are needed for the widget's JS tests (CI=true: no skipping)")
        pytest.skip("node/npm not installed")
    if not (JS / "node_modules" / "jsdom").exists():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=600
        )
        assert installed.returncode == 0, installed.stderr[-2000:]
    return node, npm
