import type { Percentiles } from "../stats/latency-histogram.js";
import type { Summary } from "../summary/summary.js";

/**
 * The timing section of the end-of-run table: per task and model, where the time went (queued,
 * first token, per token, end to end) as p50/p90/p99, and output tokens per second; then the run's
 * throughput and achieved concurrency, and the process's peaks. Lines to append; none when nothing
 * was timed.
 *
 * @param table lays out rows as aligned columns (the summary table's own layout).
 */
export function renderTimingBreakdown(summary: Summary, table: (rows: readonly string[][]) => string): string[] {
  const out: string[] = [];
  const rows: string[][] = [["task", "model", "queue ms", "ttft ms", "tpot ms", "e2e ms", "out tok/s"]];
  for (const [task, { models }] of Object.entries(summary.tasks)) {
    for (const [model, m] of Object.entries(models)) {
      const l = m.latency_ms;
      if (l.e2e.n === 0) continue;
      rows.push([task, model, pcts(l.queue), pcts(l.ttft), pcts(l.tpot), pcts(l.e2e), num(m.output_tokens_per_s?.p50 ?? null, 1)]);
    }
  }
  if (rows.length > 1) out.push("", "timing, p50/p90/p99 (out tok/s: p50 per request)", table(rows));
  const t = summary.throughput;
  if (t && t.requests > 0) {
    out.push(
      `throughput: ${num(t.requests_per_s, 2)} requests/s · ${num(t.output_tokens_per_s, 1)} output tokens/s · ` +
        `concurrency ${num(t.concurrency_mean, 2)} mean, ${t.concurrency_peak} peak`,
    );
  }
  const p = summary.process;
  if (p && p.samples > 0) {
    const loop = p.event_loop_delay_ms ? ` · event-loop delay p99 ${num(p.event_loop_delay_ms.p99, 1)} ms, max ${num(p.event_loop_delay_ms.max, 1)} ms` : "";
    out.push(
      `process: peak RSS ${num(p.rss_mb.peak, 0)} MB · peak heap ${num(p.heap_used_mb.peak, 0)} MB · ` +
        `CPU ${num(p.cpu_percent.mean, 0)}% mean, ${num(p.cpu_percent.peak, 0)}% peak (user ${num(p.cpu_s.user, 1)} s, system ${num(p.cpu_s.system, 1)} s)${loop}`,
    );
  }
  return out;
}

function num(v: number | null, digits: number): string {
  return v === null ? "-" : v.toFixed(digits);
}

function pcts(p: Percentiles): string {
  return p.n === 0 ? "-" : `${num(p.p50, 1)}/${num(p.p90, 1)}/${num(p.p99, 1)}`;
}
