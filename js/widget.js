// flyte_nb run widget: a live view of one run, rendered by anywidget.
//
// Python owns the state. It sends one `view` object at most ten times a second; this
// module only draws it. What states are called and in which order they are drawn come in
// that view too (`view.states`, `view.counts_text`, each group's `finished`): the static
// snapshot reads them from the same Python table, so both show the same words. Pages of
// a group's actions and one action's detail are asked for with custom messages, so a run
// of 50,000 actions never puts 50,000 rows in the DOM.

export const ROW_HEIGHT = 22;
export const LIST_HEIGHT = 220;
const SVG_NS = "http://www.w3.org/2000/svg";

// ---------------------------------------------------------------- pure helpers (tested)

/** "850 ms", "1.2 s", "3 min 20 s". */
export function formatDuration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "–";
  // thresholds at the rounding points, so 0.9996 is "1.0 s" (not "1000 ms") and 59.96 is "1 min 0 s"
  if (seconds < 0.9995) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const m = Math.floor(whole / 60);
  return `${m} min ${whole - m * 60} s`;
}

/** "00:01.2" style clock for the header. */
export function formatClock(seconds) {
  const s = Math.round(Math.max(0, seconds || 0) * 10) / 10; // round first: 59.96 is 01:00.0, not 00:60.0
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, "0")}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

export function formatCount(n) {
  return (n || 0).toLocaleString("en-US");
}

/** Widths (percent of `total`) of the stacked progress bar, in the drawing order `states`
 * (the view's), zeros left out. */
export function segments(counts, total, states) {
  const denominator = Math.max(total || 0, 1);
  return states.filter((state) => (counts[state] || 0) > 0).map((state) => ({
    state,
    percent: (100 * counts[state]) / denominator,
  }));
}

/** Which rows of a virtualized list to draw: [start, end) around the visible window. */
export function visibleRange(scrollTop, viewportHeight, rowHeight, total, overscan = 10) {
  const count = Math.ceil(viewportHeight / rowHeight);
  // scrolled past the end (the list got shorter): show the last rows, never an empty window past `total`
  const first = Math.min(Math.floor(Math.max(0, scrollTop) / rowHeight), Math.max(0, total - count));
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

/** Gauge cells for a limit: one per slot, `held` of them filled (capped, as text beyond 60). */
export function gaugeCells(limit, held) {
  const shown = Math.min(limit, 60);
  const filled = Math.min(held, shown);
  return { shown, filled, truncated: limit > shown };
}

/** One group's progress line: "5/8  6.1/s  ETA 500 ms  failed 1". */
export function groupStats(group) {
  const done = group.finished;
  const parts = [`${formatCount(done)}/${formatCount(group.total)}`];
  if (group.rate) parts.push(`${group.rate.toFixed(1)}/s`);
  if (group.eta != null && done < group.total) parts.push(`ETA ${formatDuration(group.eta)}`);
  if (group.counts.cached) parts.push(`cached ${formatCount(group.counts.cached)}`);
  if (group.counts.failed) parts.push(`failed ${formatCount(group.counts.failed)}`);
  return parts.join("  ");
}

/** Geometry of the timeline: rectangles (bars mode) or area paths (density mode). */
export function timelineShapes(timeline, groupIds, width, laneHeight) {
  const span = Math.max(timeline.span || 0, 1e-6);
  const x = (t) => (Math.min(t, span) / span) * width;
  if (timeline.mode === "bars") {
    const lanes = new Map(groupIds.map((id, i) => [id, i]));
    let used = 0; // lanes that bars reach: groups not in groupIds share one extra lane below the rest
    const rects = timeline.bars.map(([group, start, end, state]) => {
      const lane = lanes.has(group) ? lanes.get(group) : groupIds.length;
      used = Math.max(used, lane + 1);
      const right = end == null ? span : end;
      return {
        x: x(start),
        y: lane * laneHeight + 2,
        width: Math.max(1, x(right) - x(start)),
        height: laneHeight - 4,
        state,
      };
    });
    return { lanes: Math.max(1, used, groupIds.length), rects, paths: [] };
  }
  const paths = (timeline.lanes || []).map((lane, i) => {
    const peak = Math.max(1, ...lane.bins, lane.running || 0);
    const step = (timeline.bin / span) * width;
    const top = i * laneHeight;
    let d = `M0 ${top + laneHeight}`;
    lane.bins.forEach((v, b) => {
      const y = top + laneHeight - (v / peak) * (laneHeight - 3);
      d += ` L${(b * step).toFixed(1)} ${y.toFixed(1)} L${((b + 1) * step).toFixed(1)} ${y.toFixed(1)}`;
    });
    d += ` L${(lane.bins.length * step).toFixed(1)} ${top + laneHeight} Z`;
    return { d, label: lane.label, peak };
  });
  return { lanes: Math.max(1, paths.length), rects: [], paths };
}

/** Text made safe inside HTML (element content and double-quoted attributes). */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** The document a run page opens in, in a tab of its own: the page fills a frame sandboxed
 * without allow-same-origin, so the page and the reports in it run in an opaque origin and
 * can touch neither this wrapper nor JupyterLab. The wrapper itself runs no script. */
export function pageDocument(page, title) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    "<style>html,body{margin:0;height:100%;overflow:hidden}iframe{display:block;border:0;width:100%;height:100%}</style>" +
    `</head><body><iframe sandbox="allow-scripts" title="${escapeHtml(title)}" srcdoc="${escapeHtml(page)}"></iframe></body></html>`;
}

/** Seconds a run page's blob URL lives (its tab has loaded it long before). */
export const PAGE_URL_LIFETIME = 60;

/** "2026-01-05 09:07" in the browser's time zone, from seconds since the epoch. */
export function formatWhen(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The header's note on a past run (`view.past`): when it ran, or that it is still going
 * elsewhere and this is its last recorded state. */
export function pastLabel(past) {
  const when = past.started != null && isFinite(past.started) ? formatWhen(past.started) : "at an unknown time";
  if (past.running) return `still running elsewhere · last recorded state · started ${when}`;
  return `past run · ran ${when}` + (past.lost ? " · its kernel ended mid-run" : "");
}

/** The dashboard link a header may show: an http(s) URL, or a path on the notebook's own
 * server (a JupyterHub proxy's), resolved against `base`; null for anything else
 * (`javascript:`, `data:`, a link that does not parse). */
export function dashboardHref(link, base) {
  if (typeof link !== "string" || !link || /[\u0000-\u0020\u007f\\]/.test(link)) return null;
  if (!/^https?:\/\//i.test(link) && !(link.startsWith("/") && !link.startsWith("//"))) return null;
  try {
    const url = new URL(link, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The header's cluster line (`view.cluster`): "2 workers · 3/16 threads busy". */
export function clusterLabel(cluster) {
  const workers = cluster.workers || 0;
  return `${formatCount(workers)} worker${workers === 1 ? "" : "s"} · ` +
    `${formatCount(cluster.busy || 0)}/${formatCount(cluster.threads || 0)} threads busy`;
}

// ---------------------------------------------------------------- DOM helpers

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

/** Make `parent`'s children `nodes`, in order, leaving in place the nodes it already holds:
 * a detached element loses its scroll position (and an open <select> closes). */
function setChildren(parent, nodes) {
  const keep = new Set(nodes);
  for (const child of [...parent.children]) if (!keep.has(child)) child.remove();
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] ?? null);
  });
}

function progressBar(counts, total, states) {
  const bar = h("div", { class: "fnb-bar" });
  for (const { state, percent } of segments(counts, total, states)) {
    const seg = h("div", { class: `fnb-seg fnb-${state}`, title: `${counts[state]} ${state}` });
    seg.style.width = `${percent}%`;
    bar.append(seg);
  }
  return bar;
}

function gauge(label, limit, held, waiting) {
  const { shown, filled, truncated } = gaugeCells(limit, held);
  const cells = h("span", { class: "fnb-cells" });
  for (let i = 0; i < shown; i++) cells.append(h("span", { class: i < filled ? "fnb-cell fnb-held" : "fnb-cell" }));
  const text = `held ${held}/${limit}` + (waiting != null ? ` · waiting ${waiting}` : "") + (truncated ? " …" : "");
  return h("div", { class: "fnb-gauge" }, h("span", { class: "fnb-gauge-label", text: label }), cells,
    h("span", { class: "fnb-gauge-text", text }));
}

// ---------------------------------------------------------------- the widget

export function render({ model, el }) {
  const ui = { open: new Set(), lists: new Map(), requests: 0, pageTabs: new Map() };
  const root = h("div", { class: "fnb" });
  el.append(root);

  const header = h("div", { class: "fnb-header" });
  const summary = h("div", { class: "fnb-summary" });
  const error = h("div", { class: "fnb-error" });
  const notice = h("div", { class: "fnb-notice" }); // why the run page did not open
  const groups = h("div", { class: "fnb-groups" });
  const semaphores = h("div", { class: "fnb-semaphores" });
  const timeline = h("div", { class: "fnb-timeline" });
  const advice = h("div", { class: "fnb-advice" });
  const detail = h("div", { class: "fnb-detail" });
  const report = h("div", { class: "fnb-report" });
  root.append(header, summary, error, notice, groups, semaphores, timeline, advice, detail, report);
  ui.openAction = null; // the action whose detail is shown (its report comes with the view)

  function send(message) {
    ui.requests += 1;
    model.send({ ...message, request: ui.requests });
  }

  function drawHeader(view) {
    const cancel = h("button", { class: "fnb-cancel", text: "Cancel", title: "cancel this run" });
    cancel.disabled = view.done;
    cancel.addEventListener("click", () => {
      cancel.disabled = true;
      send({ type: "cancel" });
    });
    const page = view.done && view.page
      ? h("button", { class: "fnb-page", text: "run page", title: "open this run's page in a new tab", onclick: openPage })
      : null;
    const cluster = view.cluster ? h("span", { class: "fnb-cluster", text: clusterLabel(view.cluster) }) : null;
    const href = view.cluster ? dashboardHref(view.cluster.dashboard, document.baseURI) : null;
    const dashboard = href
      ? h("a", { class: "fnb-dashboard", href, target: "_blank", rel: "noopener noreferrer",
        title: view.cluster.dashboard_note || "the cluster's dashboard", text: "dashboard" })
      : null;
    header.replaceChildren(...[
      h("span", { class: `fnb-dot fnb-${view.phase}` }),
      h("span", { class: "fnb-phase", text: view.phase }),
      h("span", { class: "fnb-title", text: `${view.task} · run ${view.run} · ${view.backend}` }),
      h("span", { class: "fnb-elapsed", text: formatClock(view.elapsed) }),
      cluster,
      dashboard,
      view.past ? h("span", { class: "fnb-past", text: pastLabel(view.past), title: view.past.lost || "" }) : null,
      page,
      view.past ? null : cancel,
    ].filter(Boolean)); // replaceChildren would write a null as the text "null"
    summary.replaceChildren(
      h("span", { class: "fnb-total", text: `${formatCount(view.total)} actions` }),
      progressBar(view.counts, view.total, view.states),
      h("span", { class: "fnb-counts", text: view.counts_text }),
    );
    error.textContent = view.error ? `${view.error.type}: ${view.error.message}` : "";
    if (view.cancel_reason && view.phase === "cancelled") error.textContent = `cancelled: ${view.cancel_reason}`;
  }

  // The tab opens now, within the click (a tab opened later, when the kernel answers, would
  // be a blocked popup), blank and without a way back to this page (opener = null).
  function openPage() {
    const tab = window.open("", "_blank");
    if (tab) tab.opener = null;
    send({ type: "page" });
    ui.pageTabs.set(ui.requests, tab);
  }

  function showPage(reply) {
    const tab = ui.pageTabs.get(reply.request);
    ui.pageTabs.delete(reply.request);
    if (typeof reply.html !== "string") {
      if (tab) tab.close();
      notice.textContent = reply.error || "the run page could not be opened";
      return;
    }
    notice.textContent = "";
    const blob = new Blob([pageDocument(reply.html, `Run ${reply.run}`)], { type: "text/html" });
    const url = URL.createObjectURL(blob);
    if (tab && !tab.closed) tab.location.href = url;
    else window.open(url, "_blank", "noopener");
    setTimeout(() => URL.revokeObjectURL(url), PAGE_URL_LIFETIME * 1000);
  }

  function drawGroups(view) {
    const rows = [];
    for (const group of view.groups) {
      const open = ui.open.has(group.id);
      const toggle = h("span", { class: "fnb-toggle", text: open ? "▾" : "▸" });
      const row = h("div", { class: "fnb-group", "data-group": String(group.id) },
        toggle,
        h("span", { class: "fnb-label", text: group.label, title: group.site || "" }),
        progressBar(group.counts, group.total, view.states),
        h("span", { class: "fnb-stats", text: groupStats(group) }));
      row.addEventListener("click", () => {
        if (view.past && !view.past.recorded) return; // a run going elsewhere: its actions are not kept yet
        if (ui.open.has(group.id)) ui.open.delete(group.id);
        else ui.open.add(group.id);
        drawGroups(model.get("view"));
      });
      rows.push(row);
      if (group.kind === "map" && group.concurrency) {
        rows.push(gauge(`slots (concurrency ${group.concurrency})`, group.concurrency, group.running, null));
      }
      if (open) rows.push(actionList(group, view.states));
    }
    if (view.more_groups) rows.push(h("div", { class: "fnb-more", text: `… and ${view.more_groups} more groups` }));
    setChildren(groups, rows); // open lists stay attached, so they keep their scroll position
  }

  function actionList(group, states) {
    let list = ui.lists.get(group.id);
    if (!list) {
      list = makeList(group, states);
      ui.lists.set(group.id, list);
    }
    list.refresh();
    return list.node;
  }

  function makeList(group, states) {
    const filter = h("select", { class: "fnb-filter" });
    for (const state of ["", ...states]) filter.append(h("option", { value: state, text: state || "all states" }));
    const viewport = h("div", { class: "fnb-list" });
    viewport.style.height = `${LIST_HEIGHT}px`;
    const spacer = h("div", { class: "fnb-spacer" });
    viewport.append(spacer);
    const node = h("div", { class: "fnb-actions" }, filter, viewport);
    const list = { node, total: 0 };
    const fetch = () => {
      const range = visibleRange(viewport.scrollTop, LIST_HEIGHT, ROW_HEIGHT, Math.max(list.total, 1));
      send({ type: "rows", group: group.id, state: filter.value, offset: range.start,
        limit: Math.max(range.end - range.start, 20) });
    };
    list.refresh = fetch;
    list.receive = (reply) => {
      list.total = reply.total;
      spacer.style.height = `${reply.total * ROW_HEIGHT}px`;
      for (const old of viewport.querySelectorAll(".fnb-row")) old.remove();
      reply.rows.forEach((r, i) => {
        const row = h("div", { class: `fnb-row fnb-${r.state}`, "data-action": String(r.id) },
          h("span", { class: "fnb-row-state", text: r.state }),
          h("span", { class: "fnb-row-name", text: `#${r.id} ${r.name}` }),
          h("span", { class: "fnb-row-attempts", text: r.attempts > 1 ? `attempt ${r.attempts}` : "" }),
          h("span", { class: "fnb-row-duration", text: formatDuration(r.duration) }),
          h("span", { class: "fnb-row-overhead",
            text: `u ${formatDuration(r.overhead.u)} d ${formatDuration(r.overhead.d)} e ${formatDuration(r.overhead.e)} t ${formatDuration(r.overhead.t)}` }));
        row.style.top = `${(reply.offset + i) * ROW_HEIGHT}px`;
        row.addEventListener("click", (event) => {
          event.stopPropagation();
          send({ type: "action", id: r.id });
        });
        viewport.append(row);
      });
    };
    viewport.addEventListener("scroll", () => fetch());
    filter.addEventListener("change", () => { viewport.scrollTop = 0; fetch(); });
    filter.addEventListener("click", (event) => event.stopPropagation());
    return list;
  }

  function drawSemaphores(view) {
    semaphores.replaceChildren(
      ...view.semaphores.map((s) => gauge(`semaphore(${s.limit})${s.site ? ` @ ${s.site}` : ""}`, s.limit, s.held, s.waiting)),
    );
  }

  function drawTimeline(view) {
    const width = 600;
    const laneHeight = 14;
    const ids = view.groups.map((g) => g.id);
    const shapes = timelineShapes(view.timeline, ids, width, laneHeight);
    const height = shapes.lanes * laneHeight;
    const chart = svg("svg", { class: "fnb-svg", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none",
      width: "100%", height });
    for (const r of shapes.rects) {
      chart.append(svg("rect", { x: r.x.toFixed(1), y: r.y, width: r.width.toFixed(1), height: r.height,
        class: `fnb-bar-${r.state}` }));
    }
    for (const p of shapes.paths) chart.append(svg("path", { d: p.d, class: "fnb-area" }));
    const empty = !shapes.rects.length && !shapes.paths.length;
    timeline.replaceChildren(h("div", { class: "fnb-section", text: `timeline · ${formatDuration(view.timeline.span)}` }),
      ...(empty ? [] : [chart]));
  }

  function drawAdvice(view) {
    advice.replaceChildren(...view.advice.map((text) => h("div", { class: "fnb-tip", text: `⚠ ${text}` })));
  }

  function closeDetail() {
    detail.replaceChildren();
    ui.openAction = null;
    drawReport(null);
    send({ type: "close" });
  }

  // The report is a whole page of the task's HTML: shown only in a sandboxed iframe (its own
  // opaque origin: scripts run, for the report's tabs, but cannot reach this page, the
  // notebook or the kernel), given as srcdoc, never parsed into this document.
  function drawReport(shown) {
    if (!shown || shown.action !== ui.openAction || typeof shown.html !== "string") {
      report.replaceChildren();
      return;
    }
    let frame = report.querySelector("iframe");
    if (!frame) {
      frame = h("iframe", { class: "fnb-report-frame", sandbox: "allow-scripts", title: `report of action #${shown.action}` });
      report.replaceChildren(h("div", { class: "fnb-section", text: "report" }), frame);
    }
    if (frame.getAttribute("srcdoc") !== shown.html) frame.setAttribute("srcdoc", shown.html);
    const note = report.querySelector(".fnb-report-note");
    if (shown.truncated && !note) {
      report.append(h("div", { class: "fnb-report-note", text: `report cut: ${formatCount(shown.bytes)} bytes in all` }));
    } else if (!shown.truncated && note) {
      note.remove();
    }
  }

  function drawDetail(reply) {
    if (!reply || reply.missing) {
      detail.replaceChildren();
      ui.openAction = null;
      drawReport(null);
      return;
    }
    if (reply.id !== ui.openAction) report.replaceChildren();
    ui.openAction = reply.id;
    const close = h("button", { class: "fnb-close", text: "×", onclick: closeDetail });
    const parts = [
      h("div", { class: "fnb-detail-head" },
        h("span", { text: `#${reply.id} ${reply.name} · ${reply.state} · ${formatDuration(reply.duration)}` +
          (reply.attempts > 1 ? ` · ${reply.attempts} attempts` : "") }), close),
    ];
    if (reply.error) parts.push(h("div", { class: "fnb-detail-error", text: reply.error }));
    if (reply.traceback) parts.push(h("pre", { class: "fnb-traceback", text: reply.traceback }));
    for (const a of reply.history || []) {
      parts.push(h("div", { class: "fnb-attempt", text: `attempt ${a.attempt}: ${a.state} after ${formatDuration(a.duration)}${a.error ? ` — ${a.error}` : ""}` }));
    }
    for (const t of reply.traces || []) {
      parts.push(h("div", { class: "fnb-trace", text: `trace ${t.name} · ${formatDuration(t.duration)}${t.error ? ` — ${t.error}` : ""}` }));
    }
    if (reply.logs) parts.push(h("pre", { class: "fnb-logs", text: reply.logs }));
    detail.replaceChildren(...parts);
  }

  function update() {
    const view = model.get("view");
    if (!view || !view.run) return;
    root.classList.toggle("fnb-finished", !!view.done);
    drawHeader(view);
    drawGroups(view);
    drawSemaphores(view);
    drawTimeline(view);
    drawAdvice(view);
    drawReport(view.report);
  }

  function onMessage(message) {
    if (message.type === "rows") {
      const list = ui.lists.get(message.group);
      if (list) list.receive(message);
    } else if (message.type === "action") {
      drawDetail(message);
      drawReport(model.get("view") && model.get("view").report);
    } else if (message.type === "page") {
      showPage(message);
    }
  }

  model.on("change:view", update);
  model.on("msg:custom", onMessage);
  update();
  return () => {
    model.off("change:view", update);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
