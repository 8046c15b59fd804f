import { z } from "../zod.js";
import { bootstrapStderr } from "./bootstrap.js";
import { accumulatorFactory, parseAccumulatorState } from "./accumulator-state.js";
import type { Accumulator, AccumulatorState, AggregateResult, AggregationFactory } from "./types.js";

/**
 * lm-eval's `nanmean` aggregation (lm_eval/api/metrics.py, 0.4.13): NaN when there are no values or all
 * are NaN, else numpy's `nanmean` (the sum of the values that are not NaN, summed as numpy sums, over
 * their count). Its stderr is lm-eval's bootstrap (nanmean is in its bootstrappable list): 100,000
 * resamples drawn as lm-eval draws them (bootstrap.ts), a NaN replicate (a resample of NaNs only) making
 * it NaN as there. It keeps every value (8 bytes each); a state stores NaN as null.
 */
export interface NanMeanState extends AccumulatorState {
  readonly kind: "nanmean";
  readonly values: readonly (number | null)[];
}

const StateSchema = z.strictObject({ kind: z.literal("nanmean"), values: z.array(z.number().nullable()) });

/** numpy's float64 `sum` of a contiguous array: pairwise, 8 accumulators in blocks of up to 128 (`pairwise_sum`). */
export function numpySum(xs: ArrayLike<number>, start = 0, n = xs.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += xs[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => xs[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += xs[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += xs[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(xs, start, n2) + numpySum(xs, start + n2, n - n2);
}

/** lm-eval's `nanmean(arr)`. */
export function nanmean(xs: ArrayLike<number>): number {
  let count = 0;
  const zeroed = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isNaN(x)) continue;
    zeroed[i] = x;
    count++;
  }
  // numpy.nanmean: NaNs replaced by 0, summed, divided by the count of the others.
  return count === 0 ? Number.NaN : numpySum(zeroed) / count;
}

class NanMeanAccumulator implements Accumulator {
  private readonly values: number[] = [];
  private stderr: { n: number; value: number | null } | undefined;

  add(value: number, weight?: number): void {
    if (weight !== undefined && weight !== 1) throw new RangeError(`Expected no \`weight\` for nanmean, got ${weight}`);
    if (typeof value !== "number") throw new RangeError(`Expected \`value\` to be a number, got ${String(value)}`);
    this.values.push(value);
  }

  merge(other: AccumulatorState): void {
    for (const v of parseAccumulatorState(StateSchema, other, "nanmean").values) this.values.push(v ?? Number.NaN);
  }

  result(): AggregateResult {
    const n = this.values.length;
    return { value: nanmean(this.values), stderr: this.bootstrapped(), n };
  }

  /** lm-eval bootstraps any list of two or more values (one value: sample_stddev divides by zero; none here). */
  private bootstrapped(): number | null {
    if (this.values.length < 2) return null;
    if (this.stderr?.n !== this.values.length) this.stderr = { n: this.values.length, value: bootstrapStderr(nanmean, this.values) };
    return this.stderr.value;
  }

  state(): NanMeanState {
    return { kind: "nanmean", values: this.values.map((v) => (Number.isNaN(v) ? null : v)) };
  }
}

export const nanmeanAggregation: AggregationFactory = accumulatorFactory(() => new NanMeanAccumulator());
