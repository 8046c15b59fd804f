import { z } from "../zod.js";
import { BOOTSTRAP_ITERS, bootstrapResamples } from "./bootstrap.js";
import type { Accumulator, AccumulatorState, AggregateResult, AggregationFactory, MetricFactory, MetricFn } from "./types.js";
import { accumulatorFactory, parseAccumulatorState } from "./accumulator-state.js";

/**
 * lm-eval's corpus-level classification metrics for multiple_choice: `f1` (aggregation `f1`:
 * scikit-learn's `f1_score(golds, preds)`, binary with positive label 1) and `mcc` (aggregation
 * `matthews_corrcoef`: scikit-learn's `matthews_corrcoef(golds, preds)`, multiclass). A sample's value
 * is the pair [gold, pred] (gold index, likeliest choice; −100 for a gold index error, as lm-eval);
 * the aggregation counts pairs, so the score is exact whatever order they arrive in. The stderr is
 * lm-eval's bootstrap (100,000 resamples, drawn as lm-eval draws them), which keeps every pair.
 *
 * Where scikit-learn raises — `f1` over more than two labels, or over two labels without 1 — lm-eval
 * stops; the value here is NaN (no stderr).
 */
type Kind = "f1" | "matthews_corrcoef";

// Labels are gold indices and predictions, or texts (generate_until); any JSON value is kept as one label.
const ItemSchema = z.tuple([z.unknown(), z.unknown()]);

/** Counts of (gold, pred) label pairs; labels are numbered in order of first appearance. */
interface Confusion {
  readonly labels: readonly unknown[];
  /** counts[g * size + p] */
  readonly counts: Float64Array;
  readonly size: number;
}

/** scikit-learn's binary F1 (pos_label=1, zero_division → 0) from a confusion table. */
function f1(c: Confusion): number {
  const present = c.labels.filter((_, i) => rowSum(c, i) + colSum(c, i) > 0);
  if (present.length > 2) return Number.NaN; // "Target is multiclass but average='binary'"
  const pos = c.labels.findIndex((l) => l === 1);
  const posPresent = pos >= 0 && rowSum(c, pos) + colSum(c, pos) > 0;
  if (!posPresent) return present.length >= 2 ? Number.NaN : 0.0; // "pos_label=1 is not a valid label"
  const tp = c.counts[pos * c.size + pos]!;
  const trueSum = rowSum(c, pos);
  const predSum = colSum(c, pos);
  const denom = trueSum + predSum;
  return denom === 0 ? 0.0 : (2 * tp) / denom;
}

/** scikit-learn's matthews_corrcoef (multiclass form) from a confusion table. */
function mcc(c: Confusion): number {
  let nCorrect = 0;
  let n = 0;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let i = 0; i < c.size; i++) {
    const t = rowSum(c, i);
    const p = colSum(c, i);
    nCorrect += c.counts[i * c.size + i]!;
    n += t;
    tp += t * p;
    pp += p * p;
    tt += t * t;
  }
  const covYtYp = nCorrect * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp * covYtYt === 0) return 0.0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

function rowSum(c: Confusion, i: number): number {
  let s = 0;
  for (let j = 0; j < c.size; j++) s += c.counts[i * c.size + j]!;
  return s;
}

function colSum(c: Confusion, j: number): number {
  let s = 0;
  for (let i = 0; i < c.size; i++) s += c.counts[i * c.size + j]!;
  return s;
}

const SCORE: Readonly<Record<Kind, (c: Confusion) => number>> = { f1, matthews_corrcoef: mcc };

export interface ClassificationState extends AccumulatorState {
  readonly kind: Kind;
  /** Every [gold, pred] pair, in arrival order (the bootstrap resamples them). */
  readonly pairs: readonly (readonly [unknown, unknown])[];
}

const StateSchema = z.strictObject({ kind: z.enum(["f1", "matthews_corrcoef"]), pairs: z.array(ItemSchema) });

class ClassificationAccumulator implements Accumulator {
  readonly #labels: unknown[] = [];
  readonly #index = new Map<string, number>();
  /** Each pair as [gold label number, pred label number]. */
  readonly #pairs: [number, number][] = [];
  #stderr: { n: number; value: number | null } | undefined;

  constructor(private readonly kind: Kind) {}

  add(value: number): void {
    throw new TypeError(`Expected a [gold, pred] item for \`${this.kind}\` (a corpus-level metric), got the number ${value}`);
  }

  addItem(item: unknown): void {
    const r = ItemSchema.safeParse(item);
    if (!r.success) throw new TypeError(`Expected a [gold, pred] item for \`${this.kind}\`, got ${JSON.stringify(item)}`);
    this.#pairs.push([this.#label(r.data[0]), this.#label(r.data[1])]);
  }

  #label(v: unknown): number {
    // Python compares 1 == 1.0 == True; labels here are ints (indices) or strings.
    const key = typeof v === "boolean" ? String(Number(v)) : typeof v === "number" ? String(v) : `j${JSON.stringify(v)}`;
    let i = this.#index.get(key);
    if (i === undefined) {
      i = this.#labels.length;
      this.#index.set(key, i);
      this.#labels.push(typeof v === "boolean" ? Number(v) : v);
    }
    return i;
  }

  merge(other: AccumulatorState): void {
    for (const pair of parseState(other, this.kind).pairs) this.addItem(pair);
  }

  result(): AggregateResult {
    const n = this.#pairs.length;
    if (n === 0) return { value: Number.NaN, stderr: null, n: 0 };
    const value = this.#score(this.#pairs.keys());
    return { value, stderr: Number.isNaN(value) ? null : this.#bootstrapped(), n };
  }

  #score(indices: Iterable<number>): number {
    const size = this.#labels.length;
    const counts = new Float64Array(size * size);
    for (const i of indices) {
      const [g, p] = this.#pairs[i]!;
      counts[g * size + p]!++;
    }
    return SCORE[this.kind]({ labels: this.#labels, counts, size });
  }

  #bootstrapped(): number | null {
    const n = this.#pairs.length;
    if (n < 2) return null;
    if (this.#stderr?.n !== n) this.#stderr = { n, value: bootstrapResamples(n, BOOTSTRAP_ITERS, (picks) => this.#score(picks)) };
    return this.#stderr.value;
  }

  state(): ClassificationState {
    return { kind: this.kind, pairs: this.#pairs.map(([g, p]) => [this.#labels[g], this.#labels[p]] as const) };
  }
}

function parseState(state: unknown, kind: Kind): ClassificationState {
  return parseAccumulatorState(StateSchema, state, kind);
}

function aggregation(kind: Kind): AggregationFactory {
  return accumulatorFactory(() => new ClassificationAccumulator(kind));
}

export const f1Aggregation = aggregation("f1");
export const matthewsCorrcoef = aggregation("matthews_corrcoef");

const notPerSample: MetricFn = () => {
  throw new TypeError("a corpus-level metric has no per-sample score: its [gold, pred] item goes to the aggregation");
};

/**
 * The metric side: the multiple_choice pipeline records [gold, pred] for it; a generate_until task
 * records [target, answer], as lm-eval's fallback call `f1_fn([gold, result])` does. lm-eval calls a
 * passthrough metric without the entry's options (evalita's `average: macro`), so they change nothing.
 */
function passthrough<A extends Kind>(aggregation: A): MetricFactory<A> {
  return { aggregation, higherIsBetter: true, outputTypes: ["multiple_choice", "generate_until"], passthrough: true, create: () => notPerSample };
}

export const f1Metric = passthrough("f1");
export const mccMetric = passthrough("matthews_corrcoef");
