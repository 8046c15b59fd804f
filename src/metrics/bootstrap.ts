import { PyRandom } from "../python/random.js";

/** lm-eval's default `bootstrap_iters`. */
export const BOOTSTRAP_ITERS = 100_000;

/**
 * lm-eval's `bootstrap_stderr(f, xs, iters)` (lm_eval/api/metrics.py, 0.4.13), draw for draw: chunks of
 * min(1000, iters) resamples, chunk i drawing from `random.Random(i)` with `rnd.choices(xs, k=len(xs))`
 * (iters // chunk chunks), then `sample_stddev` of the replicates. With CPython's generator (PyRandom)
 * and left-to-right sums (Python ≤ 3.11's `sum`), the result matches lm-eval's to rounding; Python
 * 3.12+ sums floats with compensation, which can move the last digits. Cost: iters × len(xs) draws.
 */
export function bootstrapStderr(f: (xs: Float64Array) => number, xs: ArrayLike<number>, iters = BOOTSTRAP_ITERS): number {
  const sample = new Float64Array(xs.length);
  return bootstrapResamples(xs.length, iters, (picks) => {
    for (let j = 0; j < sample.length; j++) sample[j] = xs[picks[j]!]!;
    return f(sample);
  });
}

/**
 * The same bootstrap over any items, by index: `f` gets each resample's indices (`rnd.choices` of
 * range(n), draw for draw) and returns the statistic. Corpus metrics (bleu …) resample their samples' statistics.
 */
export function bootstrapResamples(n: number, iters: number, f: (picks: Uint32Array) => number): number {
  const chunk = Math.min(1000, iters);
  const picks = new Uint32Array(n);
  const replicates: number[] = [];
  for (let i = 0; i < Math.floor(iters / chunk); i++) {
    const rnd = new PyRandom(i);
    for (let r = 0; r < chunk; r++) {
      for (let j = 0; j < n; j++) picks[j] = Math.floor(rnd.random() * n);
      replicates.push(f(picks));
    }
  }
  return sampleStddev(replicates);
}

/** lm-eval's `mean`: `sum(arr) / len(arr)`, summed left to right. */
export function pyMean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** lm-eval's `sample_stddev`. */
export function sampleStddev(xs: ArrayLike<number>): number {
  const mu = pyMean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - mu) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}
