// The cluster in the run widget's header (widget.js): workers and busy threads, and the
// dashboard link (a new tab, no opener, no referrer); a link that is not http(s) is never drawn.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { clusterLabel, dashboardHref, render } from "../widget.js";
import { mixedView } from "./fixtures.js";
import { eachTestInAFreshDocument, mount } from "./mock.js";

const cluster = (dashboard, extra = {}) => ({ workers: 2, threads: 16, busy: 3, dashboard, dashboard_note: null, ...extra });

eachTestInAFreshDocument();

describe("the cluster in the header", () => {
  test("the header shows the workers and busy threads, and links the dashboard in a new tab", () => {
    const shown = mount(render, { ...mixedView(), cluster: cluster("http://10.0.0.5:8787/status", { dashboard_note: "note" }) });
    const header = shown.el.querySelector(".fnb-header");
    assert.equal(header.querySelector(".fnb-cluster").textContent, "2 workers · 3/16 threads busy");
    const link = header.querySelector("a.fnb-dashboard");
    assert.equal(link.getAttribute("href"), "http://10.0.0.5:8787/status");
    assert.equal(link.getAttribute("target"), "_blank");
    assert.equal(link.getAttribute("rel"), "noopener noreferrer");
    assert.equal(link.getAttribute("title"), "note");
    assert.equal(link.textContent, "dashboard");
  });

  test("a javascript: or data: link is never rendered, and neither is its text", () => {
    for (const bad of ["javascript:alert(1)", " javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>",
      "//evil.example/x", "file:///etc/passwd", "java\tscript:alert(1)"]) {
      const shown = mount(render, { ...mixedView(), cluster: cluster(bad) });
      assert.equal(shown.el.querySelector("a"), null, bad);
      assert.ok(!shown.el.innerHTML.includes("javascript"), bad);
      assert.equal(shown.el.querySelector(".fnb-cluster").textContent, "2 workers · 3/16 threads busy");
      shown.cleanup?.();
      shown.el.remove();
    }
  });

  test("a note or a link with markup stays text", () => {
    const shown = mount(render, { ...mixedView(), cluster: cluster('http://h:1/"><img src=x onerror=alert(1)>', { dashboard_note: "<b>x</b>" }) });
    assert.equal(shown.el.querySelector("img"), null);
    assert.equal(shown.el.querySelector("b"), null);
  });

  test("no cluster: no line and no link (the local and docker backends)", () => {
    const shown = mount(render, { ...mixedView(), cluster: null });
    assert.equal(shown.el.querySelector(".fnb-cluster"), null);
    assert.equal(shown.el.querySelector(".fnb-dashboard"), null);
  });

  test("dashboardHref keeps http(s) links and proxy paths, and nothing else", () => {
    const base = "https://hub.example/user/me/lab";
    assert.equal(dashboardHref("https://d.example:8787/status", base), "https://d.example:8787/status");
    assert.equal(dashboardHref("/user/me/proxy/8787/status", base), "https://hub.example/user/me/proxy/8787/status");
    for (const bad of ["javascript:alert(1)", "vbscript:x", "data:,x", "//evil.example", "status", "", null, 42, "http://a b"]) {
      assert.equal(dashboardHref(bad, base), null, String(bad));
    }
  });

  test("clusterLabel says one worker in the singular", () => {
    assert.equal(clusterLabel({ workers: 1, threads: 4, busy: 0 }), "1 worker · 0/4 threads busy");
  });
});
