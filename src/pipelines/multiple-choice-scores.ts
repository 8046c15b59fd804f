import { GOLD_ERROR, pyIndex } from "../tasks/gold.js";
import { codePoints } from "./loglikelihood-scores.js";
import { softmax } from "../metrics/multiple-choice-values.js";

/** What a multiple_choice sample scores, from its choices' loglikelihoods. */
export interface MultipleChoiceResult {
  /** The likeliest choice (numpy argmax: the first of equals). */
  readonly pred: number;
  /** The likeliest choice once each loglikelihood is divided by its choice's length. */
  readonly predNorm: number;
  /** acc, acc_norm and exact_match, as lm-eval's `process_results` computes them. */
  readonly values: Readonly<Record<"acc" | "acc_norm" | "acc_bytes" | "exact_match", number>>;
}

/**
 * lm-evaluation-harness's multiple_choice scoring (ConfigurableTask.process_results):
 * - `acc`: 1 when argmax(lls) is the gold index;
 * - `acc_norm`: 1 when argmax(lls / len(choice)) is the gold index, where len is the choice's length in
 *   characters (Python `len`, code points), without the target delimiter. (The harness's docs speak of
 *   byte length; its code divides by `len(choice)`, and so does this.)
 * - `acc_bytes`: as acc_norm, with the choice's length in UTF-8 bytes;
 * - `exact_match`: 1 when the gold choice is the greedy continuation.
 * A gold index error (GOLD_ERROR) scores 0 everywhere; a negative gold index never equals a prediction
 * (acc, acc_norm: 0) and picks `is_greedy[gold]` from the end, as in Python. Pure.
 */
export function multipleChoiceResult(lls: readonly number[], greedy: readonly boolean[], choices: readonly string[], gold: number): MultipleChoiceResult {
  if (lls.length !== choices.length || greedy.length !== choices.length) {
    throw new RangeError(`Expected one loglikelihood per choice (${choices.length}), got ${lls.length}`);
  }
  const pred = argmax(lls);
  const predNorm = argmax(lls.map((ll, i) => ll / codePoints(choices[i]!)));
  const predByte = argmax(lls.map((ll, i) => ll / Buffer.byteLength(choices[i]!, "utf8")));
  const ok = gold !== GOLD_ERROR && gold < choices.length;
  return {
    pred,
    predNorm,
    values: {
      acc: ok && pred === gold ? 1 : 0,
      acc_norm: ok && predNorm === gold ? 1 : 0,
      acc_bytes: ok && predByte === gold ? 1 : 0,
      exact_match: ok && pyIndex(greedy, gold) ? 1 : 0,
    },
  };
}

/** numpy's argmax: the first maximum, or the first NaN when there is one (numpy treats NaN as the max). */
export function argmax(values: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return i;
    if (best < 0 || v > values[best]!) best = i;
  }
  return best;
}

/**
 * The per-sample values lm-eval's multiple_choice scoring gives its item metrics: `f1` and `mcc` the
 * pair (gold, pred), `likelihood` (gold, lls), `brier_score` (gold, softmax(lls)). Pure.
 */
export function multipleChoiceItems(lls: readonly number[], gold: number, pred: number): Readonly<Record<"f1" | "mcc" | "likelihood" | "brier_score", unknown>> {
  return { f1: [gold, pred], mcc: [gold, pred], likelihood: [gold, [...lls]], brier_score: [gold, softmax(lls)] };
}
