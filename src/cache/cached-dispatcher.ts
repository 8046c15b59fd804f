import type { Dispatcher, DispatchOutcome } from "../reliability/dispatcher.js";
import type { ResponseCache } from "./response-cache.js";

/**
 * A dispatcher that answers from the response cache when it can: a hit is returned at once, with no
 * request, no rate-limit slot and no budget reservation (`attempts: 0`, `cached: true`); a miss goes to
 * `dispatcher`, and its reply is stored for the next run — unless the call says it is not final.
 */
export function cachedDispatcher(dispatcher: Dispatcher, cache: ResponseCache, endpoint: string | undefined): Dispatcher {
  return {
    model: dispatcher.model,
    get inFlight() {
      return dispatcher.inFlight;
    },
    get waiting() {
      return dispatcher.waiting;
    },
    get limit() {
      return dispatcher.limit;
    },
    async call(request, context): Promise<DispatchOutcome> {
      const query = { endpoint, request, repeat: context.repeat };
      const stored = await cache.get(query);
      // A reply that is not final (see DispatchContext.final) is never the answer, even one stored before.
      if (stored && context.final?.(stored) !== false) return { reply: { ...stored, ttft_ms: null, e2e_ms: 0 }, queue_ms: 0, attempts: 0, cached: true };
      const outcome = await dispatcher.call(request, context);
      // A fallback's reply answers another model's request: not this request's reply.
      if (!outcome.served_by && context.final?.(outcome.reply) !== false) cache.put(query, outcome.reply);
      return outcome;
    },
  };
}
