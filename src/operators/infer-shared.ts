import { defer, lastValueFrom, mergeMap, of, type OperatorFunction } from "rxjs";
import type { ChatRequest } from "../work/model.js";
import type { Inferred, Prepared, WorkItem } from "../work/work-item.js";
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
 */
export function inferShared<P extends Prepared>(context: PipelineContext, toRequest: (work: WorkItem<P>) => ChatRequest): OperatorFunction<WorkItem<P>, Inferred<P>> {
  const inFlight = new Map<string, Promise<Inferred<P>>>();
  const single = (work: WorkItem<P>, request: (w: WorkItem<P>) => ChatRequest) => lastValueFrom(of(work).pipe(infer(context, request)));

  const shared = async (work: WorkItem<P>): Promise<Inferred<P>> => {
    const k = work.repeats;
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
function pick<P extends Prepared>(got: Inferred<P>, work: WorkItem<P>, owner: boolean, k: number): Inferred<P> {
  const cached = got.cached ? { cached: true, cached_cost_usd: owner || got.cached_cost_usd == null ? (got.cached_cost_usd ?? null) : 0 } : {};
  const share = owner
    ? { timing: got.timing, cost_usd: got.cost_usd, ...cached }
    : { timing: { ...got.timing, attempts: 0 }, cost_usd: got.cost_usd === null ? null : 0, ...cached };
  if (got.kind === "error") return { kind: "error", work, ...share, error: got.error, ...(got.cutOff ? { cutOff: got.cutOff } : {}) };
  const choices = got.reply.choices ?? [got.reply.text];
  const r = work.key.repeat;
  if (r >= choices.length) {
    const message = `the server returned ${choices.length} choice(s) for n=${k}: it does not support \`n\`; run without --use-n`;
    return { kind: "error", work, ...share, error: { type: "n_unsupported", message, attempts: share.timing.attempts } };
  }
  const reply = { ...got.reply, text: choices[r] ?? null, choices: undefined, usage: owner ? got.reply.usage : null };
  return { kind: "ok", work, ...share, reply };
}
