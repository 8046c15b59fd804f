import { map, pipe } from "rxjs";
import { infer } from "../operators/infer.js";
import type { ResultLine } from "../types.js";
import { codePoints, splitPoint } from "./loglikelihood-scores.js";
import { keyed, loglikelihoodLine, loglikelihoodRequest, type ScoredText } from "./loglikelihood-request.js";
import { cutOffOf, type Inferred, outcomeOf, type WorkItem } from "../work/work-item.js";
import type { PipelineDef } from "./types.js";
import { docPosition } from "../work/doc-position.js";

/** The text scored: the prompt (`doc_to_text`) followed by the continuation (`doc_to_target`, as is). */
export function continuationText(work: WorkItem): ScoredText {
  const text = work.prepared.input + work.prepared.target;
  return { text, split: splitPoint(work.prepared.input), length: codePoints(text) };
}

/** Pure: the result line of an inferred loglikelihood item: `perplexity` (the loglikelihood) and `acc` (greedy). */
export function loglikelihoodResultLine(inferred: Inferred): ResultLine {
  const { work } = inferred;
  return loglikelihoodLine(inferred, [continuationText(work)], ([s]) => ({
    loglikelihood: s!.ll,
    is_greedy: s!.isGreedy,
    scores: keyed(work.task.metrics, work.task.filters, { perplexity: s!.ll, acc: s!.isGreedy ? 1 : 0 }),
  }));
}

/**
 * `output_type: loglikelihood`: the loglikelihood of `doc_to_target` after `doc_to_text`, as lm-eval
 * scores it: `perplexity` (per sample: the loglikelihood; aggregated as exp(−mean)) and `acc` (1 when the
 * continuation is the greedy one). The target is used as written: no target_delimiter is added.
 */
export const loglikelihood: PipelineDef = {
  prepare: (sample, task) => ({ input: task.prompt(sample.doc, docPosition(sample)), target: task.target(sample.doc) }),
  create: (context) =>
    pipe(
      infer(context, (work) => loglikelihoodRequest(work.key.model, [continuationText(work)])),
      map((inferred) => outcomeOf(inferred.work, loglikelihoodResultLine(inferred), cutOffOf(inferred))),
    ),
};
