import type { Accumulator } from "./types.js";
import type { ResultFold } from "../types.js";

/**
 * The scores a result line adds to the summary's metrics. A line of a task with repeats (`repeats`
 * > 1) holds one response's own scores, which are not lm-eval's numbers: the summary takes the
 * sample's score over all repeats instead, carried by the line that completed the sample (`sample`;
 * see gatherRepeats), and nothing from the other repeat lines.
 */
export function lineScores(line: ResultFold): Readonly<Record<string, number>> {
  if (typeof line.repeats !== "number" || line.repeats <= 1) return asNumbers(line.scores ?? {});
  const sample = line.sample as { scores?: Record<string, number> } | undefined;
  return asNumbers(sample?.scores ?? {});
}

/**
 * A score that is not a finite number (NaN from a Python `process_results`, ±Infinity) is written as
 * null, since JSON has none; read back (a resumed run, `runs show`, `collect`), it is NaN again, never 0.
 */
function asNumbers(scores: Readonly<Record<string, number | null>>): Readonly<Record<string, number>> {
  for (const key in scores) {
    if (scores[key] !== null) continue;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(scores)) out[k] = v ?? Number.NaN;
    return out;
  }
  return scores as Readonly<Record<string, number>>;
}

/** A line's non-numeric values (passthrough metrics' items), taken over repeats as `lineScores` does. */
export function lineValues(line: ResultFold): Readonly<Record<string, unknown>> {
  if (typeof line.repeats !== "number" || line.repeats <= 1) return line.values ?? {};
  const sample = line.sample as { values?: Record<string, unknown> } | undefined;
  return sample?.values ?? {};
}

/**
 * Folds a result line's scores into their accumulators as the summary does: `lineScores` (a
 * sample's score over its repeats) with each score's weight from `weights` (ratio aggregations
 * such as bits_per_byte; a judge's overall over its graded turns), then its items (`lineValues`)
 * into aggregations over items (bleu, chrf, ter).
 */
export function foldScores(line: ResultFold, accumulatorOf: (key: string) => Accumulator): void {
  for (const [key, value] of Object.entries(lineScores(line))) accumulatorOf(key).add(value, line.weights?.[key]);
  for (const [key, item] of Object.entries(lineValues(line))) {
    const acc = accumulatorOf(key);
    if (!acc.addItem) throw new TypeError(`\`${key}\`: its aggregation takes numbers, but the line holds an item (${JSON.stringify(item).slice(0, 80)})`);
    acc.addItem(item);
  }
}
