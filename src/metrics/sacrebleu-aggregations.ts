import { z } from "../zod.js";
import { bootstrapResamples } from "./bootstrap.js";
import { bleuScore, bleuStats } from "./sacrebleu/bleu.js";
import { chrfScore, chrfStats } from "./sacrebleu/chrf.js";
import { terScore, terStats } from "./sacrebleu/ter.js";
import type { Accumulator, AccumulatorState, AggregateResult, AggregationFactory, MetricFactory, MetricFn } from "./types.js";
import { accumulatorFactory, parseAccumulatorState } from "./accumulator-state.js";

/**
 * lm-eval's corpus-level translation metrics `bleu`, `chrf` and `ter`: each sample's value is the
 * pair [reference, prediction] (lm-eval's passthrough metric functions), and the aggregation is
 * sacrebleu's corpus score over all pairs with default settings (`sacrebleu.corpus_bleu(preds, refs)`
 * …), 0 to 100. The stderr is lm-eval's bootstrap with min(bootstrap_iters, 100) = 100 resamples.
 *
 * Each pair is reduced to sacrebleu's segment statistics when it is added (integer counts; TER's mean
 * reference length), so the corpus score is a sum of those: memory is a few numbers per sample, kept
 * for the bootstrap, which resamples them in the order the samples arrived (lm-eval's: the documents').
 */
type Kind = "bleu" | "chrf" | "ter";

const SCORERS: Readonly<Record<Kind, { stats(hyp: string, refs: readonly string[]): readonly number[]; score(stats: readonly number[]): number }>> = {
  bleu: { stats: bleuStats, score: bleuScore },
  chrf: { stats: chrfStats, score: chrfScore },
  ter: { stats: terStats, score: terScore },
};

/** lm-eval caps the bootstrap of these three at 100 resamples (evaluator_utils: `min(bootstrap_iters, 100)`). */
const BOOTSTRAP_ITERS = 100;

/** A sample's item: [reference or references, prediction], as lm-eval's passthrough metrics record it. */
const ItemSchema = z.tuple([z.union([z.string(), z.array(z.string()).min(1)]), z.string()]);

export interface CorpusState extends AccumulatorState {
  readonly kind: Kind;
  /** Each sample's segment statistics, in arrival order. */
  readonly stats: readonly (readonly number[])[];
}

const StateSchema = z.strictObject({ kind: z.enum(["bleu", "chrf", "ter"]), stats: z.array(z.array(z.number())) });

class CorpusAccumulator implements Accumulator {
  readonly #stats: (readonly number[])[] = [];
  #stderr: { n: number; value: number | null } | undefined;

  constructor(private readonly kind: Kind) {}

  add(value: number): void {
    throw new TypeError(`Expected a [reference, prediction] item for \`${this.kind}\` (a corpus-level metric), got the number ${value}`);
  }

  addItem(item: unknown): void {
    const r = ItemSchema.safeParse(item);
    if (!r.success) throw new TypeError(`Expected a [reference, prediction] item for \`${this.kind}\`, got ${JSON.stringify(item)}`);
    const [ref, pred] = r.data;
    this.#stats.push(SCORERS[this.kind].stats(pred, typeof ref === "string" ? [ref] : ref));
  }

  merge(other: AccumulatorState): void {
    for (const s of parseState(other, this.kind).stats) this.#stats.push(s);
  }

  result(): AggregateResult {
    const n = this.#stats.length;
    if (n === 0) return { value: Number.NaN, stderr: null, n: 0 };
    return { value: this.#score(this.#stats.keys()), stderr: this.#bootstrapped(), n };
  }

  /** sacrebleu's `sum_of_lists` over the chosen samples, then the score. */
  #score(indices: Iterable<number>): number {
    const total = new Array<number>(this.#stats[0]!.length).fill(0);
    for (const i of indices) {
      const s = this.#stats[i]!;
      for (let k = 0; k < total.length; k++) total[k]! += s[k]!;
    }
    return SCORERS[this.kind].score(total);
  }

  #bootstrapped(): number | null {
    const n = this.#stats.length;
    if (n < 2) return null;
    if (this.#stderr?.n !== n) this.#stderr = { n, value: bootstrapResamples(n, BOOTSTRAP_ITERS, (picks) => this.#score(picks)) };
    return this.#stderr.value;
  }

  state(): CorpusState {
    return { kind: this.kind, stats: this.#stats.map((s) => [...s]) };
  }
}

function parseState(state: unknown, kind: Kind): CorpusState {
  return parseAccumulatorState(StateSchema, state, kind);
}

function aggregation(kind: Kind): AggregationFactory {
  return accumulatorFactory(() => new CorpusAccumulator(kind));
}

export const bleuAggregation = aggregation("bleu");
export const chrfAggregation = aggregation("chrf");
export const terAggregation = aggregation("ter");

const notPerSample: MetricFn = () => {
  throw new TypeError("a corpus-level metric has no per-sample score: its item goes to the aggregation");
};

/**
 * The metric side: a passthrough whose per-sample value is the item. lm-eval calls it without the
 * entry's options (its fallback call `bleu_fn([gold, result])`), so options change nothing.
 */
function passthrough<A extends Kind>(kind: A): MetricFactory<A> {
  // lm-eval registers all three as higher_is_better (ter included).
  return { aggregation: kind, higherIsBetter: true, outputTypes: ["generate_until"], passthrough: true, create: () => notPerSample };
}

export const bleu = passthrough("bleu");
export const chrf = passthrough("chrf");
export const ter = passthrough("ter");
