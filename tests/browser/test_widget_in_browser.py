"""The run widget as a person sees it: JupyterLab in Chromium, cells run from the page."""

from __future__ import annotations

import re
import time

import pytest
from docker_support import containers_of

from .conftest import NB

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

#: records, in the page, every text a widget element shows (a MutationObserver, so no update
#: between two polls is missed)
WATCH = """([selector, key]) => {
  window[key] = [];
  const record = () => {
    for (const el of document.querySelectorAll(selector)) {
      const text = el.textContent;
      const seen = window[key];
      if (seen[seen.length - 1] !== text) seen.push(text);
    }
  };
  record();
  new MutationObserver(record).observe(document.body, {childList: true, characterData: true, subtree: true});
}"""


def counts_of(text: str) -> dict[str, int]:
    return {state: int(n) for n, state in re.findall(r"(\d[\d,]*) (\w+)", text.replace(",", ""))}


def test_fanout_behind_a_semaphore_updates_live_and_respects_the_limit(open_notebook):
    nb = open_notebook("fanout_semaphore.ipynb")
    nb.run_all()
    widget = nb.widget()
    nb.page.evaluate(WATCH, [f"{NB} .fnb-counts", "counts"])
    nb.page.evaluate(WATCH, [f"{NB} .fnb-gauge-text", "gauges"])
    nb.screenshot("running")
    nb.wait_phase("succeeded", timeout_ms=90_000)
    nb.screenshot("done", widget)
    counts = nb.page.evaluate("window.counts")
    gauges = nb.page.evaluate("window.gauges")
    assert len(set(counts)) >= 3, counts  # the counts changed at least three times while it ran
    held = [int(m.group(1)) for g in gauges if (m := re.search(r"held (\d+)/3", g))]
    assert held and max(held) <= 3, gauges  # the semaphore gauge never showed more than 3 held
    assert max(held) == 3  # and it did fill up
    assert counts_of(counts[-1]).get("succeeded") == 41  # 40 calls and the cell itself
    assert "40" in widget.locator(".fnb-group").first.text_content()


def test_a_map_of_2000_actions_keeps_the_page_responsive_and_the_list_small(open_notebook):
    nb = open_notebook("map_2000.ipynb")
    nb.run_all()
    widget = nb.widget()
    nb.wait_phase("running")
    answers = []
    while nb.page.locator(f"{NB} .fnb-phase").text_content() == "running":
        started = time.perf_counter()
        # a round trip through the page, and a click the widget answers without the kernel
        nb.page.evaluate("() => document.querySelectorAll('.fnb-group').length")
        answers.append(time.perf_counter() - started)
        time.sleep(0.2)
    assert len(answers) >= 3, "the map finished before the page could be probed"
    assert max(answers) < 1.0, answers
    nb.wait_idle()
    (map_row,) = [r for r in widget.locator(".fnb-group").all() if "2,000" in r.text_content()]
    map_row.click()  # open the map's action list (a virtualized view of its 2,000 actions)
    rows = widget.locator(".fnb-row")
    rows.first.wait_for(timeout=30_000)
    nb.screenshot("list", widget)
    shown = rows.count()
    assert 0 < shown <= 100, shown  # far fewer DOM rows than actions
    assert widget.locator(".fnb-counts").text_content().replace(",", "").startswith("2001 succeeded")


def test_the_cancel_button_stops_a_docker_run_and_leaves_no_container(open_notebook, docker_client):
    nb = open_notebook("cancel_docker.ipynb")
    nb.run_all()
    widget = nb.widget()
    # the cell (its driver, in the kernel) and its three actions, each in a container
    widget.locator(".fnb-counts").filter(has_text="4 running").wait_for(timeout=90_000)
    assert widget.locator(".fnb-title").text_content().endswith("docker")
    deadline = time.monotonic() + 60
    while len(docker_client.containers.list(filters={"label": "flyte_nb.run=browser-cancel"})) < 3:
        assert time.monotonic() < deadline, "the three actions' containers did not start"
        time.sleep(0.2)
    nb.screenshot("before-cancel", widget)
    widget.locator(".fnb-cancel").click()
    nb.wait_phase("cancelled", timeout_ms=30_000)
    deadline = time.monotonic() + 5
    while containers_of(docker_client, "browser-cancel"):
        assert time.monotonic() < deadline, "containers of the cancelled run remain after 5 s"
        time.sleep(0.2)
    nb.screenshot("cancelled", widget)
    assert "cancelled" in widget.locator(".fnb-error").text_content()


def test_a_dask_run_shows_actions_waiting_for_a_cpu_as_queued_until_cancelled(open_notebook):
    nb = open_notebook("queued_dask.ipynb")
    nb.run_all()
    widget = nb.widget()
    counts = widget.locator(".fnb-counts")
    # the cell and the one action holding the worker's only cpu run; two wait in Dask's queue
    deadline = time.monotonic() + 90
    while (seen := counts_of(counts.text_content() or "")).get("queued") != 2 or seen.get("running") != 2:
        assert time.monotonic() < deadline, f"the widget never showed 2 running and 2 queued: {seen}"
        time.sleep(0.2)
    assert widget.locator(".fnb-title").text_content().endswith("dask")
    nb.screenshot("queued", widget)
    time.sleep(1.0)  # and it stays so: the queued two cannot start while the first holds the cpu
    assert counts_of(counts.text_content()) == seen
    widget.locator(".fnb-cancel").click()
    nb.wait_phase("cancelled", timeout_ms=30_000)
    nb.screenshot("cancelled", widget)
    final = counts_of(counts.text_content())
    assert final.get("cancelled") == 4 and not final.get("running") and not final.get("queued"), final


def test_a_failed_action_shows_failed_and_its_error(open_notebook):
    nb = open_notebook("failing_action.ipynb")
    nb.run_all()
    widget = nb.widget()
    nb.wait_phase("failed", timeout_ms=90_000)
    nb.wait_idle()
    # the failing action, and the cell whose gather it failed
    assert counts_of(widget.locator(".fnb-counts").text_content())["failed"] == 2
    (group,) = [r for r in widget.locator(".fnb-group").all() if "check" in r.text_content()]
    group.click()
    failed = widget.locator(".fnb-row.fnb-failed")
    failed.first.wait_for(timeout=30_000)
    assert failed.count() == 1 and failed.first.locator(".fnb-row-state").text_content() == "failed"
    failed.first.click()
    error = widget.locator(".fnb-detail-error")
    error.wait_for(timeout=30_000)
    nb.screenshot("failed-detail", widget)
    assert "item 3 is broken" in error.text_content()
    # the cell itself shows the task's error, as a failing cell does
    assert (
        "item 3 is broken"
        in nb.page.locator(f"{NB} .jp-OutputArea-output[data-mime-type*='stderr'], {NB} .jp-RenderedText")
        .all_text_contents()
        .__str__()
    )


def _background(widget) -> tuple[int, ...]:
    """The widget's computed background as (r, g, b). The cell's end re-renders the widget's
    output once more: an element caught detached has no computed style, so read again."""
    for _ in range(50):
        color = widget.evaluate("el => el.isConnected ? getComputedStyle(el).backgroundColor : ''")
        channels = tuple(int(float(x)) for x in re.findall(r"[\d.]+", color)[:3])
        if len(channels) == 3:
            return channels
        time.sleep(0.1)
    raise AssertionError(f"no background color on the widget: {color!r}")


def test_light_and_dark_theme_screenshots(open_notebook):
    nb = open_notebook("fanout_semaphore.ipynb")
    nb.run_all()
    widget = nb.widget()
    nb.wait_phase("succeeded", timeout_ms=90_000)
    nb.wait_idle()  # the cell has ended: its displays are final
    light = _background(widget)
    nb.screenshot("light", widget)
    nb.page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    nb.page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    nb.page.wait_for_timeout(500)  # the theme's stylesheet applies
    dark = _background(widget)
    nb.screenshot("dark", widget)
    nb.page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    assert sum(light) > 600 and sum(dark) < 200, (light, dark)  # the widget follows the theme
    # the static snapshot beside the live widget is hidden: the run shows once
    assert nb.page.locator(f"{NB} .flyte-nb-snapshot-output").first.is_hidden()


def test_the_cancel_button_works_while_the_cell_waits_for_its_run(open_notebook):
    """The %%flyte cell is still awaiting its run when Cancel is clicked (the kernel dispatches
    widget messages while an async cell runs): the run ends cancelled, the cell ends with
    RunCancelledError (so Jupyter skips the queued cells), and the kernel goes on."""
    nb = open_notebook("cancel_waiting.ipynb")
    nb.run_all()
    widget = nb.widget()
    widget.locator(".fnb-counts").filter(has_text="4 running").wait_for(timeout=60_000)
    started = time.monotonic()
    widget.locator(".fnb-cancel").click()
    nb.wait_phase("cancelled", timeout_ms=20_000)
    assert time.monotonic() - started < 5  # not after the 120 s sleeps
    nb.wait_idle()
    outputs = nb.page.locator(f"{NB} .jp-OutputArea").all_text_contents()
    assert any("RunCancelledError" in text for text in outputs), outputs
    nb.page.locator(f"{NB} .jp-CodeCell").last.locator(".jp-InputArea-editor").click()
    nb.page.keyboard.press("Shift+Enter")  # run the last cell by hand: the kernel is usable
    nb.page.locator(f"{NB} .jp-OutputArea").filter(has_text="the kernel went on").wait_for(timeout=30_000)
    nb.screenshot("cancelled", widget)
