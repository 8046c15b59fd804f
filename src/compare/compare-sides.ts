import { mcnemarExact, type McNemarResult } from "../stats/mcnemar.js";
import { pairedBootstrap } from "../stats/paired-bootstrap.js";
import type { SideScores } from "./side-scores.js";

/** One task × metric of `compare --json` (DESIGN.md), plus the samples left unpaired. */
export interface ComparePair {
  readonly task: string;
  readonly metric: string;
  readonly a: { readonly run: string; readonly model: string; readonly value: number | null };
  readonly b: { readonly run: string; readonly model: string; readonly value: number | null };
  /** b − a over the paired samples. */
  readonly diff: number | null;
  /** Paired bootstrap percentile interval of the difference (seeded). */
  readonly ci95: [number, number] | null;
  readonly n_paired: number;
  /** Samples with this metric on one side only (an error, or not run there): not in the numbers above. */
  readonly unpaired: { readonly a: number; readonly b: number };
  /** McNemar's exact test, when every paired score is 0 or 1; else null. */
  readonly mcnemar: McNemarResult | null;
}

export interface CompareOptions {
  /** Bootstrap resamples (default 10,000). */
  readonly resamples?: number;
  /** Bootstrap seed (default 0). */
  readonly seed?: number;
  /**
   * Whether the metric of a task is a mean of per-sample scores (default: every one is). Others
   * (perplexity, bits_per_byte: ratios of sums) are left out: a per-sample difference means nothing there.
   */
  readonly isMean?: (task: string, metric: string) => boolean;
}

/**
 * Compares two sides sample by sample: for each task both have and each metric either has, the
 * mean on each side over the samples both scored, their difference (b − a), a paired bootstrap
 * interval, and for 0/1 metrics McNemar's exact test. Sorted by task, then metric.
 */
export function compareSides(a: SideScores, b: SideScores, options: CompareOptions = {}): ComparePair[] {
  const pairs: ComparePair[] = [];
  const isMean = options.isMean ?? (() => true);
  for (const task of [...a.tasks.keys()].filter((t) => b.tasks.has(t)).sort()) {
    const sa = a.tasks.get(task)!;
    const sb = b.tasks.get(task)!;
    const metrics = new Set<string>();
    for (const side of [sa, sb]) for (const scores of side.values()) for (const m of Object.keys(scores)) metrics.add(m);
    for (const metric of [...metrics].sort()) {
      if (!isMean(task, metric)) continue;
      pairs.push(compareMetric(task, metric, a, b, options));
    }
  }
  return pairs;
}

function compareMetric(task: string, metric: string, a: SideScores, b: SideScores, options: CompareOptions): ComparePair {
  const sa = a.tasks.get(task)!;
  const sb = b.tasks.get(task)!;
  const xa: number[] = [];
  const xb: number[] = [];
  let onlyA = 0;
  // A score that is not a finite number (NaN: the metric does not apply to the sample) pairs with nothing.
  const scored = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
  for (const [id, scores] of sa) {
    const va = scores[metric];
    if (!scored(va)) continue;
    const vb = sb.get(id)?.[metric];
    if (!scored(vb)) onlyA++;
    else {
      xa.push(va);
      xb.push(vb);
    }
  }
  let onlyB = 0;
  for (const [id, scores] of sb) if (scored(scores[metric]) && !scored(sa.get(id)?.[metric])) onlyB++;
  const n = xa.length;
  const mean = (xs: number[]) => (n === 0 ? null : xs.reduce((s, x) => s + x, 0) / n);
  const va = mean(xa);
  const vb = mean(xb);
  const binary = n > 0 && xa.every(isZeroOne) && xb.every(isZeroOne);
  let aOnly = 0;
  let bOnly = 0;
  if (binary) {
    for (let i = 0; i < n; i++) {
      if (xa[i] === xb[i]) continue;
      if (xa[i] === 1) aOnly++;
      else bOnly++;
    }
  }
  return {
    task,
    metric,
    a: { run: a.run, model: a.model, value: va },
    b: { run: b.run, model: b.model, value: vb },
    diff: va === null || vb === null ? null : vb - va,
    ci95: n === 0 ? null : pairedBootstrap(xa, xb, { resamples: options.resamples, seed: options.seed }),
    n_paired: n,
    unpaired: { a: onlyA, b: onlyB },
    mcnemar: binary ? mcnemarExact(aOnly, bOnly) : null,
  };
}

const isZeroOne = (x: number) => x === 0 || x === 1;
