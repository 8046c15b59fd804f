import { defer, mergeMap, type OperatorFunction } from "rxjs";
import { usageOrEstimate } from "../cost/estimate-usage.js";
import { costOf } from "../cost/price.js";
import { isModelCallError } from "../errors/model-call-error.js";
import type { ChatRequest } from "../work/model.js";
import { requestTiming } from "../observe/request-timing.js";
import type { Inferred, WorkItem } from "../work/work-item.js";
import type { PipelineContext } from "./pipeline-context.js";

/**
 * Sends each work item to its model and emits one `Inferred` per item, in completion order: the
 * reply with its timing and cost, or the error as data (a failure never tears down the stream).
 * A fatal error (bad key, unknown model) also stops the run. Concurrency is the dispatchers' job;
 * how many items arrive at once is bounded by the source's demand window.
 *
 * @param toRequest builds the chat request for an item (pure).
 */
export function infer(context: PipelineContext, toRequest: (work: WorkItem) => ChatRequest): OperatorFunction<WorkItem, Inferred> {
  return mergeMap((work) => defer(() => inferOne(context, work, toRequest)));
}

/** One item's call: the reply with its timing and cost, or the error as data (a fatal one also stops the run). */
export async function inferOne(context: PipelineContext, work: WorkItem, toRequest: (work: WorkItem) => ChatRequest): Promise<Inferred> {
  const model = work.key.model;
  const dispatcher = context.dispatchers.get(model);
  if (!dispatcher) throw new Error(`no dispatcher for model ${model}`);
  try {
    const request = toRequest(work);
    const { reply: sent, queue_ms, attempts, served_by } = await dispatcher.call(request, { id: work.key.id, signal: context.signal });
    // A server that reports no usage: count offline (marked estimated), so the cost is a figure, not a silent 0.
    const reply = sent.usage ? sent : { ...sent, usage: await usageOrEstimate(request, sent) };
    return {
      work,
      reply,
      // Timed from what the server sent: without its usage, output tokens are the streamed chunks.
      timing: requestTiming(sent, queue_ms, attempts),
      cost_usd: costOf(reply.usage, context.prices.get(served_by ?? model)),
      ...(served_by ? { served_by } : {}),
    };
  } catch (error) {
    if (!isModelCallError(error)) throw error;
    const { type, kind, attempts } = error.info;
    if (kind === "fatal") context.stop("fatal", error.message);
    return {
      work,
      timing: { e2e_ms: 0, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts },
      error: { type, message: error.message, attempts },
      cost_usd: null,
    };
  }
}
