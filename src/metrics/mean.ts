import { z } from "../zod.js";
import type { Accumulator, AccumulatorState, AggregateResult, AggregationFactory } from "./types.js";
import { NonFiniteStateSchema, NonFiniteSum, type NonFiniteState } from "./non-finite.js";

/**
 * The `mean` aggregation with lm-evaluation-harness's `mean_stderr`: the sample standard deviation
 * (n − 1 in the denominator) divided by √n, and no stderr below two samples.
 *
 * It keeps n, Σd and Σd² only, where d = x − shift and shift is the first value seen: shifting keeps
 * the one-pass variance exact for values far from zero (Σx² − (Σx)²/n would cancel catastrophically).
 * For 0/1 scores the result equals lm-eval's two-pass computation to the last few ulps. A value that is
 * not finite makes the mean NaN or ±Infinity, with no stderr, as Python's sum makes lm-eval's (non-finite.ts).
 */
export interface MeanState extends AccumulatorState {
  readonly kind: "mean";
  readonly n: number;
  readonly shift: number;
  readonly sum: number;
  readonly sumsq: number;
  /** The values that were not finite, when there were any (`n` counts only the finite ones). */
  readonly nonfinite?: NonFiniteState;
}

const MeanStateSchema = z.strictObject({
  kind: z.literal("mean"),
  n: z.number().nonnegative(),
  shift: z.number(),
  sum: z.number(),
  sumsq: z.number().nonnegative(),
  nonfinite: NonFiniteStateSchema.optional(),
});

class MeanAccumulator implements Accumulator {
  private n = 0;
  private shift = 0;
  private sum = 0;
  private sumsq = 0;
  private readonly nonFinite = new NonFiniteSum();

  add(value: number, weight = 1): void {
    if (typeof value !== "number") throw new RangeError(`Expected \`value\` to be a number, got ${String(value)}`);
    if (!Number.isFinite(weight) || weight <= 0) throw new RangeError(`Expected \`weight\` to be a finite number > 0, got ${weight}`);
    if (!Number.isFinite(value)) return this.nonFinite.add(value, weight);
    if (this.n === 0) this.shift = value;
    const d = value - this.shift;
    this.n += weight;
    this.sum += weight * d;
    this.sumsq += weight * d * d;
  }

  merge(other: AccumulatorState): void {
    const o = parseState(other);
    this.nonFinite.merge(o.nonfinite);
    if (o.n === 0) return;
    if (this.n === 0) {
      ({ n: this.n, shift: this.shift, sum: this.sum, sumsq: this.sumsq } = o);
      return;
    }
    // Re-express the other side's sums around this shift: Σ(x − s1) = Σ(x − s2) + n·(s2 − s1).
    const delta = o.shift - this.shift;
    this.sumsq += o.sumsq + 2 * delta * o.sum + o.n * delta * delta;
    this.sum += o.sum + o.n * delta;
    this.n += o.n;
  }

  result(): AggregateResult {
    if (this.nonFinite.sum !== undefined) return { value: this.nonFinite.sum, stderr: null, n: this.n + this.nonFinite.n };
    const { n } = this;
    if (n === 0) return { value: Number.NaN, stderr: null, n: 0 };
    const value = this.shift + this.sum / n;
    if (n < 2) return { value, stderr: null, n };
    const variance = Math.max(0, (this.sumsq - (this.sum * this.sum) / n) / (n - 1));
    return { value, stderr: Math.sqrt(variance) / Math.sqrt(n), n };
  }

  state(): MeanState {
    const nonfinite = this.nonFinite.state();
    return { kind: "mean", n: this.n, shift: this.shift, sum: this.sum, sumsq: this.sumsq, ...(nonfinite ? { nonfinite } : {}) };
  }
}

function parseState(state: unknown): MeanState {
  const r = MeanStateSchema.safeParse(state);
  if (!r.success) throw new TypeError(`Expected a \`mean\` accumulator state, got ${JSON.stringify(state)}`);
  return r.data;
}

export const mean = {
  create: (): Accumulator => new MeanAccumulator(),
  fromState(state: unknown): Accumulator {
    const acc = new MeanAccumulator();
    acc.merge(parseState(state));
    return acc;
  },
} satisfies AggregationFactory;
