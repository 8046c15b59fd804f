import type { Summary } from "../summary/summary.js";

/** The end-of-run lines for cost, budget and resources (empty when the summary has none). */
export function renderCostLines(summary: Summary): string[] {
  const out: string[] = [];
  const c = summary.cost;
  if (c) {
    const helpers = Object.entries(c.helpers_usd).map(([p, v]) => `${p} ${money(v)}`);
    const parts = [`cost ${money(c.total_usd)}`];
    if (helpers.length) parts.push(`of which helpers: ${helpers.join(", ")}`);
    if (c.estimated) parts.push("some token counts estimated offline");
    const b = c.budget;
    if (b?.usd) parts.push(`budget $${round(b.usd.spent)} of $${b.usd.limit} committed`);
    if (b?.tokens) parts.push(`tokens ${b.tokens.spent} of ${b.tokens.limit}`);
    out.push(parts.join(" · "));
    for (const [task, byModel] of Object.entries(c.per_correct_usd)) {
      for (const [model, metrics] of Object.entries(byModel)) {
        const first = Object.entries(metrics)[0];
        if (first) out.push(`${task} ${model}: ${money(first[1])} per correct answer (${first[0]})`);
      }
    }
  }
  const r = summary.resources;
  if (r) {
    out.push(
      `resources: cpu ${r.cpu_user_s.toFixed(1)} s user + ${r.cpu_system_s.toFixed(1)} s system · peak rss ${r.peak_rss_mb.toFixed(0)} MB · ` +
        `${r.requests} requests, ${r.retries} retries · ${kb(r.bytes_sent)} sent, ${kb(r.bytes_received)} received`,
    );
  }
  return out;
}

const round = (x: number): string => String(Number(x.toPrecision(4)));
const money = (x: number | null): string => (x === null ? "unknown (some model has no price)" : `$${round(x)}`);
const kb = (bytes: number): string => (bytes < 1e6 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1048576).toFixed(1)} MB`);
