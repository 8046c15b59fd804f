import type { Percentiles } from "../stats/latency-histogram.js";
import type { Summary } from "../summary/summary.js";
import { renderCostLines } from "./cost-lines.js";
import { renderTimingBreakdown } from "./timing-breakdown.js";

/**
 * The readable end-of-run table for stderr: per task and model, metrics, counts, tokens, cost, latency.
 * `stopMessage: false` leaves the stop's message out of the first line, for a run that printed it
 * when it stopped (so it is said once).
 */
export function renderSummaryTable(summary: Summary, options: { readonly stopMessage?: boolean } = {}): string {
  const out: string[] = [];
  const message = options.stopMessage !== false && summary.stop_message ? ` (${summary.stop_message})` : "";
  const status = summary.stopped ? `stopped: ${summary.stopped}${message}` : "complete";
  out.push(`run ${summary.run} · ${status} · ${summary.wall_s.toFixed(1)} s`);
  if (summary.rejected) out.push(`${summary.rejected} input line(s) rejected (see the rejects file)`);
  if (summary.duplicates) out.push(`${summary.duplicates} duplicate id(s) in the input`);
  for (const [task, { models }] of Object.entries(summary.tasks)) {
    const rows: string[][] = [["task", "model", "metric", "value", "± stderr", "n"]];
    for (const [model, m] of Object.entries(models)) {
      const metrics = Object.entries(m.metrics);
      if (metrics.length === 0) rows.push([task, model, "-", "-", "-", "0"]);
      for (const [name, v] of metrics) rows.push([task, model, name, v.value.toFixed(4), v.stderr === null ? "-" : v.stderr.toFixed(4), String(v.n)]);
    }
    out.push("", table(rows));
    const rows2: string[][] = [["model", "ok", "error", "resumed", "requests", "retries", "tokens in/out", "cost USD", "ttft p50", "tpot p50", "e2e p50/p90/p99 ms"]];
    for (const [model, m] of Object.entries(models)) {
      rows2.push([
        model,
        String(m.samples.ok),
        String(m.samples.error),
        String(m.samples.resumed),
        String(m.usage.requests),
        String(m.usage.retries),
        `${m.usage.prompt_tokens}/${m.usage.completion_tokens}`,
        m.cost_usd === null ? "unknown" : m.cost_usd.toFixed(6),
        ms(m.latency_ms.ttft.p50),
        ms(m.latency_ms.tpot.p50),
        pcts(m.latency_ms.e2e),
      ]);
    }
    out.push("", table(rows2));
    for (const [model, m] of Object.entries(models)) {
      const errs = Object.entries(m.errors);
      if (errs.length) out.push(`${model} errors: ${errs.map(([t, n]) => `${t} ${n}`).join(", ")}`);
      if (m.samples.cached) out.push(`${model}: ${m.samples.cached} result(s) answered from the response cache (nothing sent, cost 0; --no-cache to send them)`);
      if (m.samples.changed) out.push(`${model}: ${m.samples.changed} stored result(s) not reused: their request or target changed, so they were sent again`);
      const r = m.reliability && reliabilityLine(m.reliability);
      if (r) out.push(`${model} reliability: ${r}`);
    }
  }
  if (summary.groups && Object.keys(summary.groups).length) {
    // lm-eval's groups table: each group's aggregate over its tasks.
    const rows: string[][] = [["group", "model", "metric", "value", "± stderr", "n", "tasks"]];
    for (const [name, g] of Object.entries(summary.groups)) {
      const shown = g.alias ? `${name} (${g.alias})` : name;
      for (const [model, { metrics }] of Object.entries(g.models)) {
        const entries = Object.entries(metrics);
        if (entries.length === 0) rows.push([shown, model, "-", "-", "-", "-", String(g.tasks.length)]);
        for (const [key, v] of entries) rows.push([shown, model, key, v.value.toFixed(4), v.stderr === null ? "-" : v.stderr.toFixed(4), String(v.n), String(g.tasks.length)]);
      }
    }
    out.push("", table(rows));
  }
  const costLines = renderCostLines(summary);
  if (costLines.length) out.push("", ...costLines);
  out.push(...renderTimingBreakdown(summary, table));
  return `${out.join("\n")}\n`;
}

/** Retries by cause, breaker trips, fallbacks and AIMD's low point; empty when the run went smoothly. */
function reliabilityLine(r: NonNullable<Summary["models"][string]["reliability"]>): string {
  const parts: string[] = [];
  if (r.retries.total) parts.push(`retries ${Object.entries(r.retries.by_cause).map(([c, n]) => `${c} ${n}`).join(", ")}`);
  if (r.breaker.trips) parts.push(`breaker trips ${r.breaker.trips} (open ${r.breaker.open_s.toFixed(1)} s)`);
  if (r.fallbacks) parts.push(`served by fallback ${r.fallbacks}`);
  if (r.min_concurrency !== null) parts.push(`concurrency down to ${r.min_concurrency}`);
  return parts.join(" · ");
}

function ms(v: number | null): string {
  return v === null ? "-" : v.toFixed(1);
}

function pcts(p: Percentiles): string {
  return p.n === 0 ? "-" : `${ms(p.p50)}/${ms(p.p90)}/${ms(p.p99)}`;
}

/** Left-aligned text columns, numbers right-aligned. */
export function table(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (/^[-\d.±/ ]+$/.test(c) && c !== "-" ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd())
    .join("\n");
}
