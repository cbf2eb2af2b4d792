"""JupyterLab in a real browser: Debian's Chromium driven by Playwright.

``jupyter_lab`` starts ``jupyter lab`` on 127.0.0.1 (a free port, a random token) in a
folder of copies of the browser notebooks, with its own settings (no news toast) and
workspaces (nothing restored), and stops it by its own pid at the end. Each test opens one
notebook in a fresh page. Screenshots go to ``test-artifacts/browser/``, which CI keeps.
Without Chromium or Playwright the tests are skipped, except when ``CI=true``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import in_ci

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "tests" / "notebooks" / "browser"
ARTIFACTS = REPO / "test-artifacts" / "browser"
#: only the notebook tab in front (hidden tabs hold cells too)
NB = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def _missing(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true needs the browser tests to run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright is not installed (pip install playwright)")
    return path  # type: ignore[return-value]


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter_lab(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab serving copies of the browser notebooks, stopped by its own pid at the end."""
    root = tmp_path_factory.mktemp("lab")
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(notebook, root / notebook.name)  # Lab autosaves outputs: never the originals
    settings = root / ".lab-settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"})
    )
    port, token = _free_port(), secrets.token_hex(16)
    environment = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".lab-workspaces"),
        "FLYTE_NB_STORAGE": str(root / ".flyte_nb"),
    }
    log = open(root / "lab.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--allow-root",
            f"--IdentityProvider.token={token}",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
        ],
        cwd=root,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, process)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.flush()
            pytest.fail(f"jupyter lab did not start:\n{(root / 'lab.log').read_text()[-3000:]}")
        time.sleep(0.3)
    try:
        yield lab
    finally:
        process.send_signal(signal.SIGTERM)  # the server shuts its kernels down too
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    """Chromium for this module's tests only: while Playwright's sync API is open, its event
    loop counts as running in the main thread, and flyte.run in later tests would take it for a
    notebook's loop."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise AssertionError("Playwright left an event loop running in the main thread")


#: the current notebook panel's kernel is connected and idle (``jupyterapp`` is exposed by
#: ``--LabApp.expose_app_in_browser``)
KERNEL_READY = """() => {
  const panel = window.jupyterapp?.shell.currentWidget;
  const session = panel?.sessionContext;
  const kernel = session?.session?.kernel;
  return Boolean(kernel) && session.isReady && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""


class NotebookPage:
    """One notebook open in JupyterLab, with the few things the tests do to it."""

    def __init__(self, page: Any, lab: Lab, name: str, request: pytest.FixtureRequest) -> None:
        self.page = page
        self.lab = lab
        self.name = name
        self.test = request.node.name
        page.goto(lab.notebook_url(name))
        self.wait_kernel_ready()

    def wait_kernel_ready(self, timeout_ms: int = 90_000) -> None:
        """Wait until the notebook's own kernel is connected and idle. The toolbar's execution
        indicator says idle before any kernel exists, and running cells then opens Lab's
        kernel chooser over the page."""
        try:
            self.page.wait_for_function(KERNEL_READY, timeout=timeout_ms)
        except Exception:
            self.screenshot("kernel-not-ready")
            raise AssertionError(f"the kernel of {self.name} did not become ready; {self.dialogs()}") from None

    def dialogs(self) -> str:
        """What any open Lab dialog says (for failure messages)."""
        texts = self.page.locator(".jp-Dialog").all_text_contents()
        return f"dialogs on the page: {texts}" if texts else "no dialog on the page"

    def run_all(self) -> None:
        """Run every cell, as the Run menu does. The command acts on the notebook that has
        focus, so focus it first, and check that the first cell did start."""
        last_prompt = self.page.locator(f"{NB} .jp-CodeCell .jp-InputArea-prompt").last
        for _ in range(5):
            if self.page.locator(".jp-Dialog").count():
                self.screenshot("dialog")
                raise AssertionError(f"a dialog covers {self.name}; {self.dialogs()}")
            self.page.locator(f"{NB} .jp-Notebook").click(position={"x": 5, "y": 5})
            self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if re.search(r"\[(\*|\d+)\]", last_prompt.text_content() or ""):
                    return
                time.sleep(0.1)
        raise AssertionError(f"the cells of {self.name} did not start; {self.dialogs()}")

    def widget(self, index: int = 0) -> Any:
        """The ``index``-th run widget of the notebook, once it is on the page."""
        locator = self.page.locator(f"{NB} .fnb").nth(index)
        try:
            locator.wait_for(timeout=90_000)
        except Exception:
            self.screenshot("no-widget")  # what the page showed instead, for the CI artifacts
            raise
        return locator

    def wait_phase(self, phase: str, timeout_ms: int = 60_000) -> None:
        """Wait until the run widget's header shows ``phase``."""
        self.page.wait_for_function(
            f"() => document.querySelector(\"{NB} .fnb-phase\")?.textContent === '{phase}'", timeout=timeout_ms
        )

    def screenshot(self, label: str, locator: Any = None) -> Path:
        """A PNG of the page or of ``locator``. A run's end re-renders its widget's output once
        more (the final display update): an element caught in that moment is detached, and the
        locator finds the new one on the next try."""
        from playwright.sync_api import Error

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.test}-{label}.png"
        for attempt in range(10):
            try:
                (locator or self.page).screenshot(path=str(path))
                return path
            except Error as exc:
                if "not attached" not in str(exc) or attempt == 9:
                    raise
                time.sleep(0.2)
        return path

    def wait_idle(self, timeout_ms: int = 120_000) -> None:
        self.page.wait_for_selector(
            f"{NB} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout_ms, state="attached"
        )


@pytest.fixture
def open_notebook(browser: Any, jupyter_lab: Lab, request: pytest.FixtureRequest) -> Iterator[Any]:
    pages: list[Any] = []

    def open_(name: str) -> NotebookPage:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        pages.append(page)
        return NotebookPage(page, jupyter_lab, name, request)

    yield open_
    for page in pages:
        page.close()
    _shut_kernels(jupyter_lab)


def _shut_kernels(lab: Lab) -> None:
    """Kernels outlive closed pages: stop them so the next test starts clean."""
    request = urllib.request.Request(f"{lab.url}/api/sessions?token={lab.token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        sessions = json.load(answer)
    for session in sessions:
        delete = urllib.request.Request(f"{lab.url}/api/sessions/{session['id']}?token={lab.token}", method="DELETE")
        urllib.request.urlopen(delete, timeout=10).close()
