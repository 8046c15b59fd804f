import * as z from "zod";
import type { Accumulator, AccumulatorState, AggregateResult, AggregationFactory } from "./types.js";

/**
 * lm-evaluation-harness's aggregations over loglikelihoods, which are ratios of sums rather than means
 * of per-sample values:
 *
 * - `perplexity`: exp(−Σll / n), over the per-sample loglikelihoods (`add(ll)`);
 * - `weighted_perplexity`: exp(−Σll / Σcount), where each sample adds its loglikelihood and its word or
 *   byte count (`add(ll, count)`);
 * - `bits_per_byte`: −Σll / Σbytes / ln 2 (`add(ll, bytes)`).
 *
 * Here `weight` is the sample's count (words or bytes), not a repeat count. None has a stderr: the
 * harness bootstraps one for `perplexity` (100,000 random resamples) and defines none for the others.
 * State is two running sums, so memory stays constant however many samples there are.
 */
export interface RatioState extends AccumulatorState {
  readonly kind: "perplexity" | "weighted_perplexity" | "bits_per_byte";
  readonly n: number;
  readonly sum: number;
  readonly weight: number;
}

type Kind = RatioState["kind"];

const StateSchema = z.strictObject({
  kind: z.enum(["perplexity", "weighted_perplexity", "bits_per_byte"]),
  n: z.number().nonnegative(),
  sum: z.number(),
  weight: z.number().nonnegative(),
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

  constructor(private readonly kind: Kind) {}

  add(value: number, weight?: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`Expected \`value\` to be a finite number, got ${value}`);
    if (this.kind === "perplexity") {
      if (weight !== undefined && weight !== 1) throw new RangeError(`Expected no \`weight\` for perplexity, got ${weight}`);
    } else if (weight === undefined || !Number.isFinite(weight) || weight <= 0) {
      throw new RangeError(`Expected \`weight\` (the sample's word or byte count) to be a finite number > 0, got ${weight}`);
    }
    this.n += 1;
    this.sum += value;
    this.weight += weight ?? 1;
  }

  merge(other: AccumulatorState): void {
    const o = parseState(other, this.kind);
    this.n += o.n;
    this.sum += o.sum;
    this.weight += o.weight;
  }

  result(): AggregateResult {
    if (this.n === 0) return { value: Number.NaN, stderr: null, n: 0 };
    return { value: FINISH[this.kind](this.sum, this.weight), stderr: null, n: this.n };
  }

  state(): RatioState {
    return { kind: this.kind, n: this.n, sum: this.sum, weight: this.weight };
  }
}

function parseState(state: unknown, kind: Kind): RatioState {
  const r = StateSchema.safeParse(state);
  if (!r.success || r.data.kind !== kind) throw new TypeError(`Expected a \`${kind}\` accumulator state, got ${JSON.stringify(state)}`);
  return r.data;
}

function factory(kind: Kind): AggregationFactory {
  return {
    create: () => new RatioAccumulator(kind),
    fromState(state: unknown): Accumulator {
      const acc = new RatioAccumulator(kind);
      acc.merge(parseState(state, kind));
      return acc;
    },
  };
}

export const perplexityAggregation = factory("perplexity");
export const weightedPerplexity = factory("weighted_perplexity");
export const bitsPerByteAggregation = factory("bits_per_byte");
