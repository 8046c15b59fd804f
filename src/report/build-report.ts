import { gzipSync } from "node:zlib";
import { type ComparePair, compareSides } from "../compare/compare-sides.js";
import { collectSideScores } from "../compare/side-scores.js";
import { rebuildSummary } from "../store/rebuild-summary.js";
import type { CheckpointStore } from "../store/checkpoint-store.js";
import type { RunMeta } from "../store/run-meta.js";
import type { MetricValue, Summary } from "../summary/summary.js";
import { BROWSER_APP } from "./browser-app.js";
import { categoryRows, errorRows, latencyRows, type SeriesLabel, timeRows } from "./figure-rows.js";
import { type Cell, esc, scriptJson, table } from "./html.js";
import { quantileSorted } from "../stats/paired-bootstrap.js";
import { PlotRenderer } from "./plots.js";
import { REPORT_CSS } from "./report-style.js";
import { type SampleColumns, SampleColumnsBuilder } from "./sample-columns.js";

/** A run as the report reads it from the store. */
export interface ReportRun {
  readonly meta: RunMeta;
  /** Rebuilt from the stored results (so it covers an unfinished run too). */
  readonly summary: Summary;
  /** The summary saved when the run's last session ended, if any: retries by cause, throughput. */
  readonly saved?: Summary;
  /** Task → the metric the report plots and browses by (see `mainMetricOf`). */
  readonly mainMetrics: Map<string, string>;
}

export interface ReportOptions {
  /** Bootstrap seed of the comparison section (default 0). */
  readonly seed?: number;
  /** Wall clock for the "built at" line (default now). */
  readonly now?: () => Date;
}

/**
 * Builds the self-contained HTML report of `runs` from an open store: every script, style, chart
 * (SVG) and sample inline, so the file opens offline with no server. Reads each run's results once
 * (plus once per compared model pair).
 */
export async function buildReport(store: CheckpointStore, runs: readonly string[], options: ReportOptions = {}): Promise<string> {
  const builder = new SampleColumnsBuilder();
  const loaded: ReportRun[] = [];
  for (const [i, name] of runs.entries()) {
    const meta = (await store.getMeta(name))!;
    const mainMetrics = new Map<string, string>();
    const summary = await rebuildSummary(meta, store.run(name), async (line) => {
      if (!mainMetrics.has(line.task) && line.scores && Object.keys(line.scores).length > 0) mainMetrics.set(line.task, mainMetricOf(Object.keys(line.scores)));
      await builder.add(i, line, mainMetrics.get(line.task));
    });
    loaded.push({ meta, summary, saved: meta.status === "running" ? undefined : meta.summary, mainMetrics });
  }
  const samples = builder.build();
  const pairs = await comparisons(store, loaded, options.seed ?? 0);
  return renderReport(loaded, samples, pairs, options.now?.() ?? new Date());
}

/** The metric a task is plotted and browsed by: its `…,overall` one if any (a judge's), else its first. */
export function mainMetricOf(keys: readonly string[]): string {
  return keys.find((k) => k.endsWith(",overall")) ?? keys[0]!;
}

/** Within each run, its first model against each other one; with two one-model runs, the two. */
async function comparisons(store: CheckpointStore, runs: readonly ReportRun[], seed: number): Promise<ComparePair[]> {
  const sides: [{ run: string; model: string }, { run: string; model: string }][] = [];
  for (const { meta } of runs) for (const model of meta.models.slice(1)) sides.push([{ run: meta.run, model: meta.models[0]! }, { run: meta.run, model }]);
  if (runs.length === 2 && runs.every((r) => r.meta.models.length === 1)) sides.push([{ run: runs[0]!.meta.run, model: runs[0]!.meta.models[0]! }, { run: runs[1]!.meta.run, model: runs[1]!.meta.models[0]! }]);
  const pairs: ComparePair[] = [];
  for (const [a, b] of sides) {
    const [sa, sb] = await Promise.all([a, b].map((s) => collectSideScores(s.run, s.model, store.run(s.run).results())));
    const aggregations = new Map(runs.flatMap((r) => r.meta.tasks.map((t) => [t.name, t.aggregations] as const)));
    const isMean = (task: string, metric: string) => ["mean", undefined].includes(aggregations.get(task)?.[metric.split(",")[0]!]);
    pairs.push(...compareSides(sa!, sb!, { seed, isMean }));
  }
  return pairs;
}

function renderReport(runs: readonly ReportRun[], c: SampleColumns, pairs: readonly ComparePair[], builtAt: Date): string {
  const plots = new PlotRenderer();
  const several = runs.length > 1;
  const label: SeriesLabel = (r) => (several ? `${runs[c.run[r]!]!.meta.run} · ` : "") + c.strings[c.model[r]!]!;
  const allRows = Array.from({ length: c.run.length }, (_, i) => i);
  const series = [...new Set(allRows.map(label))];
  const sections: { id: string; title: string; html: string }[] = [];

  sections.push({ id: "results", title: "Results", html: runs.map((r) => resultsHtml(r, several)).join("") });
  if (pairs.length > 0) sections.push({ id: "compare", title: "Comparison", html: compareHtml(pairs, plots) });

  const byCategory: string[] = [];
  for (const run of runs) {
    for (const task of run.meta.tasks.map((t) => t.name)) {
      const rows = allRows.filter((r) => runs[c.run[r]!] === run && c.strings[c.task[r]!] === task);
      const cats = categoryRows(c, rows, label);
      if (cats.length === 0) continue;
      const metric = run.mainMetrics.get(task) ?? "score";
      byCategory.push(`<h3>${esc(task)}${several ? ` <span class="muted">(${esc(run.meta.run)})</span>` : ""}: ${esc(metric)} by category</h3>${plots.byCategory(cats, metric, [...new Set(cats.map((x) => x.model))])}`);
    }
  }
  sections.push({ id: "categories", title: "By category", html: byCategory.length ? byCategory.join("") : `<p class="note">No result line carries a category (a task names the doc field with <code>category_field</code>).</p>` });

  const latency = (["ttft", "tpot", "e2e"] as const).map((col) => {
    const all = latencyRows(c, allRows, col, label);
    const title = { ttft: "Time to first token", tpot: "Time per output token", e2e: "End-to-end latency" }[col];
    if (all.length === 0) return `<div><h3>${title}</h3><p class="note">Not measured (${col === "e2e" ? "no ok result" : "replies were not streamed"}).</p></div>`;
    // The slowest 1% would stretch the axis over a flat line: drawn up to the 99th percentile, counted below.
    const p99 = quantileSorted(Float64Array.from(all, (x) => x.ms).sort(), 0.99);
    const rows = all.filter((x) => x.ms <= p99);
    const cut = all.length - rows.length;
    return `<div><h3>${title}</h3>${plots.latency(rows, col.toUpperCase(), [...new Set(all.map((x) => x.model))], p99 > 0 ? p99 : undefined)}${cut ? `<p class="note">${cut.toLocaleString("en-US")} slower request${cut > 1 ? "s" : ""} (above the 99th percentile, ${p99.toFixed(1)} ms) not drawn.</p>` : ""}</div>`;
  });
  sections.push({ id: "latency", title: "Latency", html: `<p class="note">Per request that answered, over every task of the run.</p><div class="grid">${latency.join("")}</div>` });

  const time = timeRows(c, allRows, label);
  sections.push({
    id: "time",
    title: "Cost and throughput over time",
    html: time.cost.length
      ? `<div class="grid"><div><h3>Cumulative cost (USD)</h3>${plots.overTime(time.cost, "USD", series)}</div><div><h3>Results per second</h3>${plots.overTime(time.rate, "results/s", series)}</div></div>`
      : `<p class="note">These results carry no time (recorded before result lines had <code>ended_at</code>).</p>`,
  });

  const causes = [...errorRows(c, allRows, label), ...retryRows(runs, several)];
  sections.push({ id: "errors", title: "Errors and retries", html: causes.length ? `<p class="note">Errors: results that failed for good (a rerun retries them). Retries: requests sent again, by the failure that caused them.</p>${plots.causes(causes, [...new Set(causes.map((x) => x.model))])}` : `<p class="note">No errors and no retries.</p>` });

  sections.push({ id: "samples", title: "Samples", html: browserHtml() });

  const meta = { runs: runs.map((r) => r.meta.run) };
  const data = gzipSync(JSON.stringify(c), { level: 9 }).toString("base64");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>streameval report · ${esc(runs.map((r) => r.meta.run).join(", "))}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header><h1>streameval report</h1>
<div class="muted">${runs.length} run${several ? "s" : ""} · ${c.run.length.toLocaleString("en-US")} results · built ${esc(builtAt.toISOString())}</div>
${runsHtml(runs)}</header>
<nav>${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join("")}</nav>
<main>${sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>${s.html}</section>`).join("\n")}</main>
<script type="application/json" id="report-meta">${scriptJson(meta)}</script>
<script type="application/octet-stream" id="report-samples">${data}</script>
<script>${BROWSER_APP}</script>
</body></html>
`;
}

function runsHtml(runs: readonly ReportRun[]): string {
  const rows: Cell[][] = runs.map(({ meta, summary }) => {
    const models = Object.values(summary.tasks).flatMap((t) => Object.values(t.models));
    const ok = models.reduce((s, m) => s + m.samples.ok, 0);
    const errors = models.reduce((s, m) => s + m.samples.error, 0);
    const cost = summary.cost?.total_usd ?? models.reduce((s, m) => s + (m.cost_usd ?? 0), 0);
    return [meta.run, meta.status === "running" ? "running (or crashed)" : meta.status, meta.tasks.map((t) => t.name).join(", "), meta.models.join(", "), ok, errors, `$${cost.toFixed(4)}`, meta.created_at.replace("T", " ").slice(0, 19), meta.ended_at?.replace("T", " ").slice(0, 19) ?? "–"];
  });
  return table(["run", "status", "tasks", "models", "ok", "errors", "cost", "created", "ended"], rows, 4);
}

function metricRows(model: string, metrics: Record<string, MetricValue>, max: number): Cell[][] {
  return Object.entries(metrics).map(([name, m]) => {
    const half = m.stderr === null ? null : 1.96 * m.stderr;
    const width = max > 0 && Number.isFinite(m.value) ? Math.max(0, Math.min(120, (120 * m.value) / max)) : 0;
    return [model, name, { html: `${m.value.toFixed(4)}<span class="bar" style="width:${width.toFixed(0)}px"></span>` }, half === null ? "–" : `[${(m.value - half).toFixed(4)}, ${(m.value + half).toFixed(4)}]`, half === null ? "–" : `± ${half.toFixed(4)}`, m.n];
  });
}

function resultsHtml(run: ReportRun, several: boolean): string {
  const out: string[] = [];
  for (const [task, { models }] of Object.entries(run.summary.tasks)) {
    const max = Math.max(0, ...Object.values(models).flatMap((m) => Object.values(m.metrics).map((v) => v.value)).filter(Number.isFinite));
    const rows = Object.entries(models).flatMap(([model, m]) => metricRows(model, m.metrics, max));
    out.push(`<h3>${esc(task)}${several ? ` <span class="muted">(${esc(run.meta.run)})</span>` : ""}</h3>`);
    out.push(rows.length ? table(["model", "metric", "value", "95% interval", "", "n"], rows) : `<p class="note">No scored result yet.</p>`);
    const counts = Object.entries(models).map(([model, m]) => [model, m.samples.ok, m.samples.error, m.usage.requests, m.usage.retries, `${m.usage.prompt_tokens.toLocaleString("en-US")} / ${m.usage.completion_tokens.toLocaleString("en-US")}`, m.cost_usd === null ? "unknown" : `$${m.cost_usd.toFixed(4)}`, ms(m.latency_ms.ttft.p50), ms(m.latency_ms.e2e.p50), ms(m.latency_ms.e2e.p99)] as Cell[]);
    out.push(table(["model", "ok", "errors", "requests", "retries", "tokens in / out", "cost", "TTFT p50", "E2E p50", "E2E p99"], counts, 1));
  }
  const groups = (run.summary as { groups?: Record<string, { metrics?: Record<string, MetricValue>; models?: Record<string, { metrics?: Record<string, MetricValue> }> }> }).groups;
  for (const [name, g] of Object.entries(groups ?? {})) {
    const rows = g.models ? Object.entries(g.models).flatMap(([model, m]) => metricRows(model, m.metrics ?? {}, 0)) : metricRows("", g.metrics ?? {}, 0);
    if (rows.length) out.push(`<h3>group ${esc(name)}</h3>${table(["model", "metric", "value", "95% interval", "", "n"], rows)}`);
  }
  const overall = run.summary.overall?.models;
  if (overall && Object.keys(run.summary.tasks).length > 1) {
    const rows = Object.entries(overall).flatMap(([model, m]) => metricRows(model, (m as { metrics?: Record<string, MetricValue> }).metrics ?? {}, 0));
    if (rows.length) out.push(`<h3>all tasks together</h3>${table(["model", "metric", "value", "95% interval", "", "n"], rows)}`);
  }
  out.push(`<p class="note">95% interval: value ± 1.96 × standard error (as lm-evaluation-harness reports it).</p>`);
  return out.join("");
}

function compareHtml(pairs: readonly ComparePair[], plots: PlotRenderer): string {
  const p = (v: number) => (v >= 1e-4 ? v.toFixed(4) : v.toExponential(1));
  const f = (v: number | null, sign = false) => (v === null ? "–" : `${sign && v > 0 ? "+" : ""}${v.toFixed(4)}`);
  const significant = (x: ComparePair) => x.ci95 !== null && (x.ci95[0] > 0 || x.ci95[1] < 0);
  const rows: Cell[][] = pairs.map((x) => [
    x.task,
    x.metric,
    `${x.a.run === x.b.run ? "" : `${x.a.run} · `}${x.a.model}`,
    `${x.a.run === x.b.run ? "" : `${x.b.run} · `}${x.b.model}`,
    f(x.a.value),
    f(x.b.value),
    { html: `<span class="${significant(x) ? "sig" : ""}">${esc(f(x.diff, true))}</span>` },
    x.ci95 ? `[${f(x.ci95[0], true)}, ${f(x.ci95[1], true)}]` : "–",
    `${x.n_paired}${x.unpaired.a + x.unpaired.b ? ` (+${x.unpaired.a}/${x.unpaired.b} unpaired)` : ""}`,
    x.mcnemar ? { html: `<span class="${x.mcnemar.p < 0.05 ? "sig" : ""}">${esc(p(x.mcnemar.p))}</span>` } : "–",
    x.mcnemar ? `${x.mcnemar.a_only} / ${x.mcnemar.b_only}` : "–",
  ]);
  const forest = pairs
    .filter((x) => x.ci95 && x.diff !== null)
    .map((x) => ({ label: `${x.task} · ${x.metric}${x.a.run === x.b.run ? "" : ` · ${x.b.run}`} · ${x.b.model} − ${x.a.model}`, diff: x.diff!, lo: x.ci95![0], hi: x.ci95![1], significant: significant(x) }));
  return `<p class="note">Sample by sample, on the samples both scored: B − A with a paired bootstrap 95% interval (10,000 resamples, seeded) and, for 0/1 metrics, McNemar's exact test (discordant samples: right only on A / only on B). Orange: the interval excludes 0, or p &lt; 0.05.</p>
${forest.length ? plots.differences(forest) : ""}${table(["task", "metric", "A", "B", "A value", "B value", "B − A", "95% interval", "n paired", "McNemar p", "A only / B only"], rows, 4)}`;
}

function retryRows(runs: readonly ReportRun[], several: boolean): { cause: string; model: string; kind: string; count: number }[] {
  const out: { cause: string; model: string; kind: string; count: number }[] = [];
  for (const run of runs) {
    const seen = new Set<string>();
    for (const { models } of Object.values(run.saved?.tasks ?? {})) {
      for (const [model, m] of Object.entries(models)) {
        if (seen.has(model) || !m.reliability) continue;
        seen.add(model);
        for (const [cause, count] of Object.entries(m.reliability.retries.by_cause)) if (count > 0) out.push({ cause, model: (several ? `${run.meta.run} · ` : "") + model, kind: "retries", count });
      }
    }
  }
  return out;
}

function browserHtml(): string {
  return `<div class="filters">
<label>run<select id="f-run"><option value="">all</option></select></label>
<label>task<select id="f-task"><option value="">all</option></select></label>
<label>model<select id="f-model"><option value="">all</option></select></label>
<label>category<select id="f-category"><option value="">all</option></select></label>
<label>outcome<select id="f-outcome"><option value="">all</option><option value="correct">correct</option><option value="incorrect">incorrect</option><option value="error">error</option><option value="disagree">models disagree</option></select></label>
<label>search<input id="f-search" type="search" placeholder="id, prompt, response…"></label>
<span id="count"></span></div>
<div id="browser"><div id="list"><div id="list-spacer"></div><div id="list-rows"></div></div><div id="detail"><p class="muted">Loading samples…</p></div></div>`;
}

const ms = (v: number | null | undefined) => (typeof v === "number" ? `${v.toFixed(0)} ms` : "–");
