import { z } from "../zod.js";
import { bootstrapStderr, pyMean } from "./bootstrap.js";
import type { Accumulator, AccumulatorState, AggregateResult, AggregationFactory } from "./types.js";
import { accumulatorFactory, parseAccumulatorState } from "./accumulator-state.js";
import { NonFiniteStateSchema, NonFiniteSum, type NonFiniteState } from "./non-finite.js";

/**
 * lm-evaluation-harness's aggregations over loglikelihoods, which are ratios of sums rather than means
 * of per-sample values:
 *
 * - `perplexity`: exp(−Σll / n), over the per-sample loglikelihoods (`add(ll)`);
 * - `weighted_perplexity`: exp(−Σll / Σcount), where each sample adds its loglikelihood and its word or
 *   byte count (`add(ll, count)`);
 * - `bits_per_byte`: −Σll / Σbytes / ln 2 (`add(ll, bytes)`).
 *
 * Here `weight` is the sample's count (words or bytes), not a repeat count. `perplexity` has lm-eval's
 * bootstrap stderr (bootstrap.ts: 100,000 resamples drawn as lm-eval draws them, computed when the
 * result is asked for), so it keeps every sample's value (8 bytes each); the others keep two running
 * sums and have no stderr, as in lm-eval. A loglikelihood that is not finite (-Infinity) is summed as
 * Python sums it, so the result is what lm-eval's would be (Infinity, 0 or NaN), with no stderr.
 */
export interface RatioState extends AccumulatorState {
  readonly kind: "perplexity" | "weighted_perplexity" | "bits_per_byte";
  readonly n: number;
  readonly sum: number;
  readonly weight: number;
  /** perplexity: every value, in order (the bootstrap resamples them). */
  readonly values?: readonly number[];
  /** The loglikelihoods that were not finite, when there were any (apart from `sum` and `values`). */
  readonly nonfinite?: NonFiniteState;
}

type Kind = RatioState["kind"];

const StateSchema = z.strictObject({
  kind: z.enum(["perplexity", "weighted_perplexity", "bits_per_byte"]),
  n: z.number().nonnegative(),
  sum: z.number(),
  weight: z.number().nonnegative(),
  values: z.array(z.number()).optional(),
  nonfinite: NonFiniteStateSchema.optional(),
});

const FINISH: Readonly<Record<Kind, (sum: number, weight: number) => number>> = {
  perplexity: (sum, n) => Math.exp(-(sum / n)),
  weighted_perplexity: (sum, weight) => Math.exp(-(sum / weight)),
  bits_per_byte: (sum, weight) => -(sum / weight) / Math.LN2,
};

class RatioAccumulator implements Accumulator {
  private n = 0;
  private sum = 0;
  private weight = 0;
  private readonly values: number[] = [];
  private readonly nonFinite = new NonFiniteSum();
  private stderr: { n: number; value: number | null } | undefined;

  constructor(private readonly kind: Kind) {}

  add(value: number, weight?: number): void {
    if (typeof value !== "number") throw new RangeError(`Expected \`value\` to be a number, got ${String(value)}`);
    if (this.kind === "perplexity") {
      if (weight !== undefined && weight !== 1) throw new RangeError(`Expected no \`weight\` for perplexity, got ${weight}`);
    } else if (weight === undefined || !Number.isFinite(weight) || weight <= 0) {
      throw new RangeError(`Expected \`weight\` (the sample's word or byte count) to be a finite number > 0, got ${weight}`);
    }
    this.n += 1;
    this.weight += weight ?? 1;
    if (!Number.isFinite(value)) return this.nonFinite.add(value);
    this.sum += value;
    if (this.kind === "perplexity") this.values.push(value);
  }

  merge(other: AccumulatorState): void {
    const o = parseState(other, this.kind);
    this.n += o.n;
    this.sum += o.sum;
    this.weight += o.weight;
    this.nonFinite.merge(o.nonfinite);
    if (this.kind === "perplexity") for (const v of o.values ?? []) this.values.push(v);
  }

  result(): AggregateResult {
    if (this.n === 0) return { value: Number.NaN, stderr: null, n: 0 };
    const sum = this.sum + (this.nonFinite.sum ?? 0);
    return { value: FINISH[this.kind](sum, this.weight), stderr: this.nonFinite.sum === undefined ? this.bootstrapped() : null, n: this.n };
  }

  /** lm-eval: a bootstrap stderr for perplexity over more than one sample (values from a state without them: none). */
  private bootstrapped(): number | null {
    if (this.kind !== "perplexity" || this.values.length < 2 || this.values.length !== this.n) return null;
    if (this.stderr?.n !== this.n) this.stderr = { n: this.n, value: bootstrapStderr((xs) => Math.exp(-pyMean(xs)), this.values) };
    return this.stderr.value;
  }

  state(): RatioState {
    const nonfinite = this.nonFinite.state();
    return { kind: this.kind, n: this.n, sum: this.sum, weight: this.weight, ...(this.kind === "perplexity" ? { values: [...this.values] } : {}), ...(nonfinite ? { nonfinite } : {}) };
  }
}

function parseState(state: unknown, kind: Kind): RatioState {
  return parseAccumulatorState(StateSchema, state, kind);
}

function factory(kind: Kind): AggregationFactory {
  return accumulatorFactory(() => new RatioAccumulator(kind));
}

export const perplexityAggregation = factory("perplexity");
export const weightedPerplexity = factory("weighted_perplexity");
export const bitsPerByteAggregation = factory("bits_per_byte");
