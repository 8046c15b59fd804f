import { pipe } from "rxjs";
import type { ChatRequest } from "../work/model.js";
import type { ChatMessage } from "../types.js";
import { infer } from "../operators/infer.js";
import { inferShared } from "../operators/infer-shared.js";
import { executeCode } from "../operators/execute-code.js";
import { score } from "../operators/score.js";
import { judgeMetrics } from "../operators/judge-metrics.js";
import { scoreRepeats } from "../tasks/score-repeats.js";
import { chatRequestOf, sampleMedia, withMedia } from "./chat-request.js";
import type { PipelineDef } from "./types.js";
import type { Prepared, WorkItem } from "../work/work-item.js";
import { docPosition } from "../work/doc-position.js";

/** A generate_until sample: its prompt, and the prompt as chat turns with `--fewshot-as-multiturn`. */
export interface GenerateUntilPrepared extends Prepared {
  readonly messages?: readonly ChatMessage[];
}

/** The chat request for a generate_until item: the rendered prompt as one user message. */
export function generateUntilRequest(work: WorkItem<GenerateUntilPrepared>): ChatRequest {
  // Few-shot examples as chat turns (--fewshot-as-multiturn), else the prompt as one user message.
  const messages = work.prepared.messages ?? [{ role: "user", content: work.prepared.input }];
  return chatRequestOf(work, work.prepared.media?.length ? withMedia(messages, work.prepared.media) : messages);
}

/** `output_type: generate_until`: prompt → chat completion → filters → metrics (code metrics: in the sandbox; judge metrics: at the judge). */
export const generateUntil: PipelineDef<GenerateUntilPrepared> = {
  prepare: (sample, task) => ({
    ...sampleMedia(sample, task),
    input: task.prompt(sample.doc, docPosition(sample)),
    target: task.target(sample.doc),
    ...withTargets(task.targets?.(sample.doc)),
    ...(task.messages ? { messages: task.messages(sample.doc, docPosition(sample)) } : {}),
  }),
  create: (context) =>
    pipe(
      context.repeatsAsN ? inferShared(context, generateUntilRequest) : infer(context, generateUntilRequest),
      score(),
      executeCode(context.codeSandbox, context.signal),
      judgeMetrics(context),
    ),
  scoreRepeats,
};

/** `targets` on the prepared sample when the task gives several gold answers. */
function withTargets(targets: string[] | undefined): { targets?: string[] } {
  return targets ? { targets } : {};
}
