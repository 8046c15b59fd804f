import { lineScores } from "../metrics/line-scores.js";
import type { ResultLine } from "../types.js";

/** One side of a comparison: a run's results on one model, as each sample's scores. */
export interface SideScores {
  readonly run: string;
  readonly model: string;
  /** Task → sample id → metric key → the sample's score (over its repeats, as the summary takes it). */
  readonly tasks: Map<string, Map<string, Record<string, number>>>;
}

/**
 * Folds result lines into one side's per-sample scores: ok lines of `model` only (an error line has
 * no score, so its sample is unpaired). Memory: one small record per sample.
 */
export async function collectSideScores(run: string, model: string, lines: AsyncIterable<ResultLine> | Iterable<ResultLine>): Promise<SideScores> {
  const tasks = new Map<string, Map<string, Record<string, number>>>();
  for await (const line of lines) {
    if (line.model !== model || line.status !== "ok") continue;
    const scores = lineScores(line);
    if (Object.keys(scores).length === 0) continue;
    let samples = tasks.get(line.task);
    if (!samples) tasks.set(line.task, (samples = new Map<string, Record<string, number>>()));
    samples.set(line.id, { ...samples.get(line.id), ...scores });
  }
  return { run, model, tasks };
}
