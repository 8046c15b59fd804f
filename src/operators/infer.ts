import { defer, mergeMap, type OperatorFunction } from "rxjs";
import { usageOrEstimate } from "../cost/estimate-usage.js";
import { costOf } from "../cost/price.js";
import { isModelCallError } from "../errors/model-call-error.js";
import type { ChatRequest } from "../work/model.js";
import { requestTiming } from "../observe/request-timing.js";
import type { Inferred, Prepared, WorkItem } from "../work/work-item.js";
import type { PipelineContext } from "./pipeline-context.js";

/** `cached: true` and the reply's original cost, for a result line whose reply came from the response cache. */
export function cacheMark(inferred: Pick<Inferred, "cached" | "cached_cost_usd">): { cached?: true; cached_cost_usd?: number | null } {
  return inferred.cached ? { cached: true, cached_cost_usd: inferred.cached_cost_usd ?? null } : {};
}

/**
 * Sends each work item to its model and emits one `Inferred` per item, in completion order: the
 * reply with its timing and cost, or the error as data (a failure never tears down the stream; a call
 * refused by the budget or aborted by the run's signal is marked `cutOff`).
 * A fatal error (bad key, unknown model) also stops the run. Concurrency is the dispatchers' job;
 * how many items arrive at once is bounded by the source's demand window.
 *
 * @param toRequest builds the chat request for an item (pure).
 */
export function infer<P extends Prepared>(context: PipelineContext, toRequest: (work: WorkItem<P>) => ChatRequest): OperatorFunction<WorkItem<P>, Inferred<P>> {
  return mergeMap((work) => defer(() => inferOne(context, work, toRequest)));
}

/** One item's call: the reply with its timing and cost, or the error as data (a fatal one also stops the run). */
export async function inferOne<P extends Prepared>(context: PipelineContext, work: WorkItem<P>, toRequest: (work: WorkItem<P>) => ChatRequest): Promise<Inferred<P>> {
  const model = work.key.model;
  const dispatcher = context.dispatchers.get(model);
  if (!dispatcher) throw new Error(`no dispatcher for model ${model}`);
  try {
    const request = toRequest(work);
    const { reply: sent, queue_ms, attempts, served_by, cached } = await dispatcher.call(request, { id: work.key.id, signal: context.signal, repeat: work.key.repeat });
    // A server that reports no usage: count offline (marked estimated), so the cost is a figure, not a silent 0.
    const reply = sent.usage ? sent : { ...sent, usage: await usageOrEstimate(request, sent) };
    const cost = costOf(reply.usage, context.prices.get(served_by ?? model));
    return {
      kind: "ok",
      work,
      reply,
      // Timed from what the server sent: without its usage, output tokens are the streamed chunks.
      timing: cached ? { e2e_ms: 0, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 0 } : requestTiming(sent, queue_ms, attempts),
      // A reply from the response cache cost nothing this time; what it cost when it was made is kept apart.
      ...(cached ? { cost_usd: cost === null ? null : 0, cached: true, cached_cost_usd: cost } : { cost_usd: cost }),
      ...(served_by ? { served_by } : {}),
    };
  } catch (error) {
    if (!isModelCallError(error)) throw error;
    const { type, kind, attempts, cutOff } = error.info;
    if (kind === "fatal") context.stop("fatal", error.message);
    return {
      kind: "error",
      work,
      timing: { e2e_ms: 0, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts },
      error: { type, message: error.message, attempts },
      cost_usd: null,
      ...(cutOff ? { cutOff } : {}),
    };
  }
}
