"""An action's report in the widget, in Chromium: a sandboxed iframe whose scripts run but
cannot reach the page around it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

#: A report page whose script tries to take over the page around it.
HOSTILE_REPORT = """<html><body><p id="mine">report</p><script>
document.body.dataset.ran = "yes";
try { parent.document.title = "owned"; } catch (e) { document.body.dataset.blocked = e.name; }
try { top.document.body.innerHTML = "owned"; } catch (e) {}
</script></body></html>"""

VIEW = {
    "run": "r",
    "task": "t",
    "backend": "local",
    "phase": "running",
    "done": False,
    "elapsed": 1.0,
    "version": 1,
    "total": 1,
    "counts": {},
    "counts_text": "",
    "states": [],
    "rejected": 0,
    "cancel_reason": None,
    "error": None,
    "groups": [],
    "more_groups": 0,
    "semaphores": [],
    "timeline": {"mode": "bars", "span": 1.0, "bars": []},
    "advice": [],
    "report": {"action": 3, "html": HOSTILE_REPORT, "truncated": False, "bytes": len(HOSTILE_REPORT)},
}


def widget_page() -> str:
    """A page rendering widget.js with a model that answers one action's detail."""
    module = (REPO / "js" / "widget.js").read_text().replace("export default", "const _default =")
    module = module.replace("export function", "function").replace("export const", "const")
    view = json.dumps(VIEW).replace("</", "<\\/")  # no "</script>" ends the page's own script
    return f"""<!doctype html><html><head><title>notebook</title></head><body><div id="host"></div>
<script type="module">
{module}
const listeners = new Map();
const model = {{
  get: (key) => ({{ view: {view} }})[key],
  on: (event, callback) => listeners.set(event, callback),
  off: () => {{}},
  send: () => {{}},
}};
render({{ model, el: document.getElementById("host") }});
listeners.get("msg:custom")({{ type: "action", id: 3, name: "reports.main", state: "running", attempts: 1,
  duration: 0.5, overhead: {{ u: 0, d: 0, e: 0, t: 0 }}, history: [], traces: [], logs: "" }});
window.rendered = true;
</script></body></html>"""


def test_a_reports_script_runs_in_its_iframe_but_cannot_touch_the_page(browser: Any):
    page = browser.new_page()
    try:
        page.set_content(widget_page())
        page.wait_for_function("window.rendered === true")
        frame_element = page.wait_for_selector(".fnb-report iframe")
        assert frame_element.get_attribute("sandbox") == "allow-scripts"
        frame = frame_element.content_frame()
        assert frame is not None
        frame.wait_for_function("document.body && document.body.dataset.ran === 'yes'")
        assert frame.evaluate("document.body.dataset.blocked") == "SecurityError"
        assert page.title() == "notebook"
        assert page.locator(".fnb-detail-head").count() == 1  # the widget around it is intact
        assert page.locator("#mine").count() == 0  # the report is not in the page's document
    finally:
        page.close()
