import { defer, lastValueFrom, mergeMap, of, type OperatorFunction } from "rxjs";
import type { ChatRequest } from "../work/model.js";
import type { Inferred, WorkItem } from "../work/work-item.js";
import type { PipelineContext } from "./pipeline-context.js";
import { infer } from "./infer.js";

/**
 * Like `infer`, but a sample's repeats on one model share one request that asks for `n` = repeats
 * choices, where the server supports it (OpenAI and vLLM do): repeat r takes choice r. The request
 * and what it cost are recorded once, on the line of the repeat that sent it (usage, cost, attempts);
 * the others show no usage, cost 0 and 0 attempts, so the summary's totals stay right. A server that
 * returns fewer choices than asked makes the repeats without one fail with `n_unsupported`.
 *
 * A sample's work items arrive together (expand emits them in one go), so they find the shared
 * request in flight; the entry is dropped as soon as the reply is in. Items with one repeat are
 * inferred as `infer` does.
 *
 * @param repeatsOf the number of repeats of a work item's sample (its task's, or the run's override).
 */
export function inferShared(context: PipelineContext, toRequest: (work: WorkItem) => ChatRequest, repeatsOf: (work: WorkItem) => number): OperatorFunction<WorkItem, Inferred> {
  const inFlight = new Map<string, Promise<Inferred>>();
  const single = (work: WorkItem, request: (w: WorkItem) => ChatRequest) => lastValueFrom(of(work).pipe(infer(context, request)));

  const shared = async (work: WorkItem): Promise<Inferred> => {
    const k = repeatsOf(work);
    if (k <= 1) return single(work, toRequest);
    const key = JSON.stringify([work.key.task, work.key.id, work.key.model]);
    let request = inFlight.get(key);
    const owner = request === undefined;
    if (!request) {
      request = single(work, (w) => ({ ...toRequest(w), n: k }));
      inFlight.set(key, request);
      request.finally(() => inFlight.delete(key)).catch(() => {});
    }
    return pick(await request, work, owner, k);
  };

  return mergeMap((work) => defer(() => shared(work)));
}

/** Repeat r's share of an n-choice reply. */
function pick(got: Inferred, work: WorkItem, owner: boolean, k: number): Inferred {
  const share = owner
    ? { timing: got.timing, cost_usd: got.cost_usd }
    : { timing: { ...got.timing, attempts: 0 }, cost_usd: got.cost_usd === null ? null : 0 };
  if (got.error || !got.reply) return { work, ...share, error: got.error ?? { type: "no_reply", message: "no reply", attempts: share.timing.attempts } };
  const choices = got.reply.choices ?? [got.reply.text];
  const r = work.key.repeat;
  if (r >= choices.length) {
    const message = `the server returned ${choices.length} choice(s) for n=${k}: it does not support \`n\`; run without --use-n`;
    return { work, ...share, error: { type: "n_unsupported", message, attempts: share.timing.attempts } };
  }
  const reply = { ...got.reply, text: choices[r] ?? null, choices: undefined, usage: owner ? got.reply.usage : null };
  return { work, ...share, reply };
}
