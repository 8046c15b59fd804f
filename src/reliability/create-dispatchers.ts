import type { Clock } from "../clock.js";
import type { BudgetGate } from "../cost/budget-gate.js";
import type { EvalEvent } from "../events.js";
import type { ModelClient } from "../work/model.js";
import type { AttemptTimeouts } from "./attempt-watch.js";
import type { BackoffOptions } from "./backoff.js";
import { createDispatcher, type Dispatcher } from "./dispatcher.js";
import { type BreakerOptions, EndpointBreaker } from "./endpoint-breaker.js";
import type { RateLimiter } from "./rate-limits.js";

/** How hard to try for one model: retries, deadlines, rate limits, breaker, fallback timing. */
export interface ReliabilityOptions {
  /** Retries after the first attempt (default 6). */
  readonly maxRetries?: number;
  /** The longest Retry-After honoured (default 120 s); a server asking for more fails the sample. */
  readonly maxRetryAfterMs?: number;
  readonly backoff?: BackoffOptions;
  readonly timeouts?: AttemptTimeouts;
  readonly rpm?: number;
  readonly tpm?: number;
  /** Rate limits shared beyond this process (a queue's workers): used in place of `rpm`/`tpm`. */
  readonly limiter?: RateLimiter;
  /** Adaptive concurrency (AIMD) within `concurrency` (default true). */
  readonly adaptive?: boolean;
  /** The endpoint's breaker settings (the first model on an endpoint sets them), or false for none. */
  readonly breaker?: BreakerOptions | false;
  /** With a fallback: how long a sample may wait on an open breaker before the fallback serves it. */
  readonly fallbackAfterMs?: number;
}

/** A model to dispatch to, and the model that serves its samples when it cannot. */
export interface DispatchTarget {
  readonly client: ModelClient;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number;
  /** Base URL: models on one endpoint share its circuit breaker. */
  readonly endpoint?: string;
  readonly reliability?: ReliabilityOptions;
  readonly fallback?: DispatchTarget;
}

export interface Dispatchers {
  /** By model name: the targets' models and their fallbacks. */
  readonly dispatchers: ReadonlyMap<string, Dispatcher>;
  readonly breakers: ReadonlyMap<string, EndpointBreaker>;
  /** Stops the breakers' timers (at the end of a run). */
  dispose(): void;
}

/**
 * Builds one dispatcher per model (targets and fallbacks; a model named twice gets one dispatcher,
 * so its concurrency is shared) and one circuit breaker per endpoint. Breaker events name the models
 * behind the endpoint. Throws a RangeError on a fallback cycle.
 */
export function createDispatchers(
  targets: readonly DispatchTarget[],
  deps: {
    readonly clock?: Clock;
    readonly emit?: (event: EvalEvent) => void;
    readonly random?: () => number;
    readonly budget?: BudgetGate;
    /** A helper's purpose (`judge`) on every request event, so its cost is accounted apart. */
    readonly purpose?: string;
  } = {},
): Dispatchers {
  const emit = deps.emit ?? (() => {});
  const dispatchers = new Map<string, Dispatcher>();
  const breakers = new Map<string, EndpointBreaker>();
  const modelsOf = new Map<string, string[]>();

  const breakerFor = (target: DispatchTarget): EndpointBreaker | undefined => {
    const options = target.reliability?.breaker;
    if (options === false || target.endpoint === undefined) return undefined;
    const endpoint = target.endpoint;
    const models = modelsOf.get(endpoint) ?? [];
    if (!models.includes(target.client.model)) models.push(target.client.model);
    modelsOf.set(endpoint, models);
    let breaker = breakers.get(endpoint);
    if (!breaker) {
      const tag = (e: EvalEvent): EvalEvent =>
        e.type === "breaker-open" || e.type === "breaker-half-open" || e.type === "breaker-close" ? { ...e, models: [...models] } : e;
      breaker = new EndpointBreaker(endpoint, options ?? {}, { clock: deps.clock, emit: (e) => emit(tag(e)) });
      breakers.set(endpoint, breaker);
    }
    return breaker;
  };

  const build = (target: DispatchTarget, chain: readonly string[]): Dispatcher => {
    const model = target.client.model;
    if (chain.includes(model)) throw new RangeError(`Expected fallbacks without a cycle, got ${[...chain, model].join(" -> ")}`);
    const existing = dispatchers.get(model);
    if (existing) return existing;
    const fallback = target.fallback ? build(target.fallback, [...chain, model]) : undefined;
    const r = target.reliability ?? {};
    const dispatcher = createDispatcher(target.client, {
      concurrency: target.concurrency ?? 8,
      clock: deps.clock,
      emit,
      endpoint: target.endpoint,
      random: deps.random,
      budget: deps.budget,
      purpose: deps.purpose,
      maxRetries: r.maxRetries,
      maxRetryAfterMs: r.maxRetryAfterMs,
      backoff: r.backoff,
      timeouts: r.timeouts,
      rpm: r.rpm,
      tpm: r.tpm,
      ...(r.limiter ? { limiter: r.limiter } : {}),
      adaptive: r.adaptive,
      breaker: breakerFor(target),
      fallback,
      fallbackAfterMs: r.fallbackAfterMs,
    });
    dispatchers.set(model, dispatcher);
    return dispatcher;
  };

  for (const target of targets) build(target, []);
  return {
    dispatchers,
    breakers,
    dispose: () => {
      for (const b of breakers.values()) b.dispose();
    },
  };
}
