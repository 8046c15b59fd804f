import { pySplit } from "../../python/str.js";
import { bleuSegment } from "./tokenize.js";

/**
 * sacrebleu 2.x's corpus BLEU with lm-eval's settings (`sacrebleu.corpus_bleu(preds, refs)`: 13a
 * tokenizer, mixed case, exp smoothing, n-grams up to 4, no effective order). Ported from sacrebleu
 * (Apache-2.0), metrics/bleu.py. A segment's statistics are integers, so summing them in any order
 * gives the corpus score exactly as sacrebleu computes it.
 */
const ORDER = 4;

/** One segment's statistics: [hyp_len, ref_len, correct×4, total×4]. */
export type BleuStats = readonly number[];

export const BLEU_STATS_SIZE = 2 + 2 * ORDER;

function ngrams(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // Tokens hold no whitespace, so a space-joined n-gram is unique (Python keys on the tuple).
      const key = `${n}\0${tokens.slice(i, i + n).join(" ")}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** sacrebleu's `_get_closest_ref_len`: the reference length closest to the hypothesis's, the shorter on a tie. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = len;
    } else if (diff === closestDiff && len < closestLen) closestLen = len;
  }
  return closestLen;
}

/** The statistics of one hypothesis against its references (one or more; sacrebleu skips `None` ones). */
export function bleuStats(hypothesis: string, references: readonly string[]): BleuStats {
  const refNgrams = new Map<string, number>();
  const refLens: number[] = [];
  for (const ref of references) {
    const tokens = pySplit(bleuSegment(ref));
    refLens.push(tokens.length);
    for (const [k, c] of ngrams(tokens)) refNgrams.set(k, Math.max(refNgrams.get(k) ?? 0, c));
  }
  const hyp = pySplit(bleuSegment(hypothesis));
  const correct = new Array<number>(ORDER).fill(0);
  const total = new Array<number>(ORDER).fill(0);
  for (const [k, c] of ngrams(hyp)) {
    const n = Number(k.slice(0, k.indexOf("\0"))) - 1;
    total[n]! += c;
    const r = refNgrams.get(k);
    if (r !== undefined) correct[n]! += Math.min(c, r);
  }
  return [hyp.length, closestRefLen(hyp.length, refLens), ...correct, ...total];
}

/** sacrebleu's `my_log`: log with 0 floored to −9999999999. */
const myLog = (x: number): number => (x === 0 ? -9999999999 : Math.log(x));

/** sacrebleu's `compute_bleu` with exp smoothing and no effective order, from summed statistics. */
export function bleuScore(stats: BleuStats): number {
  const sysLen = stats[0]!;
  const refLen = stats[1]!;
  const correct = stats.slice(2, 2 + ORDER);
  const total = stats.slice(2 + ORDER);
  let bp = 1.0;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0.0;
  if (!correct.some((c) => c !== 0)) return 0.0;
  const precisions = new Array<number>(ORDER).fill(0.0);
  let smoothMteval = 1.0;
  for (let n = 1; n <= ORDER; n++) {
    if (total[n - 1] === 0) break;
    if (correct[n - 1] === 0) {
      smoothMteval *= 2;
      precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]!);
    } else precisions[n - 1] = (100.0 * correct[n - 1]!) / total[n - 1]!;
  }
  let sum = 0;
  for (const p of precisions) sum += myLog(p);
  return bp * Math.exp(sum / ORDER);
}
