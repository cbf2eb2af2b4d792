// render() in a jsdom document, driven through a mock of anywidget's model.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { JSDOM } from "jsdom";

import widget, { LIST_HEIGHT, PAGE_URL_LIFETIME, ROW_HEIGHT, pageDocument, render } from "../widget.js";
import {
  counts,
  failedActionReply,
  group,
  largeView,
  mixedView,
  row,
  rowsReply,
  semaphoreView,
} from "./fixtures.js";

/** The part of anywidget's model that render() uses, plus `trigger` to fire its events. */
class MockModel {
  constructor(view) {
    this.state = { view };
    this.listeners = new Map();
    this.sent = [];
    this.offs = [];
  }

  get(key) {
    return this.state[key];
  }

  /** Set a synced value and fire its change event, as a message from the kernel would. */
  set(key, value) {
    this.state[key] = value;
    this.trigger(`change:${key}`);
  }

  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
  }

  off(event, callback) {
    this.offs.push(event);
    this.listeners.get(event)?.delete(callback);
  }

  send(message) {
    this.sent.push(message);
  }

  trigger(event, ...args) {
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback(...args);
  }

  listenerCount(event) {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Messages sent since the last call. */
  take() {
    return this.sent.splice(0);
  }
}

let dom;
let cleanup;

beforeEach(() => {
  dom = new JSDOM("<!doctype html><html><body></body></html>");
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
});

afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  dom.window.close();
  delete globalThis.window;
  delete globalThis.document;
});

/** Render `view` into a fresh element; returns the model and the element. */
function mount(view) {
  const model = new MockModel(view);
  const el = document.createElement("div");
  document.body.append(el);
  cleanup = render({ model, el });
  return { model, el };
}

const text = (node) => node?.textContent ?? null;
const groupRow = (el, id) => el.querySelector(`.fnb-group[data-group="${id}"]`);
const rowsRequest = (messages) => messages.filter((m) => m.type === "rows");

test("the default export is anywidget's { render }", () => {
  assert.equal(widget.render, render);
});

describe("header", () => {
  test("shows the phase, task, run name, backend, elapsed time and total", () => {
    const { el } = mount(semaphoreView());
    assert.equal(text(el.querySelector(".fnb-phase")), "running");
    assert.ok(el.querySelector(".fnb-dot").classList.contains("fnb-running"));
    assert.equal(text(el.querySelector(".fnb-title")), "widget.with_semaphore · run r-0nzjso · local");
    assert.equal(text(el.querySelector(".fnb-elapsed")), "00:00.1");
    assert.equal(text(el.querySelector(".fnb-total")), "4 actions");
    assert.equal(text(el.querySelector(".fnb-counts")), "0 succeeded · 4 running · 0 queued · 0 failed");
    assert.equal(text(el.querySelector(".fnb-error")), "");
    assert.ok(!el.querySelector(".fnb").classList.contains("fnb-finished"));
  });

  test("the run's progress bar has one segment per non-zero state", () => {
    const { el } = mount(mixedView());
    const segs = [...el.querySelectorAll(".fnb-summary .fnb-seg")];
    assert.deepEqual(segs.map((s) => s.className), ["fnb-seg fnb-succeeded", "fnb-seg fnb-failed"]);
    const widths = segs.map((s) => parseFloat(s.style.width));
    assert.ok(Math.abs(widths[0] - (100 * 8) / 9) < 1e-6);
    assert.ok(Math.abs(widths[1] - 100 / 9) < 1e-6);
    assert.equal(segs[1].getAttribute("title"), "1 failed");
  });

  test("a finished run is marked and shows its phase", () => {
    const { el } = mount(mixedView());
    assert.ok(el.querySelector(".fnb").classList.contains("fnb-finished"));
    assert.equal(text(el.querySelector(".fnb-phase")), "succeeded");
    assert.equal(text(el.querySelector(".fnb-counts")), "8 succeeded · 0 running · 0 queued · 1 failed");
  });

  test("a failed run shows its error; a cancelled run its reason", () => {
    const failed = { ...mixedView(), phase: "failed", error: { type: "KeyError", message: "'no item 2'" } };
    const { el, model } = mount(failed);
    assert.equal(text(el.querySelector(".fnb-error")), "KeyError: 'no item 2'");
    model.set("view", { ...mixedView(), phase: "cancelled", cancel_reason: "cancelled from the widget" });
    assert.equal(text(el.querySelector(".fnb-error")), "cancelled: cancelled from the widget");
    model.set("view", mixedView());
    assert.equal(text(el.querySelector(".fnb-error")), "");
  });

  test("a change:view with new counts updates the header", () => {
    const { el, model } = mount(semaphoreView());
    const next = semaphoreView();
    next.total = 9;
    next.elapsed = 1.27;
    next.counts = counts({ succeeded: 5, running: 3, queued: 1 });
    next.counts_text = "5 succeeded · 3 running · 1 queued · 0 failed";
    model.set("view", next);
    assert.equal(text(el.querySelector(".fnb-counts")), "5 succeeded · 3 running · 1 queued · 0 failed");
    assert.equal(text(el.querySelector(".fnb-total")), "9 actions");
    assert.equal(text(el.querySelector(".fnb-elapsed")), "00:01.3");
    assert.equal(el.querySelectorAll(".fnb-header").length, 1);
    assert.equal(el.querySelectorAll(".fnb-cancel").length, 1);
  });

  test("the counts line and the bars' order are the view's (Python's), drawn as given", () => {
    const view = mixedView();
    view.counts_text = "8 succeeded · 1 failed · 2 cached";
    view.states = ["failed", "succeeded"];
    const { el } = mount(view);
    assert.equal(text(el.querySelector(".fnb-counts")), "8 succeeded · 1 failed · 2 cached");
    const segs = [...el.querySelectorAll(".fnb-summary .fnb-seg")];
    assert.deepEqual(segs.map((s) => s.className), ["fnb-seg fnb-failed", "fnb-seg fnb-succeeded"]);
    groupRow(el, 2).click();
    const filter = el.querySelector(".fnb-actions select.fnb-filter");
    assert.deepEqual([...filter.options].map((o) => o.value), ["", "failed", "succeeded"]);
  });

  test("a view without a run draws nothing and does not throw", () => {
    const { el, model } = mount({});
    assert.equal(text(el.querySelector(".fnb-header")), "");
    model.set("view", semaphoreView());
    assert.equal(text(el.querySelector(".fnb-phase")), "running");
  });
});

describe("cancel", () => {
  test("the Cancel button sends {type: 'cancel'} once and disables itself", () => {
    const { el, model } = mount(semaphoreView());
    const button = el.querySelector("button.fnb-cancel");
    assert.equal(text(button), "Cancel");
    assert.equal(button.disabled, false);
    button.click();
    const sent = model.take();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].type, "cancel");
    assert.equal(typeof sent[0].request, "number");
    assert.equal(button.disabled, true);
    button.click();
    assert.deepEqual(model.take(), []);
  });

  test("the Cancel button is disabled when the run is done", () => {
    const { el, model } = mount(mixedView());
    assert.equal(el.querySelector("button.fnb-cancel").disabled, true);
    el.querySelector("button.fnb-cancel").click();
    assert.deepEqual(model.take(), []);
  });

  test("a view that ends the run disables it", () => {
    const { el, model } = mount(semaphoreView());
    assert.equal(el.querySelector("button.fnb-cancel").disabled, false);
    model.set("view", { ...semaphoreView(), phase: "succeeded", done: true });
    assert.equal(el.querySelector("button.fnb-cancel").disabled, true);
  });
});

describe("groups", () => {
  test("one .fnb-group row per group, with its label, bar and stats", () => {
    const { el } = mount(mixedView());
    const rows = [...el.querySelectorAll(".fnb-group")];
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r.dataset.group), ["1", "2"]);
    assert.deepEqual(rows.map((r) => text(r.querySelector(".fnb-label"))),
      ['group "phase1"', "map fails (concurrency 2)"]);
    assert.equal(rows[0].querySelector(".fnb-label").getAttribute("title"), "cell [5], line 3");
    assert.deepEqual(rows.map((r) => text(r.querySelector(".fnb-stats"))), ["4/4  19.9/s", "4/4  2016.0/s  failed 1"]);
    assert.deepEqual(rows.map((r) => r.querySelectorAll(".fnb-seg").length), [1, 2]);
    assert.deepEqual(rows.map((r) => text(r.querySelector(".fnb-toggle"))), ["▸", "▸"]);
  });

  test("a map with a concurrency limit gets a slots gauge of that many cells", () => {
    const { el } = mount(largeView());
    const gauges = el.querySelectorAll(".fnb-groups .fnb-gauge");
    assert.equal(gauges.length, 1);
    assert.equal(text(gauges[0].querySelector(".fnb-gauge-label")), "slots (concurrency 50)");
    assert.equal(gauges[0].querySelectorAll(".fnb-cell").length, 50);
    assert.equal(gauges[0].querySelectorAll(".fnb-held").length, 50);
    assert.equal(text(gauges[0].querySelector(".fnb-gauge-text")), "held 50/50");
  });

  test("groups beyond the ones shown are summed in one line", () => {
    const { el } = mount({ ...mixedView(), more_groups: 3 });
    assert.equal(text(el.querySelector(".fnb-more")), "… and 3 more groups");
  });

  test("a change:view with new groups redraws them", () => {
    const { el, model } = mount(semaphoreView());
    assert.equal(el.querySelectorAll(".fnb-group").length, 1);
    model.set("view", mixedView());
    assert.equal(el.querySelectorAll(".fnb-group").length, 2);
  });
});

describe("semaphores", () => {
  test("a semaphore with limit 3 held 3 shows 'held 3/3' and 3 filled cells", () => {
    const { el } = mount(semaphoreView());
    const gauges = el.querySelectorAll(".fnb-semaphores .fnb-gauge");
    assert.equal(gauges.length, 1);
    const [gauge] = gauges;
    assert.equal(text(gauge.querySelector(".fnb-gauge-label")), "semaphore(3) @ cell [4], line 6");
    assert.equal(text(gauge.querySelector(".fnb-gauge-text")), "held 3/3 · waiting 5");
    assert.equal(gauge.querySelectorAll(".fnb-cell").length, 3);
    assert.equal(gauge.querySelectorAll(".fnb-cell.fnb-held").length, 3);
  });

  test("released slots are empty cells", () => {
    const { el, model } = mount(semaphoreView());
    model.set("view", { ...semaphoreView(), semaphores: [{ id: 0, site: null, limit: 3, held: 1, waiting: 0 }] });
    const gauge = el.querySelector(".fnb-semaphores .fnb-gauge");
    assert.equal(text(gauge.querySelector(".fnb-gauge-label")), "semaphore(3)");
    assert.equal(text(gauge.querySelector(".fnb-gauge-text")), "held 1/3 · waiting 0");
    assert.equal(gauge.querySelectorAll(".fnb-cell").length, 3);
    assert.equal(gauge.querySelectorAll(".fnb-held").length, 1);
  });

  test("a large limit is drawn as 60 cells and marked truncated", () => {
    const { el } = mount({ ...semaphoreView(), semaphores: [{ id: 0, site: null, limit: 500, held: 200, waiting: 9 }] });
    const gauge = el.querySelector(".fnb-semaphores .fnb-gauge");
    assert.equal(gauge.querySelectorAll(".fnb-cell").length, 60);
    assert.equal(gauge.querySelectorAll(".fnb-held").length, 60);
    assert.equal(text(gauge.querySelector(".fnb-gauge-text")), "held 200/500 · waiting 9 …");
  });
});

describe("action list", () => {
  function openLargeGroup() {
    const mounted = mount(largeView());
    const { el, model } = mounted;
    groupRow(el, 1).click();
    const sent = model.take();
    const list = el.querySelector(".fnb-actions .fnb-list");
    return { ...mounted, sent, list };
  }

  test("clicking a group row opens its list and asks for the first page", () => {
    const { el, sent, list } = openLargeGroup();
    assert.ok(list, "the list is drawn");
    assert.equal(text(groupRow(el, 1).querySelector(".fnb-toggle")), "▾");
    assert.equal(list.style.height, `${LIST_HEIGHT}px`);
    assert.equal(sent.length, 1);
    const [request] = sent;
    assert.equal(request.type, "rows");
    assert.equal(request.group, 1);
    assert.equal(request.state, "");
    assert.equal(request.offset, 0);
    assert.ok(request.limit >= LIST_HEIGHT / ROW_HEIGHT, `limit ${request.limit} fills the viewport`);
    assert.equal(typeof request.request, "number");
  });

  test("a rows reply for 50,000 actions draws only its 40 rows over a full-height spacer", () => {
    const { el, model, list } = openLargeGroup();
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 0, count: 40 }));
    const rows = el.querySelectorAll(".fnb-row");
    assert.equal(rows.length, 40);
    assert.equal(list.querySelector(".fnb-spacer").style.height, `${50_000 * ROW_HEIGHT}px`);
    assert.equal(rows[0].dataset.action, "100001");
    assert.equal(rows[0].style.top, "0px");
    assert.equal(rows[39].style.top, `${39 * ROW_HEIGHT}px`);
    assert.equal(text(rows[0].querySelector(".fnb-row-state")), "succeeded");
    assert.equal(text(rows[0].querySelector(".fnb-row-name")), "#100001 widget.noop");
    assert.equal(text(rows[0].querySelector(".fnb-row-duration")), "0 ms");
    assert.equal(text(rows[0].querySelector(".fnb-row-overhead")), "u 0 ms d 0 ms e 0 ms t 0 ms");
    assert.equal(text(rows[0].querySelector(".fnb-row-attempts")), "");
  });

  test("a later page replaces the rows instead of adding to them, placed at its offset", () => {
    const { el, model } = openLargeGroup();
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 0, count: 40 }));
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 990, count: 30 }));
    const rows = el.querySelectorAll(".fnb-row");
    assert.equal(rows.length, 30);
    assert.equal(rows[0].style.top, `${990 * ROW_HEIGHT}px`);
    assert.equal(rows[29].style.top, `${1019 * ROW_HEIGHT}px`);
  });

  test("row classes, attempts and durations come from the reply", () => {
    const { el, model } = openLargeGroup();
    const reply = rowsReply({ group: 1, total: 2, count: 0 });
    reply.rows = [row(5, { state: "failed", attempts: 3, duration: 2.5 }), row(6, { state: "running" })];
    model.trigger("msg:custom", reply);
    const rows = [...el.querySelectorAll(".fnb-row")];
    assert.deepEqual(rows.map((r) => r.className), ["fnb-row fnb-failed", "fnb-row fnb-running"]);
    assert.equal(text(rows[0].querySelector(".fnb-row-attempts")), "attempt 3");
    assert.equal(text(rows[0].querySelector(".fnb-row-duration")), "2.5 s");
  });

  test("scrolling asks for the rows around the new position", () => {
    const { model, list } = openLargeGroup();
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 0, count: 40 }));
    list.scrollTop = ROW_HEIGHT * 1000;
    list.dispatchEvent(new dom.window.Event("scroll"));
    const sent = model.take();
    assert.equal(sent.length, 1);
    assert.deepEqual({ ...sent[0], request: 0 }, { type: "rows", group: 1, state: "", offset: 990, limit: 30, request: 0 });
  });

  test("choosing a state filter asks for that state from the top, without toggling the group", () => {
    const { el, model, list } = openLargeGroup();
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 0, count: 40 }));
    list.scrollTop = ROW_HEIGHT * 1000;
    const filter = el.querySelector(".fnb-actions select.fnb-filter");
    assert.deepEqual([...filter.options].map((o) => o.value),
      ["", "succeeded", "cached", "failed", "cancelled", "running", "queued"]);
    filter.click();
    filter.value = "failed";
    filter.dispatchEvent(new dom.window.Event("change"));
    const sent = model.take();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].state, "failed");
    assert.equal(sent[0].offset, 0);
    assert.equal(list.scrollTop, 0);
    assert.ok(el.querySelector(".fnb-actions"), "the list is still open");
  });

  test("clicking the group row again closes the list without a request", () => {
    const { el, model } = openLargeGroup();
    groupRow(el, 1).click();
    assert.equal(el.querySelector(".fnb-actions"), null);
    assert.equal(text(groupRow(el, 1).querySelector(".fnb-toggle")), "▸");
    assert.deepEqual(model.take(), []);
  });

  test("an open list survives a change:view, keeps its rows and refreshes its page", () => {
    const { el, model, list } = openLargeGroup();
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 0, count: 40 }));
    const next = largeView();
    next.groups[0].counts = counts({ succeeded: 30_950, running: 50 });
    next.groups[0].finished = 30_950;
    model.set("view", next);
    assert.equal(el.querySelector(".fnb-actions .fnb-list"), list);
    assert.equal(el.querySelectorAll(".fnb-row").length, 40);
    const sent = rowsRequest(model.take());
    assert.equal(sent.length, 1);
    assert.equal(sent[0].group, 1);
  });

  test("a change:view never detaches an open list (a browser would reset its scroll position)", async () => {
    const { el, model, list } = openLargeGroup();
    model.trigger("msg:custom", rowsReply({ group: 1, total: 50_000, offset: 990, count: 30 }));
    const actions = el.querySelector(".fnb-actions");
    const removed = [];
    const observer = new dom.window.MutationObserver((records) => {
      for (const record of records) removed.push(...record.removedNodes);
    });
    observer.observe(el.querySelector(".fnb-groups"), { childList: true });
    for (let i = 0; i < 3; i++) {
      const next = largeView();
      next.groups[0].counts = counts({ succeeded: 30_000 + 100 * i, running: 50 });
      next.groups[0].finished = 30_000 + 100 * i;
      model.set("view", next);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    observer.disconnect();
    assert.ok(removed.length > 0, "the group rows were redrawn");
    assert.ok(!removed.includes(actions), "the open list was detached");
    assert.equal(el.querySelector(".fnb-actions"), actions);
    assert.equal(actions.previousElementSibling.className, "fnb-gauge", "the list stays under its group");
    assert.equal(text(groupRow(el, 1).querySelector(".fnb-stats")), "30,200/50,000  15306.1/s  ETA 1.3 s");
    assert.equal(list.isConnected, true);
  });

  test("lists stay under their own groups when several are open", () => {
    const { el, model } = mount(mixedView());
    groupRow(el, 2).click();
    groupRow(el, 1).click();
    model.set("view", mixedView());
    const order = [...el.querySelector(".fnb-groups").children].map((node) =>
      node.classList.contains("fnb-group") ? `group ${node.dataset.group}` : node.className);
    assert.deepEqual(order, ["group 1", "fnb-actions", "group 2", "fnb-gauge", "fnb-actions"]);
    groupRow(el, 1).click();
    const after = [...el.querySelector(".fnb-groups").children].map((node) => node.className);
    assert.deepEqual(after, ["fnb-group", "fnb-group", "fnb-gauge", "fnb-actions"]);
  });

  test("a rows reply for a group that was never opened is ignored", () => {
    const { el, model } = mount(mixedView());
    model.trigger("msg:custom", rowsReply({ group: 2, total: 4, count: 4 }));
    assert.equal(el.querySelectorAll(".fnb-row").length, 0);
  });
});

describe("action detail", () => {
  function openRow() {
    const mounted = mount(mixedView());
    const { el, model } = mounted;
    groupRow(el, 2).click();
    const reply = rowsReply({ group: 2, total: 4, count: 0 });
    reply.rows = [row(5), row(6), row(7, { state: "failed", error: "KeyError: 'no item 2'" }), row(8)];
    model.trigger("msg:custom", reply);
    model.take();
    return mounted;
  }

  test("clicking a row asks for that action only (the group row does not toggle)", () => {
    const { el, model } = openRow();
    el.querySelector('.fnb-row[data-action="7"]').click();
    const sent = model.take();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].type, "action");
    assert.equal(sent[0].id, 7);
    assert.equal(typeof sent[0].request, "number");
    assert.ok(el.querySelector(".fnb-actions"), "the list is still open");
  });

  test("requests are numbered in order", () => {
    const { el, model } = openRow();
    el.querySelector('.fnb-row[data-action="5"]').click();
    el.querySelector('.fnb-row[data-action="6"]').click();
    const [a, b] = model.take();
    assert.ok(b.request > a.request);
  });

  test("an action reply with an error shows it, its traceback in a <pre>, attempts, traces and logs", () => {
    const { el, model } = openRow();
    const reply = failedActionReply();
    model.trigger("msg:custom", reply);
    const detail = el.querySelector(".fnb-detail");
    assert.equal(text(detail.querySelector(".fnb-detail-head span")), "#7 widget.fails · failed · 1 ms · 2 attempts");
    assert.equal(text(detail.querySelector(".fnb-detail-error")), "KeyError: 'no item 2'");
    const pre = detail.querySelector("pre.fnb-traceback");
    assert.ok(pre, "the traceback is in a <pre>");
    assert.equal(pre.tagName, "PRE");
    assert.equal(text(pre), reply.traceback);
    assert.match(text(pre), /raise KeyError\(f"no item \{x\}"\)\nKeyError: 'no item 2'/);
    assert.deepEqual([...detail.querySelectorAll(".fnb-attempt")].map(text), [
      "attempt 1: failed after 4 ms — KeyError: 'no item 2'",
      "attempt 2: failed after 6 ms — KeyError: 'no item 2'",
    ]);
    assert.deepEqual([...detail.querySelectorAll(".fnb-trace")].map(text), ["trace lookup · 0 ms"]);
    assert.equal(text(detail.querySelector("pre.fnb-logs")), "looking up 2\n");
  });

  test("text from the reply is never parsed as HTML", () => {
    const { el, model } = openRow();
    model.trigger("msg:custom", { ...failedActionReply(), traceback: "<img src=x onerror=alert(1)>", logs: "<b>x</b>" });
    const detail = el.querySelector(".fnb-detail");
    assert.equal(detail.querySelector("img"), null);
    assert.equal(detail.querySelector("b"), null);
    assert.equal(text(detail.querySelector("pre.fnb-traceback")), "<img src=x onerror=alert(1)>");
  });

  test("a successful action has no error or traceback", () => {
    const { el, model } = openRow();
    model.trigger("msg:custom", { type: "action", request: 4, ...row(5), parent: 0, group: 2, traceback: null,
      history: [], traces: [], logs: "" });
    const detail = el.querySelector(".fnb-detail");
    assert.equal(text(detail.querySelector(".fnb-detail-head span")), "#5 widget.noop · succeeded · 0 ms");
    assert.equal(detail.querySelector(".fnb-detail-error"), null);
    assert.equal(detail.querySelector("pre"), null);
  });

  test("the close button and a reply for a missing action clear the detail", () => {
    const { el, model } = openRow();
    model.trigger("msg:custom", failedActionReply());
    el.querySelector(".fnb-detail .fnb-close").click();
    assert.equal(el.querySelector(".fnb-detail").childElementCount, 0);
    model.trigger("msg:custom", failedActionReply());
    model.trigger("msg:custom", { type: "action", request: 9, id: 123, missing: true });
    assert.equal(el.querySelector(".fnb-detail").childElementCount, 0);
  });

  test("the detail survives a change:view", () => {
    const { el, model } = openRow();
    model.trigger("msg:custom", failedActionReply());
    model.set("view", mixedView());
    assert.ok(el.querySelector(".fnb-detail pre.fnb-traceback"));
  });

  test("the open action's report shows in a sandboxed iframe's srcdoc, never in this document", () => {
    const { el, model } = openRow();
    model.trigger("msg:custom", failedActionReply());
    const page = '<html><body><p id="mine">hello</p><script>parent.document.body.remove()</script></body></html>';
    model.set("view", { ...model.get("view"), report: { action: 7, html: page, truncated: false, bytes: page.length } });
    const frame = el.querySelector(".fnb-report iframe");
    assert.ok(frame, "an iframe shows the report");
    assert.equal(frame.getAttribute("sandbox"), "allow-scripts");
    assert.ok(!frame.getAttribute("sandbox").includes("allow-same-origin"));
    assert.equal(frame.getAttribute("srcdoc"), page);
    assert.equal(el.querySelector("#mine"), null, "the report's HTML is not parsed into the widget");
    assert.equal(el.querySelectorAll("script").length, 0);
    // a flush: the same iframe gets the new page
    const next = page.replace("hello", "hello again");
    model.set("view", { ...model.get("view"), report: { action: 7, html: next, truncated: true, bytes: 3_000_000 } });
    assert.equal(el.querySelector(".fnb-report iframe"), frame);
    assert.equal(frame.getAttribute("srcdoc"), next);
    assert.equal(text(el.querySelector(".fnb-report-note")), "report cut: 3,000,000 bytes in all");
  });

  test("a report of another action is not shown, and closing the detail drops the report and tells the kernel", () => {
    const { el, model } = openRow();
    model.trigger("msg:custom", failedActionReply());
    model.set("view", { ...model.get("view"), report: { action: 5, html: "<p>other</p>", truncated: false, bytes: 12 } });
    assert.equal(el.querySelector(".fnb-report iframe"), null);
    model.set("view", { ...model.get("view"), report: { action: 7, html: "<p>mine</p>", truncated: false, bytes: 11 } });
    assert.ok(el.querySelector(".fnb-report iframe"));
    model.take();
    el.querySelector(".fnb-close").click();
    assert.equal(el.querySelector(".fnb-report iframe"), null);
    assert.deepEqual(model.take().map((m) => m.type), ["close"]);
  });
});

describe("timeline", () => {
  test("bars mode draws one <rect> per bar inside the chart", () => {
    const view = mixedView();
    const { el } = mount(view);
    const svg = el.querySelector(".fnb-timeline svg");
    assert.ok(svg, "an <svg> is drawn");
    assert.equal(svg.namespaceURI, "http://www.w3.org/2000/svg");
    const rects = [...svg.querySelectorAll("rect")];
    assert.equal(rects.length, view.timeline.bars.length);
    assert.equal(svg.querySelectorAll("path").length, 0);
    assert.equal(rects.filter((r) => r.getAttribute("class") === "fnb-bar-failed").length, 1);
    const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
    assert.equal(height, 2 * 14);
    assert.equal(Number(svg.getAttribute("height")), height);
    for (const r of rects) {
      const x = Number(r.getAttribute("x"));
      const y = Number(r.getAttribute("y"));
      assert.ok(x >= 0 && x <= width, `x ${x}`);
      assert.ok(y >= 0 && y + Number(r.getAttribute("height")) <= height, `y ${y}`);
    }
    assert.equal(text(el.querySelector(".fnb-timeline .fnb-section")), "timeline · 204 ms");
  });

  test("density mode draws one <path> per lane and no rects", () => {
    const { el } = mount(largeView());
    const svg = el.querySelector(".fnb-timeline svg");
    assert.ok(svg, "an <svg> is drawn");
    assert.equal(svg.querySelectorAll("rect").length, 0);
    const paths = svg.querySelectorAll("path.fnb-area");
    assert.equal(paths.length, 2);
    for (const p of paths) assert.match(p.getAttribute("d"), /^M0 .* Z$/);
    assert.equal(svg.getAttribute("viewBox"), "0 0 600 28");
    assert.equal(text(el.querySelector(".fnb-timeline .fnb-section")), "timeline · 2.0 s");
  });

  test("no bars yet: only the heading, no chart", () => {
    const { el } = mount({ ...semaphoreView(), timeline: { mode: "bars", span: 0, bars: [] } });
    assert.equal(el.querySelector(".fnb-timeline svg"), null);
    assert.equal(text(el.querySelector(".fnb-timeline .fnb-section")), "timeline · 0 ms");
  });

  test("a change:view from bars to density replaces the chart", () => {
    const { el, model } = mount(mixedView());
    model.set("view", largeView());
    assert.equal(el.querySelectorAll(".fnb-timeline svg").length, 1);
    assert.equal(el.querySelectorAll(".fnb-timeline rect").length, 0);
    assert.equal(el.querySelectorAll(".fnb-timeline path").length, 2);
  });

  test("bars of groups past the ones shown get a lane inside the chart", () => {
    const view = mixedView();
    view.groups.push(group({ id: 3, label: 'group "phase2"', total: 2, counts: { queued: 2 } })); // no bars yet
    view.more_groups = 1;
    view.timeline.bars.push([9, 0.1, 0.2, "running"]);
    const { el } = mount(view);
    const svg = el.querySelector(".fnb-timeline svg");
    const height = Number(svg.getAttribute("viewBox").split(" ")[3]);
    assert.equal(height, 4 * 14);
    for (const r of svg.querySelectorAll("rect")) {
      assert.ok(Number(r.getAttribute("y")) + Number(r.getAttribute("height")) <= height);
    }
  });
});

describe("advice", () => {
  test("each piece of advice is one tip line", () => {
    const tip = "map noop (concurrency 50): overhead 1.0 ms per action vs runtime 10 µs. Batch ~1,000 items per action";
    const { el } = mount({ ...largeView(), advice: [tip] });
    assert.deepEqual([...el.querySelectorAll(".fnb-advice .fnb-tip")].map(text), [`⚠ ${tip}`]);
  });
});

describe("cleanup", () => {
  test("render listens to change:view and msg:custom; its cleanup removes both listeners", () => {
    const { el, model } = mount(semaphoreView());
    assert.equal(model.listenerCount("change:view"), 1);
    assert.equal(model.listenerCount("msg:custom"), 1);
    cleanup();
    cleanup = undefined;
    assert.deepEqual(model.offs.sort(), ["change:view", "msg:custom"]);
    assert.equal(model.listenerCount("change:view"), 0);
    assert.equal(model.listenerCount("msg:custom"), 0);
    model.set("view", { ...semaphoreView(), counts: counts({ succeeded: 4 }) });
    assert.equal(text(el.querySelector(".fnb-counts")), "0 succeeded · 4 running · 0 queued · 0 failed");
  });
});

describe("groups of a realistic size", () => {
  test("40 groups of 1,250 actions draw 40 group rows and no action rows", () => {
    const view = largeView();
    view.groups = Array.from({ length: 40 }, (_, i) =>
      group({ id: i + 1, label: `gather @ cell [9], line ${i + 1} → call_api`, total: 1_250,
        counts: { succeeded: 1_000, running: 250 } }));
    view.more_groups = 2;
    const { el } = mount(view);
    assert.equal(el.querySelectorAll(".fnb-group").length, 40);
    assert.equal(el.querySelectorAll(".fnb-row").length, 0);
    assert.equal(text(el.querySelector(".fnb-more")), "… and 2 more groups");
  });
});

describe("run page", () => {
  const ended = (fields = {}) => ({ ...mixedView(), page: true, ...fields });

  /** A stand-in for the tab window.open gives, and the browser APIs a page opening uses. */
  function stubBrowser() {
    const tab = { opener: window, closed: false, location: { href: "" }, close() { this.closed = true; } };
    const opened = [];
    const blobs = [];
    const timers = [];
    const saved = { open: window.open, create: URL.createObjectURL, revoke: URL.revokeObjectURL, setTimeout: globalThis.setTimeout };
    window.open = (...args) => { opened.push(args); return tab; };
    URL.createObjectURL = (blob) => { blobs.push(blob); return `blob:test/${blobs.length}`; };
    URL.revokeObjectURL = () => {};
    globalThis.setTimeout = (callback, ms) => { timers.push(ms); };
    const restore = () => {
      window.open = saved.open;
      URL.createObjectURL = saved.create;
      URL.revokeObjectURL = saved.revoke;
      globalThis.setTimeout = saved.setTimeout;
    };
    return { tab, opened, blobs, timers, restore };
  }

  test("only an ended run whose page is written offers it in the header", () => {
    const { el, model } = mount(ended({ done: false, phase: "running" }));
    assert.equal(el.querySelector(".fnb-page"), null);
    model.set("view", ended({ page: false }));
    assert.equal(el.querySelector(".fnb-page"), null);
    model.set("view", ended());
    assert.equal(text(el.querySelector(".fnb-header .fnb-page")), "run page");
  });

  test("a click opens a blank tab at once, cut off from this page, and asks the kernel for the page", () => {
    const browser = stubBrowser();
    try {
      const { el, model } = mount(ended());
      model.take();
      el.querySelector(".fnb-page").click();
      assert.deepEqual(browser.opened, [["", "_blank"]]);
      assert.equal(browser.tab.opener, null);
      assert.deepEqual(model.take().map((m) => m.type), ["page"]);
    } finally {
      browser.restore();
    }
  });

  test("the page goes to that tab as a wrapper document that runs it in a sandboxed frame", async () => {
    const browser = stubBrowser();
    try {
      const { el, model } = mount(ended());
      el.querySelector(".fnb-page").click();
      const [request] = model.take();
      const page = '<h1 id="mine">Run r</h1><script>window.top.document.title = "owned"</script>';
      model.trigger("msg:custom", { type: "page", request: request.request, html: page, run: "r-43yzn1" });
      assert.equal(browser.tab.location.href, "blob:test/1");
      assert.equal(browser.blobs[0].type, "text/html");
      assert.deepEqual(browser.timers, [PAGE_URL_LIFETIME * 1000]); // the URL is freed later
      const wrapper = new JSDOM(await browser.blobs[0].text()).window.document;
      const frame = wrapper.querySelector("iframe");
      assert.equal(frame.getAttribute("sandbox"), "allow-scripts"); // no allow-same-origin: an opaque origin
      assert.equal(frame.getAttribute("srcdoc"), page);
      assert.equal(wrapper.querySelectorAll("script").length, 0, "the wrapper runs nothing itself");
      assert.equal(wrapper.querySelector("#mine"), null, "the page is not parsed into the wrapper");
      assert.equal(wrapper.title, "Run r-43yzn1");
      assert.equal(el.querySelector("#mine"), null);
    } finally {
      browser.restore();
    }
  });

  test("a page the kernel cannot give closes the tab and says why", () => {
    const browser = stubBrowser();
    try {
      const { el, model } = mount(ended());
      el.querySelector(".fnb-page").click();
      const [request] = model.take();
      model.trigger("msg:custom", { type: "page", request: request.request, error: "no run page yet" });
      assert.ok(browser.tab.closed);
      assert.equal(browser.blobs.length, 0);
      assert.equal(text(el.querySelector(".fnb-notice")), "no run page yet");
    } finally {
      browser.restore();
    }
  });
});

describe("pageDocument", () => {
  test("escapes the page into the frame's srcdoc and the title", () => {
    const doc = pageDocument('<p class="a">&amp; \'x\'</p>', "Run <b>");
    assert.ok(doc.includes('srcdoc="&lt;p class=&quot;a&quot;&gt;&amp;amp; &#39;x&#39;&lt;/p&gt;"'));
    assert.ok(doc.includes("<title>Run &lt;b&gt;</title>"));
  });
});
