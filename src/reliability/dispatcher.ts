import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { BudgetGate, RequestHold } from "../cost/budget-gate.js";
import { budgetRefusal } from "../cost/budget-refusal.js";
import { classifyApiError } from "../errors/classify-api-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import type { EvalEvent } from "../events.js";
import type { ChatReply, ChatRequest, ModelClient } from "../models/types.js";
import { Semaphore } from "./semaphore.js";

/** A reply with what it cost to get: time spent waiting for a slot, and attempts made. */
export interface DispatchOutcome {
  readonly reply: ChatReply;
  readonly queue_ms: number;
  readonly attempts: number;
}

export interface Dispatcher {
  readonly model: string;
  /** Requests in flight and waiting, for progress and metrics. */
  readonly inFlight: number;
  readonly waiting: number;
  /**
   * Sends the request when a slot is free. Resolves with the reply, or rejects with a
   * ModelCallError (`kind` says whether the run must stop). Aborting the signal cancels it.
   */
  call(request: ChatRequest, context: { readonly id: string; readonly signal: AbortSignal }): Promise<DispatchOutcome>;
}

export interface DispatcherOptions {
  /** Requests in flight at once for this model. */
  readonly concurrency: number;
  readonly clock?: Clock;
  readonly emit?: (event: EvalEvent) => void;
  /** Base URL, named in fatal error messages. */
  readonly endpoint?: string;
  /** The run's budget: each attempt reserves its worst case before it goes out and settles after. */
  readonly budget?: BudgetGate;
  /** `eval` (default) or a helper's purpose such as `judge`, reported on request events for cost accounting. */
  readonly purpose?: string;
}

/** Per-model dispatch: a concurrency cap around one attempt, each attempt reported as events. */
export function createDispatcher(client: ModelClient, options: DispatcherOptions): Dispatcher {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`Expected \`concurrency\` to be an integer >= 1, got ${options.concurrency}`);
  }
  const clock = options.clock ?? systemClock;
  const emit = options.emit ?? (() => {});
  const slots = new Semaphore(options.concurrency);
  const model = client.model;
  const purpose = options.purpose && options.purpose !== "eval" ? { purpose: options.purpose } : {};

  return {
    model,
    get inFlight() {
      return slots.inUse;
    },
    get waiting() {
      return slots.waiting;
    },
    async call(request, { id, signal }) {
      const queuedAt = clock.now();
      const release = await slots.acquire(signal).catch(() => {
        // The run stopped while this request waited for a slot: it was never sent.
        throw new ModelCallError("stopped before it was sent", { type: "aborted", kind: "retryable", attempts: 0, model });
      });
      const hold = options.budget ? await reserveOrRelease(options.budget, request, signal, release, model) : undefined;
      const queue_ms = clock.now() - queuedAt;
      emit({ type: "request-start", model, id, attempt: 1 });
      try {
        const reply = await client.chat(request, { signal });
        hold?.settle(reply);
        emit({ type: "request-end", model, id, attempt: 1, ok: true, usage: reply.usage, ttft_ms: reply.ttft_ms, e2e_ms: reply.e2e_ms, ...purpose });
        return { reply, queue_ms, attempts: 1 };
      } catch (error) {
        const c = classifyApiError(error);
        // A refusal with an HTTP status was not billed; anything else may have been.
        hold?.fail(c.status === undefined);
        emit({ type: "request-end", model, id, attempt: 1, ok: false, errorType: c.type, ...purpose });
        const where = c.kind === "fatal" ? ` (model ${model}${options.endpoint ? ` at ${options.endpoint}` : ""})` : "";
        throw new ModelCallError(`${c.message}${where}`, { ...c, attempts: 1, model, endpoint: options.endpoint });
      } finally {
        release();
      }
    },
  };
}

/** Reserves the attempt's worst case; a refusal becomes a ModelCallError (and frees the slot). */
async function reserveOrRelease(budget: BudgetGate, request: ChatRequest, signal: AbortSignal, release: () => void, model: string): Promise<RequestHold> {
  try {
    return await budget.reserve(request, signal);
  } catch (error) {
    release();
    throw budgetRefusal(error, model, signal);
  }
}
