// The pure helpers of widget.js: formatting, progress geometry, list windowing, gauges, timeline.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  LIST_HEIGHT,
  ROW_HEIGHT,
  formatClock,
  formatCount,
  formatDuration,
  gaugeCells,
  groupStats,
  segments,
  timelineShapes,
  visibleRange,
} from "../widget.js";
import { STATES, counts, group, largeView, mixedView, semaphoreView } from "./fixtures.js";

const close = (actual, expected, message) => assert.ok(Math.abs(actual - expected) < 1e-9, message ?? `${actual} ≉ ${expected}`);
const sum = (values) => values.reduce((a, b) => a + b, 0);
const finished = (c) => (c.succeeded || 0) + (c.cached || 0) + (c.failed || 0) + (c.cancelled || 0);

describe("constants", () => {
  test("the list viewport holds ten rows", () => {
    assert.equal(ROW_HEIGHT, 22);
    assert.equal(LIST_HEIGHT, 220);
    assert.equal(LIST_HEIGHT / ROW_HEIGHT, 10);
  });
});

describe("formatDuration", () => {
  test("missing or non-finite values are a dash", () => {
    for (const value of [null, undefined, NaN, Infinity, -Infinity]) assert.equal(formatDuration(value), "–");
  });

  test("under a second in milliseconds", () => {
    assert.equal(formatDuration(0), "0 ms");
    assert.equal(formatDuration(0.0004), "0 ms");
    assert.equal(formatDuration(0.0126), "13 ms");
    assert.equal(formatDuration(0.85), "850 ms");
  });

  test("under a minute in seconds with one decimal", () => {
    assert.equal(formatDuration(1), "1.0 s");
    assert.equal(formatDuration(1.234), "1.2 s");
    assert.equal(formatDuration(59.9), "59.9 s");
  });

  test("a minute and more in minutes and whole seconds", () => {
    assert.equal(formatDuration(60), "1 min 0 s");
    assert.equal(formatDuration(200), "3 min 20 s");
    assert.equal(formatDuration(3725.2), "62 min 5 s");
  });

  test("rounding never shows 1000 ms, 60.0 s or 60 s within a minute", () => {
    assert.equal(formatDuration(0.9996), "1.0 s");
    assert.equal(formatDuration(59.96), "1 min 0 s");
    assert.equal(formatDuration(119.7), "2 min 0 s");
    assert.equal(formatDuration(179.5), "3 min 0 s");
    for (let s = 0.5; s < 4000; s += 0.37) {
      const text = formatDuration(s);
      assert.doesNotMatch(text, /^1000 ms$|^60\.0 s$| 60 s$/, `${s} → ${text}`);
    }
  });
});

describe("formatClock", () => {
  test("minutes and seconds to a tenth", () => {
    assert.equal(formatClock(0), "00:00.0");
    assert.equal(formatClock(1.23), "00:01.2");
    assert.equal(formatClock(12.34), "00:12.3");
    assert.equal(formatClock(75.5), "01:15.5");
    assert.equal(formatClock(3600), "60:00.0");
  });

  test("missing or negative time is zero", () => {
    assert.equal(formatClock(null), "00:00.0");
    assert.equal(formatClock(undefined), "00:00.0");
    assert.equal(formatClock(-3), "00:00.0");
  });

  test("rounding up to the next minute carries into the minutes", () => {
    assert.equal(formatClock(59.96), "01:00.0");
    assert.equal(formatClock(119.99), "02:00.0");
    for (let s = 0; s < 400; s += 0.013) {
      const text = formatClock(s);
      assert.match(text, /^\d{2,}:[0-5]\d\.\d$/, `${s} → ${text}`);
    }
  });
});

describe("formatCount", () => {
  test("thousands separators, missing is 0", () => {
    assert.equal(formatCount(0), "0");
    assert.equal(formatCount(undefined), "0");
    assert.equal(formatCount(null), "0");
    assert.equal(formatCount(999), "999");
    assert.equal(formatCount(50_000), "50,000");
    assert.equal(formatCount(1_234_567), "1,234,567");
  });
});

describe("segments", () => {
  test("drawing order follows the view's states and zero states are left out", () => {
    const result = segments(counts({ queued: 2, failed: 1, succeeded: 5 }), 10, STATES);
    assert.deepEqual(result.map((s) => s.state), ["succeeded", "failed", "queued"]);
    assert.deepEqual(result, [
      { state: "succeeded", percent: 50 },
      { state: "failed", percent: 10 },
      { state: "queued", percent: 20 },
    ]);
  });

  test("finished widths sum to 100 × finished / total", () => {
    const c = counts({ succeeded: 17, cached: 4, failed: 3, cancelled: 1 });
    for (const total of [25, 40, 333, 50_000]) {
      const result = segments(c, total, STATES);
      assert.equal(result.length, 4);
      close(sum(result.map((s) => s.percent)), (100 * finished(c)) / total);
    }
  });

  test("a finished run fills the bar", () => {
    const view = mixedView();
    close(sum(segments(view.counts, view.total, view.states).map((s) => s.percent)), 100);
  });

  test("running and queued are drawn after the finished states", () => {
    const view = largeView();
    const [g] = view.groups;
    const result = segments(g.counts, g.total, view.states);
    assert.deepEqual(result.map((s) => s.state), ["succeeded", "running"]);
    close(result[0].percent, (100 * 29_950) / 50_000);
    close(result[1].percent, 0.1);
  });

  test("empty counts or a zero total give no NaN or Infinity", () => {
    assert.deepEqual(segments(counts(), 0, STATES), []);
    assert.deepEqual(segments({}, 10, STATES), []);
    const result = segments({ running: 1 }, 0, STATES);
    assert.deepEqual(result, [{ state: "running", percent: 100 }]);
  });

  test("the order is the one given (Python's), not one of its own; states not given are not drawn", () => {
    const c = counts({ queued: 1, running: 2, succeeded: 3 });
    assert.deepEqual(segments(c, 6, ["queued", "running", "succeeded"]).map((s) => s.state),
      ["queued", "running", "succeeded"]);
    assert.deepEqual(segments(c, 6, ["running"]).map((s) => s.state), ["running"]);
  });
});

describe("visibleRange", () => {
  test("50,000 rows scrolled to row 1000: ten visible rows plus ten of overscan each side", () => {
    assert.deepEqual(visibleRange(ROW_HEIGHT * 1000, LIST_HEIGHT, ROW_HEIGHT, 50_000), { start: 990, end: 1020 });
  });

  test("at the top the window starts at 0", () => {
    assert.deepEqual(visibleRange(0, LIST_HEIGHT, ROW_HEIGHT, 50_000), { start: 0, end: 20 });
    assert.deepEqual(visibleRange(-50, LIST_HEIGHT, ROW_HEIGHT, 50_000), { start: 0, end: 20 });
  });

  test("the first visible row is the one the scroll position is in", () => {
    assert.deepEqual(visibleRange(ROW_HEIGHT * 1000 + 11, LIST_HEIGHT, ROW_HEIGHT, 50_000), { start: 990, end: 1020 });
    assert.deepEqual(visibleRange(ROW_HEIGHT * 1001, LIST_HEIGHT, ROW_HEIGHT, 50_000), { start: 991, end: 1021 });
  });

  test("the end is clamped to the total", () => {
    assert.deepEqual(visibleRange(0, LIST_HEIGHT, ROW_HEIGHT, 5), { start: 0, end: 5 });
    assert.deepEqual(visibleRange(0, LIST_HEIGHT, ROW_HEIGHT, 0), { start: 0, end: 0 });
    const bottom = ROW_HEIGHT * (50_000 - 10);
    assert.deepEqual(visibleRange(bottom, LIST_HEIGHT, ROW_HEIGHT, 50_000), { start: 49_980, end: 50_000 });
  });

  test("scrolled past the end (the list shrank) shows the last rows, never an empty window", () => {
    assert.deepEqual(visibleRange(ROW_HEIGHT * 1000, LIST_HEIGHT, ROW_HEIGHT, 100), { start: 80, end: 100 });
    assert.deepEqual(visibleRange(ROW_HEIGHT * 1000, LIST_HEIGHT, ROW_HEIGHT, 3), { start: 0, end: 3 });
  });

  test("overscan is a parameter", () => {
    assert.deepEqual(visibleRange(ROW_HEIGHT * 1000, LIST_HEIGHT, ROW_HEIGHT, 50_000, 0), { start: 1000, end: 1010 });
  });

  test("always 0 ≤ start ≤ end ≤ total, and never more rows than the viewport plus overscan", () => {
    for (const total of [0, 1, 7, 35, 1000, 50_000]) {
      for (let scrollTop = -100; scrollTop < ROW_HEIGHT * (total + 50); scrollTop += 97) {
        const { start, end } = visibleRange(scrollTop, LIST_HEIGHT, ROW_HEIGHT, total);
        const where = `total ${total}, scrollTop ${scrollTop}: [${start}, ${end})`;
        assert.ok(Number.isInteger(start) && Number.isInteger(end), where);
        assert.ok(0 <= start && start <= end && end <= total, where);
        assert.ok(end - start <= LIST_HEIGHT / ROW_HEIGHT + 20, where);
        if (total > 0) assert.ok(end > start, where);
      }
    }
  });
});

describe("gaugeCells", () => {
  test("one cell per slot, held ones filled", () => {
    assert.deepEqual(gaugeCells(3, 3), { shown: 3, filled: 3, truncated: false });
    assert.deepEqual(gaugeCells(3, 1), { shown: 3, filled: 1, truncated: false });
    assert.deepEqual(gaugeCells(5, 0), { shown: 5, filled: 0, truncated: false });
  });

  test("held is capped at the cells shown", () => {
    assert.deepEqual(gaugeCells(3, 5), { shown: 3, filled: 3, truncated: false });
  });

  test("at most 60 cells; beyond that the gauge says it is truncated", () => {
    assert.deepEqual(gaugeCells(60, 60), { shown: 60, filled: 60, truncated: false });
    assert.deepEqual(gaugeCells(61, 10), { shown: 60, filled: 10, truncated: true });
    assert.deepEqual(gaugeCells(1000, 80), { shown: 60, filled: 60, truncated: true });
  });
});

describe("groupStats", () => {
  test("done is the group's finished count as Python sent it", () => {
    assert.equal(groupStats(group({ total: 8, counts: { succeeded: 5, running: 3 }, finished: 6 })), "6/8");
  });

  test("done/total, rate and ETA while running", () => {
    assert.equal(groupStats(group({ total: 8, counts: { succeeded: 5, running: 3 }, rate: 6.1, eta: 0.5 })),
      "5/8  6.1/s  ETA 500 ms");
    const [g] = largeView().groups;
    assert.equal(groupStats(g), "29,950/50,000  15306.1/s  ETA 1.3 s");
  });

  test("no rate when zero and no ETA when unknown or done", () => {
    assert.equal(groupStats(group({ total: 3, counts: { running: 3 } })), "0/3");
    assert.equal(groupStats(group({ total: 4, counts: { succeeded: 4 }, rate: 19.89, eta: 0 })), "4/4  19.9/s");
  });

  test("cached and failed counts are added when present", () => {
    const [, map] = mixedView().groups;
    assert.equal(groupStats(map), "4/4  2016.0/s  failed 1");
    assert.equal(groupStats(group({ total: 10, counts: { cached: 4, failed: 2, succeeded: 4 } })),
      "10/10  cached 4  failed 2");
  });
});

describe("timelineShapes (bars)", () => {
  const width = 600;
  const laneHeight = 14;

  test("one rect per bar, inside the chart, in the lane of its group", () => {
    const view = mixedView();
    const shapes = timelineShapes(view.timeline, [1, 2], width, laneHeight);
    assert.equal(shapes.rects.length, view.timeline.bars.length);
    assert.deepEqual(shapes.paths, []);
    assert.equal(shapes.lanes, 2);
    shapes.rects.forEach((r, i) => {
      const [groupId, , , state] = view.timeline.bars[i];
      assert.equal(r.state, state);
      assert.equal(r.y, (groupId - 1) * laneHeight + 2);
      assert.equal(r.height, laneHeight - 4);
      assert.ok(r.x >= 0 && r.x <= width, `x ${r.x}`);
      assert.ok(r.width >= 1 && r.x + r.width <= width + 1, `x ${r.x} width ${r.width}`);
    });
  });

  test("x scales time to the width; a bar is never thinner than 1", () => {
    const shapes = timelineShapes({ mode: "bars", span: 10, bars: [[1, 0, 5, "succeeded"], [1, 5, 5, "failed"]] },
      [1], width, laneHeight);
    assert.deepEqual(shapes.rects.map((r) => [r.x, r.width]), [[0, 300], [300, 1]]);
  });

  test("a running bar (no end) reaches the end of the span", () => {
    const view = semaphoreView();
    const shapes = timelineShapes(view.timeline, [1], width, laneHeight);
    assert.equal(shapes.rects.length, 3);
    for (const r of shapes.rects) {
      close(r.x + r.width, width);
      assert.equal(r.state, "running");
    }
  });

  test("times past the span are clamped to the right edge", () => {
    const shapes = timelineShapes({ mode: "bars", span: 0.2, bars: [[1, 0.1, 0.2004, "succeeded"]] }, [1], width, 14);
    close(shapes.rects[0].x + shapes.rects[0].width, width);
  });

  test("lanes follow the order of groupIds; groups not listed share one extra lane below", () => {
    const timeline = {
      mode: "bars",
      span: 1,
      bars: [[7, 0, 0.5, "succeeded"], [3, 0.1, 0.2, "failed"], [99, 0.2, 0.3, "running"], [98, 0.3, 0.4, "queued"]],
    };
    const shapes = timelineShapes(timeline, [3, 5, 7], width, laneHeight);
    assert.deepEqual(shapes.rects.map((r) => (r.y - 2) / laneHeight), [2, 0, 3, 3]);
    assert.equal(shapes.lanes, 4);
    for (const r of shapes.rects) assert.ok(r.y + r.height <= shapes.lanes * laneHeight, `y ${r.y} below the chart`);
  });

  test("the extra lane fits in the chart even when a listed group has no bars yet", () => {
    const timeline = { mode: "bars", span: 1, bars: [[1, 0, 0.5, "running"], [42, 0, 0.5, "running"]] };
    const shapes = timelineShapes(timeline, [1, 2], width, laneHeight);
    assert.equal(shapes.lanes, 3);
    for (const r of shapes.rects) assert.ok(r.y + r.height <= shapes.lanes * laneHeight, `y ${r.y} below the chart`);
  });

  test("every listed group has a lane, and there is at least one", () => {
    assert.equal(timelineShapes({ mode: "bars", span: 0, bars: [] }, [], width, laneHeight).lanes, 1);
    assert.equal(timelineShapes({ mode: "bars", span: 0, bars: [] }, [1, 2, 3], width, laneHeight).lanes, 3);
  });
});

describe("timelineShapes (density)", () => {
  const width = 600;
  const laneHeight = 14;

  /** [x, y] of every point of a path's d attribute. */
  const points = (d) => [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

  test("one closed path per lane, no rects", () => {
    const view = largeView();
    const shapes = timelineShapes(view.timeline, [1], width, laneHeight);
    assert.equal(shapes.rects.length, 0);
    assert.equal(shapes.paths.length, 2);
    assert.equal(shapes.lanes, 2);
    assert.deepEqual(shapes.paths.map((p) => p.label), ["map noop (concurrency 50)", "wide"]);
    for (const p of shapes.paths) assert.match(p.d, /^M0 [\d.]+ .* Z$/);
  });

  test("the area spans the width and stays inside its own lane", () => {
    const view = largeView();
    const shapes = timelineShapes(view.timeline, [1], width, laneHeight);
    shapes.paths.forEach((p, lane) => {
      const pts = points(p.d);
      const bins = view.timeline.lanes[lane].bins.length;
      assert.equal(pts.length, 2 * bins + 2);
      for (const [x, y] of pts) {
        assert.ok(x >= 0 && x <= width, `x ${x}`);
        assert.ok(y >= lane * laneHeight && y <= (lane + 1) * laneHeight, `lane ${lane}: y ${y}`);
      }
      close(Math.max(...pts.map(([x]) => x)), width);
    });
  });

  test("heights are relative to the lane's peak, which counts the running actions too", () => {
    const timeline = { mode: "density", span: 0.2, bin: 0.05, lanes: [
      { group: 1, label: "a", bins: [0, 2, 4, 1], running: 0 },
      { group: 2, label: "b", bins: [0.5, 0.5], running: 3 },
    ] };
    const shapes = timelineShapes(timeline, [1, 2], 400, 23);
    assert.deepEqual(shapes.paths.map((p) => p.peak), [4, 3]);
    // the area's top in each bin: lane bottom minus (value / peak) of the lane height less 3
    const tops = points(shapes.paths[0].d).slice(1, -1).filter((_, i) => i % 2 === 0).map(([, y]) => y);
    assert.deepEqual(tops, [23, 23 - (2 / 4) * 20, 23 - 20, 23 - (1 / 4) * 20]);
    assert.deepEqual(points(shapes.paths[0].d).map(([x]) => x), [0, 0, 100, 100, 200, 200, 300, 300, 400, 400]);
  });

  test("a lane with no bins yet is a flat line, and no lanes still give one lane", () => {
    const shapes = timelineShapes({ mode: "density", span: 0.05, bin: 0.05, lanes: [
      { group: 1, label: "a", bins: [], running: 2 }] }, [1], width, laneHeight);
    assert.equal(shapes.paths.length, 1);
    for (const [, y] of points(shapes.paths[0].d)) assert.equal(y, laneHeight);
    assert.equal(timelineShapes({ mode: "density", span: 0.05, bin: 0.05, lanes: [] }, [], width, laneHeight).lanes, 1);
  });
});
