/** McNemar's exact test on the discordant pairs of two 0/1 metrics over the same samples. */
export interface McNemarResult {
  /** Samples A got right (1) and B wrong (0). */
  readonly a_only: number;
  /** Samples B got right and A wrong. */
  readonly b_only: number;
  /** Two-sided exact p-value: 2 × P(X ≤ min(a_only, b_only)) for X ~ Binomial(a_only + b_only, ½), at most 1. */
  readonly p: number;
}

/**
 * The exact (binomial) McNemar test: under "A and B are equally good", each discordant sample is
 * A's or B's with probability ½. No pairs disagree: p = 1. The tail is summed in log space, so it
 * stays exact to double precision for hundreds of thousands of discordant pairs.
 */
export function mcnemarExact(aOnly: number, bOnly: number): McNemarResult {
  for (const [name, v] of [["aOnly", aOnly], ["bOnly", bOnly]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`Expected \`${name}\` to be an integer >= 0, got ${v}`);
  }
  const n = aOnly + bOnly;
  const k = Math.min(aOnly, bOnly);
  if (n === 0) return { a_only: aOnly, b_only: bOnly, p: 1 };
  // log P(X = i) from i = 0 up: log C(n, i) - n log 2, by C(n, i+1) = C(n, i) (n - i) / (i + 1).
  const terms = new Float64Array(k + 1);
  terms[0] = -n * Math.LN2;
  for (let i = 0; i < k; i++) terms[i + 1] = terms[i]! + Math.log(n - i) - Math.log(i + 1);
  // The pmf rises up to n/2 ≥ k, so the last term is the largest: factor it out.
  const max = terms[k]!;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  const tail = Math.exp(max) * sum;
  return { a_only: aOnly, b_only: bOnly, p: Math.min(1, 2 * tail) };
}
