// The runs table of `%flyte runs` (runs.js): its cells, its rows' clicks, the open row.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import runs, { COLUMNS, formatDuration, formatStarted, render, rowCells } from "../runs.js";
import { eachTestInAFreshDocument, mount } from "./mock.js";

/** Seconds since the epoch of a local date and time (so the tests hold in any time zone). */
const local = (...parts) => new Date(...parts).getTime() / 1000;

function tableView(fields = {}) {
  return {
    rows: [
      { name: "nightly", task: "etl.main", phase: "failed", started: local(2026, 11, 3, 9, 5, 7), duration: 83.2,
        actions: 1201, here: false },
      { name: "r-abc123", task: "notebook.cell_4", phase: "running", started: local(2026, 11, 3, 8, 0, 0),
        duration: 0.25, actions: 3, here: true },
    ],
    limit: 20,
    phase: null,
    opened: null,
    error: null,
    ...fields,
  };
}

eachTestInAFreshDocument();

test("the default export is anywidget's { render }", () => {
  assert.equal(runs.render, render);
});

describe("cells", () => {
  test("a start time is the local date and time, to the second", () => {
    assert.equal(formatStarted(local(2026, 0, 5, 9, 7, 3)), "2026-01-05 09:07:03");
    assert.equal(formatStarted(null), "–");
  });

  test("durations read as the run widget writes them", () => {
    assert.equal(formatDuration(0.25), "250 ms");
    assert.equal(formatDuration(83.2), "1 min 23 s");
    assert.equal(formatDuration(null), "–");
  });

  test("a row gives name, task, phase, started, duration and actions; this kernel's runs say so", () => {
    const [past, here] = tableView().rows;
    assert.deepEqual(rowCells(past), ["nightly", "etl.main", "failed", "2026-12-03 09:05:07", "1 min 23 s", "1,201"]);
    assert.equal(rowCells(here)[0], "r-abc123 (this kernel)");
    assert.equal(rowCells({ ...past, task: null, actions: null })[1], "–");
  });
});

describe("table", () => {
  test("one header and one row per run, newest first as sent", () => {
    const { el } = mount(render, tableView());
    assert.deepEqual([...el.querySelectorAll("th")].map((th) => th.textContent), COLUMNS);
    const rows = [...el.querySelectorAll(".fnb-runs-row")];
    assert.deepEqual(rows.map((r) => r.dataset.run), ["nightly", "r-abc123"]);
    assert.ok(rows[0].classList.contains("fnb-failed"));
    assert.equal(el.querySelector(".fnb-runs-caption").textContent, "2 runs, newest first · click one to open it");
  });

  test("a click asks the kernel to open that run; the kernel's answer marks the row open", () => {
    const { el, model } = mount(render, tableView());
    el.querySelectorAll(".fnb-runs-row")[1].click();
    assert.deepEqual(model.sent, [{ type: "open", run: "r-abc123" }]);
    model.set("view", tableView({ opened: "r-abc123" }));
    const open = [...el.querySelectorAll(".fnb-runs-open")].map((r) => r.dataset.run);
    assert.deepEqual(open, ["r-abc123"]);
  });

  test("an error opening a run is shown under the table; an empty store says so", () => {
    const { el, model } = mount(render, tableView({ error: "could not open run x: gone" }));
    assert.equal(el.querySelector(".fnb-runs-error").textContent, "could not open run x: gone");
    model.set("view", tableView({ rows: [], phase: "failed" }));
    assert.equal(el.querySelector(".fnb-runs-caption").textContent, "no runs in the store · failed");
    assert.equal(el.querySelectorAll(".fnb-runs-row").length, 0);
  });
});
