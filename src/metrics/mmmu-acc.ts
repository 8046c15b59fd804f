import { createHash } from "node:crypto";
import { z } from "../zod.js";
import { pyLiteralEval } from "../python/literal.js";
import { pyStr } from "../python/repr.js";
import { pyRound } from "../python/round.js";
import { accumulatorFactory, parseAccumulatorState } from "./accumulator-state.js";
import { evalMultiChoice, evalOpen, multiChoiceInfo, type OpenPrediction, parseMultiChoiceResponse, parseOpenResponse } from "./mmmu-parse.js";
import { pyStrip } from "../python/str.js";
import type { Accumulator, AccumulatorState, AggregateResult, MetricFactory, SampleMetricFn } from "./types.js";

/**
 * MMMU's accuracy as lmms-eval's `mmmu_val` scores it (`mmmu_process_results`, then
 * `mmmu_aggregate_results`): a multiple-choice response is parsed to a letter, an open one to its
 * candidate answers, each checked against the doc's `answer`. A sample's value is an item
 * `{subdomain, parsed_pred, correct}` (the subject from the doc's `id`, `validation_Art_12` → `Art`),
 * and the aggregation is lmms-eval's: per subject the accuracy, then their mean weighted by size,
 * rounded to 5 decimals.
 *
 * An open answer is checked as MMMU's evaluation and lmms-eval up to 0.3 do, against every candidate
 * `parse_open_response` finds. lmms-eval 0.4 and later keep only the first candidate's string
 * (`str(parsed_pred[0])`, the first of a set), which `eval_open` then walks character by character,
 * so there an open question practically never scores (docs/multimodal.md).
 */
export interface MmmuItem {
  readonly subdomain: string;
  readonly parsed_pred: string | readonly OpenPrediction[];
  readonly correct: 0 | 1;
}

/** `extract_subset_name`: the subject between the split and the number (`validation_Art_Theory_3` → `Art_Theory`); "" when the id has no such form. */
export function subsetName(id: string): string {
  const split = id.split("_")[0]!;
  const m = new RegExp(`^${split.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_(.+?)_\\d+$`, "s").exec(id);
  return m ? m[1]! : "";
}

/** The seed of a sample's fallback letter: the first 48 bits of its id's sha256. */
export const fallbackSeed = (id: string): number => Number.parseInt(createHash("sha256").update(id).digest("hex").slice(0, 12), 16);

/** The doc's options: a list, or the Python literal of one (the Hugging Face dataset's form). */
export function mmmuOptions(doc: Readonly<Record<string, unknown>>): string[] {
  const raw = typeof doc.options === "string" ? pyLiteralEval(doc.options) : doc.options;
  if (!Array.isArray(raw)) throw new TypeError(`mmmu_acc: the doc's \`options\` is not a list (${JSON.stringify(doc.options)?.slice(0, 60)})`);
  return raw.map((o) => pyStr(o));
}

/** One sample's item; `response` as the model gave it (stripped here, as lmms-eval's Task strips it). */
export function mmmuItem(response: string, gold: string | readonly string[], doc: Readonly<Record<string, unknown>>): MmmuItem {
  const pred = pyStrip(response);
  const id = pyStr(doc.id ?? "");
  const golds = typeof gold === "string" ? [gold] : gold;
  const subdomain = subsetName(id);
  if (doc.question_type === "multiple-choice") {
    const { index2ans, allChoices } = multiChoiceInfo(mmmuOptions(doc));
    const parsed = parseMultiChoiceResponse(pred, allChoices, index2ans, fallbackSeed(id));
    return { subdomain, parsed_pred: parsed, correct: golds.some((g) => evalMultiChoice(g, parsed)) ? 1 : 0 };
  }
  const parsed = parseOpenResponse(pred);
  return { subdomain, parsed_pred: parsed, correct: golds.some((g) => evalOpen(g, parsed)) ? 1 : 0 };
}

export const mmmuAcc = {
  aggregation: "mmmu_acc",
  higherIsBetter: true,
  outputTypes: ["generate_until"],
  passthrough: true,
  create() {
    return () => {
      throw new TypeError("mmmu_acc reads the whole sample: its item goes to the aggregation");
    };
  },
  createForSample(options): SampleMetricFn {
    z.strictObject({}).parse(options);
    return mmmuItem;
  },
} satisfies MetricFactory<"mmmu_acc">;

const ItemSchema = z.looseObject({ subdomain: z.string(), correct: z.union([z.literal(0), z.literal(1)]) });

interface MmmuState extends AccumulatorState {
  readonly kind: "mmmu_acc";
  /** Per subject, in the order first seen: [name, correct, samples]. */
  readonly subsets: readonly (readonly [string, number, number])[];
}

const StateSchema = z.strictObject({ kind: z.literal("mmmu_acc"), subsets: z.array(z.tuple([z.string(), z.number().int().nonnegative(), z.number().int().positive()])) });

class MmmuAccumulator implements Accumulator {
  readonly #subsets = new Map<string, { correct: number; n: number }>();

  add(value: number): void {
    throw new TypeError(`Expected an {subdomain, correct} item for \`mmmu_acc\`, got the number ${value}`);
  }

  addItem(item: unknown): void {
    const r = ItemSchema.safeParse(item);
    if (!r.success) throw new TypeError(`Expected an {subdomain, correct} item for \`mmmu_acc\`, got ${JSON.stringify(item)?.slice(0, 80)}`);
    this.#count(r.data.subdomain, r.data.correct, 1);
  }

  #count(name: string, correct: number, n: number): void {
    const s = this.#subsets.get(name) ?? { correct: 0, n: 0 };
    s.correct += correct;
    s.n += n;
    this.#subsets.set(name, s);
  }

  merge(other: AccumulatorState): void {
    for (const [name, correct, n] of parseAccumulatorState(StateSchema, other, "mmmu_acc").subsets) this.#count(name, correct, n);
  }

  /** `calculate_ins_level_acc` over `evaluate_mmmu`'s per-subject accuracies, then `round(…, 5)`. */
  result(): AggregateResult {
    let acc = 0;
    let n = 0;
    for (const s of this.#subsets.values()) {
      acc += (s.correct / s.n) * s.n;
      n += s.n;
    }
    if (n === 0) return { value: Number.NaN, stderr: null, n: 0 };
    // lmms-eval has no stderr for an aggregation of its own.
    return { value: pyRound(acc / n, 5), stderr: null, n };
  }

  state(): MmmuState {
    return { kind: "mmmu_acc", subsets: [...this.#subsets].map(([name, s]) => [name, s.correct, s.n] as const) };
  }
}

export const mmmuAccAggregation = accumulatorFactory(() => new MmmuAccumulator());
