// flyte_nb runs table (`%flyte runs`): past runs from the store, newest first, rendered by
// anywidget. Python owns the rows (`view.rows`); a click on a row asks the kernel to open that
// run's widget below the table (`{type: "open", run}`), and the kernel answers with
// `view.opened` (the row shown as open) or `view.error`. Plain ES module, no imports: anywidget
// loads it on its own.

/** "850 ms", "1.2 s", "3 min 20 s" (as the run widget writes durations). */
export function formatDuration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "–";
  if (seconds < 0.9995) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const m = Math.floor(whole / 60);
  return `${m} min ${whole - m * 60} s`;
}

/** "2026-01-05 09:07:03" in the browser's time zone, from seconds since the epoch. */
export function formatStarted(epochSeconds) {
  if (epochSeconds == null || !isFinite(epochSeconds)) return "–";
  const d = new Date(epochSeconds * 1000);
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export const COLUMNS = ["name", "task", "phase", "started", "duration", "actions"];

/** One row's cells, as text, in COLUMNS order. */
export function rowCells(row) {
  return [
    row.name + (row.here ? " (this kernel)" : ""),
    row.task || "–",
    row.phase,
    formatStarted(row.started),
    formatDuration(row.duration),
    row.actions == null ? "–" : Number(row.actions).toLocaleString("en-US"),
  ];
}

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

export function render({ model, el }) {
  const root = h("div", { class: "fnb-runs" });
  const caption = h("div", { class: "fnb-runs-caption" });
  const table = h("table", { class: "fnb-runs-table" });
  const error = h("div", { class: "fnb-runs-error" });
  root.append(caption, table, error);
  el.append(root);

  function update() {
    const view = model.get("view") || {};
    const rows = view.rows || [];
    const filter = view.phase ? ` · ${view.phase}` : "";
    caption.textContent = rows.length
      ? `${rows.length} run${rows.length === 1 ? "" : "s"}, newest first${filter} · click one to open it`
      : `no runs in the store${filter}`;
    const head = h("tr", {}, ...COLUMNS.map((c) => h("th", { text: c })));
    const body = rows.map((row) => {
      const open = row.name === view.opened;
      const tr = h("tr", { class: `fnb-runs-row fnb-${row.phase}${open ? " fnb-runs-open" : ""}`, "data-run": row.name,
        title: `open run ${row.name}` }, ...rowCells(row).map((text, i) => h("td", { class: `fnb-runs-${COLUMNS[i]}`, text })));
      tr.addEventListener("click", () => model.send({ type: "open", run: row.name }));
      return tr;
    });
    table.replaceChildren(h("thead", {}, head), h("tbody", {}, ...body));
    error.textContent = view.error || "";
  }

  model.on("change:view", update);
  update();
  return () => model.off("change:view", update);
}

export default { render };
