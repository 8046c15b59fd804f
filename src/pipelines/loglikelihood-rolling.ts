import { map, pipe } from "rxjs";
import { TaskInputError } from "../errors/task-input-error.js";
import { infer } from "../operators/infer.js";
import type { ResultLine } from "../types.js";
import { codePoints, countBytes, countWords } from "./loglikelihood-scores.js";
import { keyed, loglikelihoodLine, loglikelihoodRequest, type ScoredText } from "./loglikelihood-request.js";
import { cutOffOf, type Inferred, outcomeOf, type WorkItem } from "../work/work-item.js";
import type { PipelineDef } from "./types.js";
import { docPosition } from "../work/doc-position.js";

const rollingText = (work: WorkItem): ScoredText => ({ text: work.prepared.target, split: 0, length: codePoints(work.prepared.target) });

/**
 * Pure: the result line of an inferred loglikelihood_rolling item. Each perplexity metric's per-sample
 * score is the text's loglikelihood (lm-eval's per-sample item), and `weights` holds the count it is
 * divided by when aggregated: words for word_perplexity, UTF-8 bytes for byte_perplexity and
 * bits_per_byte. The line also shows `loglikelihood`, `words` and `bytes`.
 */
export function rollingLine(inferred: Inferred): ResultLine {
  const { work } = inferred;
  const text = work.prepared.target;
  return loglikelihoodLine(inferred, [rollingText(work)], ([s]) => {
    const words = countWords(text);
    const bytes = countBytes(text);
    const ll = s!.ll;
    const counts = { word_perplexity: words, byte_perplexity: bytes, bits_per_byte: bytes };
    return {
      loglikelihood: ll,
      words,
      bytes,
      scored_tokens: s!.tokens,
      scores: keyed(work.task.metrics, work.task.filters, { word_perplexity: ll, byte_perplexity: ll, bits_per_byte: ll }),
      weights: keyed(work.task.metrics, work.task.filters, counts),
    };
  });
}

/**
 * `output_type: loglikelihood_rolling` (perplexity of a whole text, `doc_to_target`): one completions
 * request with the text as the prompt, echoed with logprobs; the sum of every token's logprob.
 *
 * Differences from lm-eval, which tokenizes locally: the text is sent whole, not in windows of the
 * model's context length (a text longer than the model's context fails with the server's error), and
 * its first token is scored only when the server puts a BOS token before it (lm-eval scores it after
 * an end-of-text token).
 */
export const loglikelihoodRolling: PipelineDef = {
  prepare(sample, task) {
    const text = task.target(sample.doc);
    if (text === "") throw new TaskInputError("doc_to_target: empty text, nothing to score", "doc_to_target");
    return { input: task.prompt(sample.doc, docPosition(sample)), target: text };
  },
  create: (context) =>
    pipe(
      infer(context, (work) => loglikelihoodRequest(work.key.model, [rollingText(work)])),
      map((inferred) => outcomeOf(inferred.work, rollingLine(inferred), cutOffOf(inferred))),
    ),
};
