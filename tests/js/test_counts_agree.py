"""The live widget (js/widget.js, in node with jsdom) and the static snapshot (Python) show one
counts line and one state order: both come from flyte_nb/notebook/_legend.py."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import flyte_nb as flyte
from flyte_nb.notebook._legend import COUNTS_ALWAYS, DRAWING_ORDER, counts_text
from flyte_nb.notebook._snapshot import render_html, render_text
from flyte_nb.notebook._view import RunView

JS = Path(__file__).parents[2] / "js"

#: Renders each view of a JSON list (stdin) with widget.js's render() in jsdom; prints, per
#: view, the counts line, the summary bar's segments and the action list's filter options.
RENDER = """
import { JSDOM } from "jsdom";
import { render } from "./widget.js";
import { readFileSync } from "node:fs";

const views = JSON.parse(readFileSync(0, "utf8"));
const shown = views.map((view) => {
  const dom = new JSDOM("<!doctype html><body></body>");
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  const model = { get: () => view, on() {}, off() {}, send() {} };
  const el = document.createElement("div");
  document.body.append(el);
  render({ model, el });
  el.querySelector(".fnb-group")?.click();
  const filter = el.querySelector(".fnb-filter");
  return {
    counts: el.querySelector(".fnb-counts").textContent,
    segments: [...el.querySelectorAll(".fnb-summary .fnb-seg")].map((s) => s.className.split("fnb-").pop()),
    filter: filter ? [...filter.options].map((o) => o.value) : null,
  };
});
console.log(JSON.stringify(shown));
"""

env = flyte.TaskEnvironment("agree")


@env.task
async def item(x: int) -> int:
    await asyncio.sleep(0.01 * (x % 3))
    if x == 4:
        raise ValueError("item 4 is broken")
    return x


@env.task
async def batch(n: int) -> list:
    return await flyte.map(item, range(n), concurrency=3, return_exceptions=True)


def _views() -> list[dict]:
    """Views of a real run while it ran and when it ended, then the same view with other counts."""

    async def go() -> list[dict]:
        run = await flyte.run.aio(batch, 12)
        view = RunView(run)
        seen = [view.model()]
        while not run.done():
            await asyncio.sleep(0.005)
            seen.append(view.model())
        await run.until_done()
        seen.append(view.model())
        return seen

    seen = asyncio.run(go())
    distinct = list({v["counts_text"]: v for v in seen}.values())
    final = seen[-1]
    others = [
        {"queued": 3, "running": 2},
        {"succeeded": 50_000, "cached": 1_200, "cancelled": 2},
        {"failed": 1, "cancelled": 7},
        {},
    ]
    variants = [{**final, "counts": c, "counts_text": counts_text(c)} for c in others]
    return distinct + variants


def test_the_widget_and_the_snapshot_show_the_same_counts_and_order(js_toolchain):
    node, _npm = js_toolchain
    views = _views()
    assert len(views) >= 6, [v["counts_text"] for v in views]  # the run was seen in flight, too
    done = subprocess.run(
        [node, "--input-type=module", "-e", RENDER],
        input=json.dumps(views),
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    shown = json.loads(done.stdout)
    for view, live in zip(views, shown, strict=True):
        static = render_text(view).splitlines()[1]
        assert static == f"{view['total']:,} actions · {live['counts']}"  # the same words, the same order
        assert live["counts"] in render_html(view).replace("&middot;", "·")
        drawn = [s for s in DRAWING_ORDER if view["counts"].get(s)]
        assert live["segments"] == drawn
        assert live["filter"] in (None, ["", *DRAWING_ORDER])


def test_the_counts_line_rule():
    assert counts_text({}) == "0 succeeded · 0 running · 0 queued · 0 failed"
    assert counts_text({"succeeded": 41}) == "41 succeeded · 0 running · 0 queued · 0 failed"
    assert (
        counts_text({"succeeded": 29_950, "running": 51, "cancelled": 2, "cached": 1_200})
        == "29,950 succeeded · 51 running · 0 queued · 0 failed · 2 cancelled · 1,200 cached"
    )
    assert set(COUNTS_ALWAYS) <= set(DRAWING_ORDER)
