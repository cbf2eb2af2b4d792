// Views and replies shaped like flyte_nb/notebook/_view.py: RunView.model(), .rows() and
// .action(). The first three are trimmed copies of what RunView produced for real runs of
// flyte_nb (a semaphore fanout, a group plus a failing map, a wide map); each call returns
// a fresh object, so a test may change it freely.

const zero = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, cached: 0 };

/** view.states: the drawing order Python sends (flyte_nb/notebook/_legend.py). */
export const STATES = ["succeeded", "cached", "failed", "cancelled", "running", "queued"];

/** `counts` with every state present, as Python sends it. */
export function counts(values = {}) {
  return { ...zero, ...values };
}

/** One entry of view.groups (`finished` as RunView counts it, unless given). */
export function group(fields = {}) {
  const c = counts(fields.counts);
  const finished = c.succeeded + c.cached + c.failed + c.cancelled;
  return {
    id: 1,
    kind: "fanout",
    name: "call_api",
    label: "gather @ cell [4], line 9 → call_api",
    site: "cell [4], line 9",
    concurrency: 0,
    total: 8,
    started: 8,
    running: c.running,
    rate: 0.0,
    eta: null,
    overhead: null,
    runtime: null,
    finished,
    ...fields,
    counts: c,
  };
}

/** A run in flight: asyncio.Semaphore(3) around a gather of 8 calls, 3 running, 5 waiting. */
export function semaphoreView() {
  return {
    run: "r-0nzjso",
    task: "widget.with_semaphore",
    backend: "local",
    phase: "running",
    done: false,
    elapsed: 0.101,
    version: 8,
    total: 4,
    counts: counts({ running: 4 }),
    counts_text: "0 succeeded · 4 running · 0 queued · 0 failed",
    states: STATES,
    rejected: 0,
    cancel_reason: null,
    error: null,
    groups: [group({ total: 3, started: 3, counts: { running: 3 } })],
    more_groups: 0,
    semaphores: [{ id: 0, site: "cell [4], line 6", limit: 3, held: 3, waiting: 5 }],
    timeline: {
      mode: "bars",
      span: 0.101,
      bars: [
        [1, 0.0001, null, "running"],
        [1, 0.0002, null, "running"],
        [1, 0.0002, null, "running"],
      ],
    },
    advice: [],
  };
}

/** A finished run: group "phase1" of 4 calls, then flyte.map(fails, range(4), concurrency=2). */
export function mixedView() {
  return {
    run: "r-43yzn1",
    task: "widget.mixed",
    backend: "local",
    phase: "succeeded",
    done: true,
    elapsed: 0.204,
    version: 28,
    total: 9,
    counts: counts({ succeeded: 8, failed: 1 }),
    counts_text: "8 succeeded · 0 running · 0 queued · 1 failed",
    states: STATES,
    rejected: 0,
    cancel_reason: null,
    error: null,
    groups: [
      group({ id: 1, kind: "group", name: "phase1", label: 'group "phase1"', site: "cell [5], line 3",
        total: 4, started: 4, counts: { succeeded: 4 }, rate: 19.89, overhead: 2e-6, runtime: 0.201056 }),
      group({ id: 2, kind: "map", name: "map fails", label: "map fails (concurrency 2)", site: "cell [5], line 5",
        concurrency: 2, total: 4, started: 4, counts: { succeeded: 3, failed: 1 }, rate: 2015.99,
        overhead: 4e-6, runtime: 1.6e-5 }),
    ],
    more_groups: 0,
    semaphores: [],
    timeline: {
      mode: "bars",
      span: 0.204,
      bars: [
        [1, 0.0002, 0.2012, "succeeded"],
        [1, 0.0002, 0.2013, "succeeded"],
        [1, 0.0002, 0.2013, "succeeded"],
        [1, 0.0002, 0.2013, "succeeded"],
        [2, 0.2017, 0.2018, "succeeded"],
        [2, 0.2018, 0.2018, "succeeded"],
        [2, 0.2019, 0.2019, "failed"],
        [2, 0.2037, 0.2037, "succeeded"],
      ],
    },
    advice: [],
  };
}

/** A run of 50,000 actions in flight: flyte.map(noop, range(50_000), concurrency=50); the
 * timeline is in density mode (more than MAX_BARS actions), one lane per busy group. */
export function largeView() {
  const bin = 0.05;
  const used = 40;
  const mapBins = Array.from({ length: used }, (_, b) => Math.min(50, b * 2.5));
  return {
    run: "r-zjst4l",
    task: "widget.wide",
    backend: "local",
    phase: "running",
    done: false,
    elapsed: 1.96,
    version: 1204,
    total: 30_001,
    counts: counts({ succeeded: 29_950, running: 51 }),
    counts_text: "29,950 succeeded · 51 running · 0 queued · 0 failed",
    states: STATES,
    rejected: 0,
    cancel_reason: null,
    error: null,
    groups: [
      group({ id: 1, kind: "map", name: "map noop", label: "map noop (concurrency 50)", site: "cell [7], line 4",
        concurrency: 50, total: 50_000, started: 30_000, counts: { succeeded: 29_950, running: 50 },
        rate: 15_306.12, eta: 1.3, overhead: 1e-6, runtime: 1e-6 }),
    ],
    more_groups: 0,
    semaphores: [],
    timeline: {
      mode: "density",
      span: Math.round(used * bin * 1000) / 1000,
      bin,
      lanes: [
        { group: 1, label: "map noop (concurrency 50)", bins: mapBins, running: 50 },
        { group: 0, label: "wide", bins: Array(used).fill(1), running: 1 },
      ],
    },
    advice: [],
  };
}

/** One row of a rows() page. */
export function row(id, fields = {}) {
  return {
    id,
    name: "widget.noop",
    state: "succeeded",
    attempts: 1,
    start: 0.0002 * id,
    duration: 0.0004,
    overhead: { u: 0.0, d: 0.0, e: 2e-6, t: 0.0 },
    error: null,
    ...fields,
  };
}

/** A rows() reply as the widget sends it: {type: "rows", request, group, state, total, offset, rows}. */
export function rowsReply({ group: groupId = 1, state = null, total, offset = 0, count, request = 1 }) {
  const rows = Array.from({ length: count }, (_, i) => row(groupId * 100_000 + offset + i + 1));
  return { type: "rows", request, group: groupId, state, total, offset, rows };
}

/** An action() reply for the failed map item of mixedView(). */
export function failedActionReply() {
  return {
    type: "action",
    request: 3,
    id: 7,
    name: "widget.fails",
    state: "failed",
    attempts: 2,
    start: 0.2019,
    duration: 0.0012,
    overhead: { u: 0.0, d: 0.0, e: 2e-6, t: 0.0 },
    error: "KeyError: 'no item 2'",
    parent: 0,
    group: 2,
    traceback:
      "Traceback (most recent call last):\n" +
      '  File "/work/main/flyte_nb/executors/_local.py", line 41, in submit\n' +
      "    return await task.func(*spec.args, **spec.kwargs)\n" +
      '  File "<cell [5]>", line 4, in fails\n' +
      '    raise KeyError(f"no item {x}")\n' +
      "KeyError: 'no item 2'\n",
    history: [
      { attempt: 1, state: "failed", duration: 0.004, error: "KeyError: 'no item 2'" },
      { attempt: 2, state: "failed", duration: 0.006, error: "KeyError: 'no item 2'" },
    ],
    traces: [{ name: "lookup", start: 0.202, duration: 0.0003, error: null }],
    logs: "looking up 2\n",
  };
}
