// A past run in the run widget (widget.js): the header says when it ran and offers no cancel;
// a run still going elsewhere opens no action list.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { pastLabel, render } from "../widget.js";
import { mixedView } from "./fixtures.js";
import { eachTestInAFreshDocument, mount } from "./mock.js";

const local = (...parts) => new Date(...parts).getTime() / 1000;

eachTestInAFreshDocument();

describe("past runs", () => {
  test("the note says when it ran, or that this is the last recorded state", () => {
    const started = local(2026, 11, 3, 14, 2, 30);
    assert.equal(pastLabel({ started, running: false }), "past run · ran 2026-12-03 14:02");
    assert.equal(pastLabel({ started, running: true }),
      "still running elsewhere · last recorded state · started 2026-12-03 14:02");
    assert.equal(pastLabel({ started, running: false, lost: "its kernel ended" }),
      "past run · ran 2026-12-03 14:02 · its kernel ended mid-run");
    assert.equal(pastLabel({ started: null, running: false }), "past run · ran at an unknown time");
  });

  test("a past run's header has the note and no cancel button; a live run's has the button", () => {
    const started = local(2026, 11, 3, 14, 2, 30);
    const past = mount(render, { ...mixedView(), past: { started, running: false, recorded: true, lost: null } });
    assert.equal(past.el.querySelector(".fnb-past").textContent, "past run · ran 2026-12-03 14:02");
    assert.equal(past.el.querySelector(".fnb-cancel"), null);
    assert.ok(!past.el.querySelector(".fnb-header").textContent.includes("null"));
    past.cleanup();
    const live = mount(render, { ...mixedView(), phase: "running", done: false });
    assert.ok(live.el.querySelector(".fnb-cancel"));
    assert.equal(live.el.querySelector(".fnb-past"), null);
    assert.ok(!live.el.querySelector(".fnb-header").textContent.includes("null")); // no run page button yet
  });

  test("a recorded past run's groups open their action list; one still going elsewhere does not", () => {
    const view = mixedView();
    const recorded = mount(render, { ...view, past: { started: 1, running: false, recorded: true } });
    recorded.el.querySelector(".fnb-group").click();
    assert.equal(recorded.model.sent.filter((m) => m.type === "rows").length, 1);
    recorded.cleanup();
    const going = mount(render, { ...view, phase: "running", done: false, past: { started: 1, running: true, recorded: false } });
    going.el.querySelector(".fnb-group").click();
    assert.deepEqual(going.model.sent, []);
    assert.equal(going.el.querySelector(".fnb-actions"), null);
  });
});
