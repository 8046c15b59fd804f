import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { BudgetGate, RequestHold } from "../cost/budget-gate.js";
import { budgetRefusal } from "../cost/budget-refusal.js";
import { type Classified, classifyApiError } from "../errors/classify-api-error.js";
import { isModelCallError, ModelCallError } from "../errors/model-call-error.js";
import type { EvalEvent } from "../events.js";
import type { ChatReply, ChatRequest, ModelClient } from "../work/model.js";
import { AdaptiveLimit, type LimitChange } from "./adaptive-limit.js";
import { type AttemptTimeouts, type AttemptWatch, AttemptWatchdog } from "./attempt-watch.js";
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, validateBackoff } from "./backoff.js";
import { BreakerOpenError, type EndpointBreaker } from "./endpoint-breaker.js";
import { estimateTokens, type RateLimiter, RateLimits } from "./rate-limits.js";
import { Demand } from "../io/demand.js";

/** A reply with what it cost to get: time spent waiting for a slot, and attempts made. */
export interface DispatchOutcome {
  readonly reply: ChatReply;
  /** Time spent waiting to be sent (breaker, rate limits, a free slot), summed over attempts; backoff excluded. */
  readonly queue_ms: number;
  /** Requests sent for this call, a fallback's included. */
  readonly attempts: number;
  /** The model that answered, when it is not the one asked (a fallback served it). */
  readonly served_by?: string;
  /** The reply came from the response cache: nothing was sent (`attempts` 0). */
  readonly cached?: boolean;
}

export interface Dispatcher {
  readonly model: string;
  /** Requests in flight and waiting for a slot, for progress and metrics. */
  readonly inFlight: number;
  readonly waiting: number;
  /** The in-flight limit now: `concurrency`, or less while adaptive concurrency holds it down. */
  readonly limit?: number;
  /**
   * Sends the request, retrying what is retryable, and resolves with the reply. Rejects with a
   * ModelCallError: `kind: "fatal"` means the run must stop; `permanent`, or `retryable` once the
   * retries are spent, is this sample's error. Aborting the signal cancels it (type `aborted`).
   */
  call(request: ChatRequest, context: DispatchContext): Promise<DispatchOutcome>;
}

/** One call's context: the sample, the signal that cancels it, its repeat (for the response cache). */
export interface DispatchContext {
  readonly id: string;
  readonly signal: AbortSignal;
  readonly repeat?: number;
  /**
   * Whether a reply is final (default: every reply is). One that is not (a judge's reply with no verdict)
   * is neither stored in the response cache nor answered from it, so asking again reaches the model.
   */
  readonly final?: (reply: ChatReply) => boolean;
}

export interface DispatcherOptions {
  /** Requests in flight at once for this model (`-c`). */
  readonly concurrency: number;
  readonly clock?: Clock;
  readonly emit?: (event: EvalEvent) => void;
  /** Base URL, named in fatal error messages. */
  readonly endpoint?: string;
  /** The run's budget: each attempt reserves its worst case before it goes out and settles after. */
  readonly budget?: BudgetGate;
  /** `eval` (default) or a helper's purpose such as `judge`, reported on request events for cost accounting. */
  readonly purpose?: string;
  /** Retries after the first attempt (default 6). */
  readonly maxRetries?: number;
  /**
   * The longest wait a server may ask for before a retry (Retry-After and its kin; default 120 000
   * ms). Asked for more, the dispatcher does not wait: the sample fails (or goes to the fallback)
   * with a message saying so. A shorter request is always honoured in full.
   */
  readonly maxRetryAfterMs?: number;
  readonly backoff?: BackoffOptions;
  /** Uniform in [0, 1): the source of backoff jitter (tests pass their own). */
  readonly random?: () => number;
  /** Per-attempt deadlines: total, time to first chunk, silence between chunks. */
  readonly timeouts?: AttemptTimeouts;
  /** Requests per minute. */
  readonly rpm?: number;
  /** Tokens per minute (reserved as an estimate, settled with the reported usage). */
  readonly tpm?: number;
  /** Rate limits held elsewhere (a queue's workers share theirs): used in place of `rpm`/`tpm`. */
  readonly limiter?: RateLimiter;
  /** Shrink the in-flight limit on 429 storms, grow it back on success, ramp up after an outage (default true). */
  readonly adaptive?: boolean;
  /** The endpoint's circuit breaker, shared by every model on that base URL. */
  readonly breaker?: EndpointBreaker;
  /** Serves a sample this model cannot: after the retries are spent, or the breaker stays open `fallbackAfterMs`. */
  readonly fallback?: Dispatcher;
  /** How long a sample may wait on an open breaker before the fallback serves it (default: only after retries). */
  readonly fallbackAfterMs?: number;
}

/** `probe`: the attempt was the breaker's half-open probe. */
type AttemptResult = { readonly queued_ms: number; readonly probe?: boolean } & (
  | { readonly kind: "ok"; readonly reply: ChatReply }
  | { readonly kind: "not-sent" }
  | { readonly kind: "failed"; readonly failure: Classified }
);

const ABORTED = "aborted";

/**
 * Per-model dispatch: every attempt passes the endpoint's breaker (waiting while it is open), the
 * model's rate limits and its adaptive in-flight limit, runs under its deadlines, and is reported as
 * request-start / request-end events. Retryable failures wait out a full-jitter backoff, or longer
 * when the server asked (Retry-After), and go again, up to `maxRetries`; then the fallback model,
 * if one is configured. A fatal failure (bad key, unknown model) fails this and every later call.
 */
export function createDispatcher(client: ModelClient, options: DispatcherOptions): Dispatcher {
  const o = validate(options);
  const clock = options.clock ?? systemClock;
  const emit = options.emit ?? (() => {});
  const random = options.random ?? Math.random;
  const model = client.model;
  const endpoint = options.endpoint;
  const slots = new Demand(options.concurrency);
  const limits = options.limiter ?? new RateLimits({ rpm: options.rpm, tpm: options.tpm, clock });
  const aimd = options.adaptive === false ? undefined : new AdaptiveLimit({ max: options.concurrency });
  const breaker = options.breaker;
  const fallback = options.fallback;
  const streaming = client.streaming ?? false;
  const watchdog = new AttemptWatchdog(o.timeouts, clock);
  const budget = options.budget;
  const purpose = options.purpose && options.purpose !== "eval" ? { purpose: options.purpose } : {};
  let fatal: ModelCallError | undefined;

  const applyLimit = (change: LimitChange) => {
    if (!change || !aimd) return;
    slots.setLimit(Math.max(1, Math.floor(aimd.limit)));
    emit({ type: "concurrency-change", model, limit: aimd.limit, reason: change });
  };
  if (aimd) breaker?.onClose(() => applyLimit(aimd.restart()));

  const fail = (message: string, c: Pick<Classified, "type" | "kind" | "status">, attempts: number) =>
    new ModelCallError(message, { type: c.type, kind: c.kind, attempts, ...(c.status === undefined ? {} : { status: c.status }), model, endpoint });
  /** The caller's signal stopped the call: cut off, not failed. */
  const aborted = (attempts: number) => new ModelCallError(ABORTED, { type: ABORTED, kind: "retryable", attempts, model, endpoint, cutOff: "aborted" });

  /** One attempt, from waiting for a slot to the outcome. The slot is freed before any backoff. */
  async function attempt(request: ChatRequest, id: string, n: number, signal: AbortSignal, estimate: number): Promise<AttemptResult> {
    const start = clock.now();
    const release = await slots.take(signal);
    let queued_ms = 0;
    let probe = false;
    let watch: AttemptWatch | undefined;
    let ticketSettle: ((tokens: number | null) => void) | undefined;
    let hold: RequestHold | undefined;
    try {
      const ticket = await limits.acquire(estimate, signal);
      ticketSettle = ticket.settle;
      hold = budget ? await reserve(budget, request, signal) : undefined;
      const epoch = aimd?.epoch ?? 0;
      const send = () => {
        queued_ms = clock.now() - start;
        probe = breaker?.state === "half-open";
        emit({ type: "request-start", model, id, attempt: n });
        const w = (watch = watchdog.watch(signal, streaming));
        return client.chat(request, { signal: w.signal, onChunk: w.onChunk }).catch((error: unknown) => {
          // An attempt cut off by its deadline fails as a timeout, whatever the SDK made of the abort.
          throw w.timedOut ?? error;
        });
      };
      let reply: ChatReply;
      try {
        reply = breaker ? await breaker.fire(send) : await send();
      } catch (error) {
        if (error instanceof BreakerOpenError) {
          ticket.settle(0);
          hold?.fail(false);
          return { kind: "not-sent", queued_ms: clock.now() - start };
        }
        const failure = classifyApiError(error, clock.epochMs());
        emit({ type: "request-end", model, id, attempt: n, ok: false, errorType: signal.aborted ? ABORTED : failure.type, status: failure.status, ...(failure.networkCode ? { networkCode: failure.networkCode } : {}), ...purpose });
        // Turned away with a status: the server counted (and billed) nothing. Cut off: it may have.
        ticket.settle(failure.status !== undefined ? 0 : null);
        hold?.fail(failure.status === undefined);
        if (failure.type === "rate_limit" && aimd) applyLimit(aimd.rateLimited(epoch));
        return { kind: "failed", failure, queued_ms, probe };
      }
      const usage = reply.usage;
      ticket.settle(usage ? usage.prompt_tokens + usage.completion_tokens : null);
      hold?.settle(reply);
      emit({ type: "request-end", model, id, attempt: n, ok: true, status: 200, usage, ttft_ms: reply.ttft_ms, e2e_ms: reply.e2e_ms, ...purpose });
      if (aimd) applyLimit(aimd.success(epoch));
      return { kind: "ok", reply, queued_ms };
    } catch (error) {
      ticketSettle?.(0);
      hold?.fail(false);
      throw error;
    } finally {
      watch?.dispose();
      release();
    }
  }

  async function call(request: ChatRequest, id: string, signal: AbortSignal): Promise<DispatchOutcome> {
    const estimate = estimateTokens(request);
    let attempts = 0;
    /** Attempts that count against --max-retries: a failed half-open probe does not (samples wait out an outage). */
    let tries = 0;
    let queue_ms = 0;
    let blockedSince: number | undefined;
    let last: Classified | undefined;

    const viaFallback = async (to: Dispatcher, reason: "retries_exhausted" | "breaker_open"): Promise<DispatchOutcome> => {
      emit({ type: "fallback", model, id, to: to.model, reason });
      try {
        const out = await to.call({ ...request, model: to.model }, { id, signal });
        return { reply: out.reply, queue_ms: queue_ms + out.queue_ms, attempts: attempts + out.attempts, served_by: out.served_by ?? to.model };
      } catch (error) {
        if (!isModelCallError(error)) throw error;
        throw new ModelCallError(error.message, { ...error.info, attempts: attempts + error.info.attempts });
      }
    };

    for (;;) {
      // After a fatal failure the run is stopping: a sample that comes along now is cut off, not failed.
      if (signal.aborted) throw aborted(attempts);
      if (fatal) throw fail(fatal.message, fatal.info, attempts);
      const waitStart = clock.now();
      if (breaker) {
        if (breaker.state !== "closed") blockedSince ??= waitStart;
        const deadline = fallback && o.fallbackAfterMs !== undefined && blockedSince !== undefined ? blockedSince + o.fallbackAfterMs : Number.POSITIVE_INFINITY;
        const ready = await breaker.ready(signal, deadline);
        queue_ms += clock.now() - waitStart;
        if (!ready && fallback) return viaFallback(fallback, "breaker_open");
      }
      const result = await attempt(request, id, attempts + 1, signal, estimate);
      queue_ms += result.queued_ms;
      if (result.kind === "not-sent") continue;
      attempts++;
      if (result.kind === "ok") return { reply: result.reply, queue_ms, attempts };
      if (!result.probe) tries++;
      blockedSince = undefined;
      const c = (last = result.failure);
      if (signal.aborted) throw aborted(attempts);
      if (c.kind === "fatal") {
        fatal = fail(`${FATAL_LABEL[c.type] ?? "fatal API error"} for model ${model}${endpoint ? ` at ${endpoint}` : ""}: ${c.message}`, c, attempts);
        throw fatal;
      }
      if (c.kind === "permanent") throw fail(c.message, c, attempts);
      if (tries > o.maxRetries) {
        if (fallback) return viaFallback(fallback, "retries_exhausted");
        throw fail(`gave up after ${attempts} attempts: ${last.message}`, c, attempts);
      }
      if (c.retryAfterMs !== undefined && c.retryAfterMs > o.maxRetryAfterMs) {
        if (fallback) return viaFallback(fallback, "retries_exhausted");
        const asked = `the server asked to wait ${seconds(c.retryAfterMs)} before retrying, more than --max-retry-after (${seconds(o.maxRetryAfterMs)})`;
        throw fail(`${asked}: ${c.message}`, c, attempts);
      }
      const delay = Math.max(backoffDelay(Math.max(1, tries), o.backoff, random), c.retryAfterMs ?? 0);
      emit({ type: "retry", model, id, attempt: attempts, cause: c.type, delay_ms: Math.round(delay) });
      await clock.sleep(delay, signal);
    }
  }

  return {
    model,
    get inFlight() {
      return slots.inFlight;
    },
    get waiting() {
      return slots.waiting;
    },
    get limit() {
      return slots.limit;
    },
    async call(request, { id, signal }) {
      try {
        return await call(request, id, signal);
      } catch (error) {
        if (isModelCallError(error)) throw error;
        // Anything else escaping the loop is the signal's abort (a wait cut short by a stop).
        if (signal.aborted) throw aborted(0);
        throw error;
      }
    },
  };
}

/** Reserves the attempt's worst case; a refusal becomes the sample's (or the run's) ModelCallError. */
async function reserve(budget: BudgetGate, request: ChatRequest, signal: AbortSignal): Promise<RequestHold> {
  try {
    return await budget.reserve(request, signal);
  } catch (error) {
    throw budgetRefusal(error, request.model, signal);
  }
}

const FATAL_LABEL: Readonly<Record<string, string>> = {
  auth: "authentication failed (check the API key)",
  not_found: "not found (unknown model or wrong base URL)",
  quota: "out of quota",
};

const seconds = (ms: number): string => (ms >= 1e12 ? `${ms.toExponential(1)} ms` : `${Math.round(ms / 100) / 10}s`);

function validate(options: DispatcherOptions): { maxRetries: number; maxRetryAfterMs: number; backoff: BackoffOptions; timeouts: AttemptTimeouts; fallbackAfterMs?: number } {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`Expected \`concurrency\` to be an integer >= 1, got ${options.concurrency}`);
  }
  const maxRetries = options.maxRetries ?? 6;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`Expected \`maxRetries\` to be an integer >= 0, got ${maxRetries}`);
  const timeouts = options.timeouts ?? {};
  for (const key of ["totalMs", "ttftMs", "idleMs"] as const) {
    const v = timeouts[key];
    if (v !== undefined && !(v > 0)) throw new RangeError(`Expected \`timeouts.${key}\` to be a number > 0, got ${v}`);
  }
  if (options.fallbackAfterMs !== undefined && !(options.fallbackAfterMs >= 0)) {
    throw new RangeError(`Expected \`fallbackAfterMs\` to be a number >= 0, got ${options.fallbackAfterMs}`);
  }
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  if (!(maxRetryAfterMs >= 0)) throw new RangeError(`Expected \`maxRetryAfterMs\` to be a number >= 0, got ${maxRetryAfterMs}`);
  return { maxRetries, maxRetryAfterMs, backoff: validateBackoff(options.backoff ?? DEFAULT_BACKOFF), timeouts, fallbackAfterMs: options.fallbackAfterMs };
}
