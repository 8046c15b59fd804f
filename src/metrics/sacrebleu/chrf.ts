import { pySplit } from "../../python/str.js";

/**
 * sacrebleu 2.x's corpus chrF with lm-eval's settings (`sacrebleu.corpus_chrf(preds, refs)`:
 * character 6-grams, no word n-grams, β = 2, case-sensitive, whitespace ignored). Ported from
 * sacrebleu (Apache-2.0), metrics/chrf.py and metrics/helpers.py. Characters are code points, as in
 * Python. Statistics are integers: the corpus score is exact whatever the order they are summed in.
 */
const CHAR_ORDER = 6;
const BETA = 2;

/** One segment's statistics: [hyp, ref, match] counts for each order 1..6. */
export type ChrfStats = readonly number[];

export const CHRF_STATS_SIZE = 3 * CHAR_ORDER;

function charNgrams(line: string): Map<string, number>[] {
  const chars = [...pySplit(line).join("")];
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= CHAR_ORDER; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) {
      const g = chars.slice(i, i + n).join("");
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    out.push(counts);
  }
  return out;
}

function matchStats(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let match = 0;
  let hypCount = 0;
  for (const [g, c] of hyp) {
    hypCount += c;
    const r = ref.get(g);
    if (r !== undefined) match += Math.min(c, r);
  }
  let refCount = 0;
  for (const c of ref.values()) refCount += c;
  return [ref.size > 0 ? hypCount : 0, refCount, match];
}

/** sacrebleu's `_compute_f_score` (no eps smoothing), 0 to 100. */
export function chrfScore(stats: ChrfStats): number {
  const eps = 1e-16;
  const factor = BETA ** 2;
  let avgPrec = 0.0;
  let avgRec = 0.0;
  let effectiveOrder = 0;
  for (let i = 0; i < CHAR_ORDER; i++) {
    const nHyp = stats[3 * i]!;
    const nRef = stats[3 * i + 1]!;
    const nMatch = stats[3 * i + 2]!;
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder += 1;
    }
  }
  if (effectiveOrder === 0) avgPrec = avgRec = 0.0;
  else {
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
  }
  if (avgPrec + avgRec === 0) return 0.0;
  let score = (1 + factor) * avgPrec * avgRec;
  score /= factor * avgPrec + avgRec;
  return 100 * score;
}

/** The statistics of one hypothesis against its references: those of the reference with the best chrF (the first on a tie). */
export function chrfStats(hypothesis: string, references: readonly string[]): ChrfStats {
  const hyp = charNgrams(hypothesis);
  let best: number[] = [];
  let bestF = -1.0;
  for (const ref of references) {
    const refNgrams = charNgrams(ref);
    const stats = hyp.flatMap((h, i) => matchStats(h, refNgrams[i]!));
    const f = chrfScore(stats);
    if (f > bestF) {
      bestF = f;
      best = stats;
    }
  }
  return best;
}
