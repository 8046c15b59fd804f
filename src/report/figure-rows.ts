import type { CategoryRow } from "./plots.js";
import type { SampleColumns } from "./sample-columns.js";

/**
 * The plots' rows, folded from the sample columns: pure data preparation (means and intervals per
 * category, latencies, time buckets). `label(row)` names a row's series (the model, or run · model).
 */
export type SeriesLabel = (row: number) => string;

/** Mean of the main metric per category and series, with mean ± 1.96 standard errors. */
export function categoryRows(c: SampleColumns, rows: readonly number[], label: SeriesLabel): CategoryRow[] {
  const acc = new Map<string, { category: string; model: string; n: number; sum: number; sq: number; binary: boolean }>();
  for (const r of rows) {
    const v = c.main[r];
    if (c.category[r] === -1 || v === null || v === undefined) continue;
    const category = c.strings[c.category[r]!]!;
    const model = label(r);
    const key = `${category}\n${model}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { category, model, n: 0, sum: 0, sq: 0, binary: true }));
    a.n++;
    a.sum += v;
    a.sq += v * v;
    if (v !== 0 && v !== 1) a.binary = false;
  }
  const out: CategoryRow[] = [];
  for (const a of acc.values()) {
    const mean = a.sum / a.n;
    const variance = a.n > 1 ? Math.max(0, (a.sq - a.n * mean * mean) / (a.n - 1)) : 0;
    const half = 1.96 * Math.sqrt(variance / a.n);
    const lo = a.binary ? Math.max(0, mean - half) : mean - half;
    const hi = a.binary ? Math.min(1, mean + half) : mean + half;
    out.push({ category: a.category, model: a.model, value: mean, lo, hi, n: a.n });
  }
  return out.sort((x, y) => x.category.localeCompare(y.category));
}

/** One latency column's values (ms) per series, ok lines with a value only. */
export function latencyRows(c: SampleColumns, rows: readonly number[], column: "ttft" | "tpot" | "e2e", label: SeriesLabel): { model: string; ms: number }[] {
  const out: { model: string; ms: number }[] = [];
  for (const r of rows) {
    const v = c[column][r];
    if (c.ok[r] === 1 && typeof v === "number") out.push({ model: label(r), ms: v });
  }
  return out;
}

/**
 * Cumulative cost and results per second over the run's time, per series, in `buckets` equal
 * stretches between the first and the last `ended_at`. Lines without a time are left out.
 */
export function timeRows(c: SampleColumns, rows: readonly number[], label: SeriesLabel, buckets = 60): { cost: { model: string; t: Date; value: number }[]; rate: { model: string; t: Date; value: number }[] } {
  const timed = rows.filter((r) => c.endedAt[r]! > 0);
  if (timed.length === 0) return { cost: [], rate: [] };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of timed) {
    min = Math.min(min, c.endedAt[r]!);
    max = Math.max(max, c.endedAt[r]!);
  }
  const width = Math.max(1000, Math.ceil((max - min + 1) / buckets));
  const n = Math.floor((max - min) / width) + 1;
  const series = new Map<string, { cost: Float64Array; count: Float64Array }>();
  for (const r of timed) {
    const m = label(r);
    let s = series.get(m);
    if (!s) series.set(m, (s = { cost: new Float64Array(n), count: new Float64Array(n) }));
    const b = Math.floor((c.endedAt[r]! - min) / width);
    s.count[b]!++;
    s.cost[b]! += c.cost[r] ?? 0;
  }
  const cost: { model: string; t: Date; value: number }[] = [];
  const rate: { model: string; t: Date; value: number }[] = [];
  for (const [model, s] of series) {
    let total = 0;
    for (let b = 0; b < n; b++) {
      const t = new Date(min + b * width);
      total += s.cost[b]!;
      cost.push({ model, t, value: total });
      rate.push({ model, t, value: s.count[b]! / (width / 1000) });
    }
  }
  return { cost, rate };
}

/** Error lines by their error type, per series. */
export function errorRows(c: SampleColumns, rows: readonly number[], label: SeriesLabel): { cause: string; model: string; kind: string; count: number }[] {
  const counts = new Map<string, { cause: string; model: string; kind: string; count: number }>();
  for (const r of rows) {
    if (c.ok[r] === 1) continue;
    const cause = c.errorType[r] === -1 ? "unknown" : c.strings[c.errorType[r]!]!;
    const model = label(r);
    const key = `${cause}\n${model}`;
    const e = counts.get(key);
    if (e) e.count++;
    else counts.set(key, { cause, model, kind: "errors", count: 1 });
  }
  return [...counts.values()];
}
