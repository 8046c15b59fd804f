import { createRequire } from "node:module";
import type CircuitBreaker from "opossum";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import { classifyApiError } from "../errors/classify-api-error.js";
import type { EvalEvent } from "../events.js";

export interface BreakerOptions {
  /** Failure rate (%) over the rolling window above which the breaker opens (default 50). */
  readonly errorThresholdPercentage?: number;
  /** The rolling window, in ms (default 10 000). */
  readonly rollingWindowMs?: number;
  /** Attempts in the window before the rate may open the breaker (default 20). */
  readonly volumeThreshold?: number;
  /**
   * Failures in a row that open the breaker whatever the window holds (default 10). The rate alone
   * reacts slowly after a busy stretch: thousands of successes in the window would have to be
   * outweighed before an outage showed, and every request sent meanwhile hits the dead endpoint.
   */
  readonly consecutiveFailures?: number;
  /** Time open before one half-open probe is let through, in ms (default 5 000). */
  readonly resetTimeoutMs?: number;
}

export type BreakerState = "closed" | "open" | "half-open";

/** Rejected by `fire` when the breaker let nothing through: no request was sent. */
export class BreakerOpenError extends Error {
  override readonly name = "BreakerOpenError";
  readonly code = "E_BREAKER_OPEN";
  constructor(readonly endpoint: string) {
    super(`the circuit breaker for ${endpoint} is open`);
  }
}

/** What the breaker counts as the endpoint failing: server errors, timeouts, dropped connections — not 429s or bad requests. */
export function isEndpointFailure(error: unknown): boolean {
  const c = classifyApiError(error);
  return c.kind === "retryable" && c.type !== "rate_limit" && c.type !== "aborted";
}

/**
 * A circuit breaker for one endpoint (base URL), over opossum: opossum keeps the rolling window and
 * the closed → open → half-open → closed transitions (one probe while half-open). This class adds
 * what an evaluation needs on top: samples *wait* while the breaker is open instead of failing
 * (`ready`), the consecutive-failure trip, and trip counts and open time, reported as events.
 * Opossum times its reset with the global timers (tests use vi.useFakeTimers).
 */
export class EndpointBreaker {
  readonly endpoint: string;
  readonly #cb: CircuitBreaker<[() => Promise<unknown>], unknown>;
  readonly #clock: Clock;
  readonly #emit: (event: EvalEvent) => void;
  readonly #consecutiveLimit: number;
  readonly #resetMs: number;
  readonly #closeListeners = new Set<() => void>();
  #state: BreakerState = "closed";
  #consecutive = 0;
  #trips = 0;
  #openedAt: number | undefined;
  #openMs = 0;
  #changed!: Promise<void>;
  #signalChange!: () => void;

  constructor(endpoint: string, options: BreakerOptions = {}, deps: { clock?: Clock; emit?: (event: EvalEvent) => void } = {}) {
    const o = validateBreakerOptions(options);
    this.endpoint = endpoint;
    this.#clock = deps.clock ?? systemClock;
    this.#emit = deps.emit ?? (() => {});
    this.#consecutiveLimit = o.consecutiveFailures;
    this.#resetMs = o.resetTimeoutMs;
    this.#renewChange();
    const cbOptions: CircuitBreaker.Options<[() => Promise<unknown>]> & { enableSnapshots: boolean } = {
      name: endpoint,
      timeout: false,
      errorThresholdPercentage: o.errorThresholdPercentage,
      rollingCountTimeout: o.rollingWindowMs,
      rollingCountBuckets: 10,
      volumeThreshold: o.volumeThreshold,
      resetTimeout: o.resetTimeoutMs,
      // Latency percentiles and snapshots are not used: skip their arrays and timers.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      errorFilter: (error: unknown) => !isEndpointFailure(error),
    };
    const Breaker = opossum();
    this.#cb = new Breaker((attempt: () => Promise<unknown>) => attempt(), cbOptions);
    this.#cb.on("failure", () => {
      if (++this.#consecutive >= this.#consecutiveLimit && this.#cb.closed) this.#cb.open();
    });
    this.#cb.on("success", () => (this.#consecutive = 0));
    this.#cb.on("open", () => this.#to("open"));
    this.#cb.on("halfOpen", () => this.#to("half-open"));
    this.#cb.on("close", () => this.#to("closed"));
  }

  get state(): BreakerState {
    return this.#state;
  }
  /** Times the breaker went from closed to open. */
  get trips(): number {
    return this.#trips;
  }
  /** Total ms spent not closed (open or half-open), the current stretch included. */
  get openMs(): number {
    return this.#openMs + (this.#openedAt === undefined ? 0 : this.#clock.now() - this.#openedAt);
  }

  /**
   * Resolves true once a request may be tried: the breaker is closed, or half-open with its probe
   * not yet taken. Resolves false if still not so at `deadline` (clock time; fallback models use
   * it). Rejects with the signal's reason when aborted.
   */
  async ready(signal: AbortSignal, deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (this.#cb.closed || this.#cb.pendingClose) return true;
      const left = deadline - this.#clock.now();
      if (left <= 0) return false;
      // Opossum's reset timer is unref'd: a waiting sample keeps its own (ref'd) timer, so a run whose
      // every sample waits on the breaker stays alive. Waking once per reset period also re-checks the state.
      await this.#waitForChange(signal, Math.min(left, this.#resetMs));
    }
  }

  /**
   * Runs one attempt through the breaker, which counts its outcome. Rejects with BreakerOpenError,
   * without calling `attempt`, when the breaker lets nothing through (opened meanwhile, or another
   * sample took the half-open probe): go back to `ready`.
   */
  async fire<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return (await this.#cb.fire(attempt)) as T;
    } catch (error) {
      if ((error as { code?: string } | null)?.code === "EOPENBREAKER") throw new BreakerOpenError(this.endpoint);
      throw error;
    }
  }

  /** Called each time the breaker closes again after an outage; returns an unsubscribe function. */
  onClose(listener: () => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Stops opossum's timers. */
  dispose(): void {
    this.#cb.shutdown();
    this.#announceChange();
  }

  #to(next: BreakerState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    const now = this.#clock.now();
    if (prev === "closed") {
      this.#trips++;
      this.#openedAt = now;
      this.#emit({ type: "breaker-open", endpoint: this.endpoint, trips: this.#trips });
    } else if (next === "half-open") {
      this.#emit({ type: "breaker-half-open", endpoint: this.endpoint });
    } else if (next === "closed") {
      const open_ms = now - (this.#openedAt ?? now);
      this.#openMs += open_ms;
      this.#openedAt = undefined;
      this.#consecutive = 0;
      this.#emit({ type: "breaker-close", endpoint: this.endpoint, open_ms });
      for (const listener of this.#closeListeners) listener();
    }
    this.#announceChange();
  }

  /** Wakes every waiter and arms a new change promise for the next transition. */
  #announceChange(): void {
    const wake = this.#signalChange;
    this.#renewChange();
    wake();
  }

  #renewChange(): void {
    this.#changed = new Promise<void>((resolve) => (this.#signalChange = resolve));
  }

  async #waitForChange(signal: AbortSignal, maxMs: number): Promise<void> {
    const changed = this.#changed;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await Promise.race([changed, this.#clock.sleep(maxMs, stop.signal).catch(() => {}), aborted(stop.signal)]);
    } finally {
      stop.abort();
      signal.removeEventListener("abort", onAbort);
    }
  }
}

/** Fills in defaults; throws a RangeError naming the first bad option. */
export function validateBreakerOptions(options: BreakerOptions): Required<BreakerOptions> {
  const o = {
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    rollingWindowMs: options.rollingWindowMs ?? 10_000,
    volumeThreshold: options.volumeThreshold ?? 20,
    consecutiveFailures: options.consecutiveFailures ?? 10,
    resetTimeoutMs: options.resetTimeoutMs ?? 5_000,
  };
  if (!(o.errorThresholdPercentage > 0 && o.errorThresholdPercentage <= 100)) {
    throw new RangeError(`Expected \`errorThresholdPercentage\` to be a number in (0, 100], got ${o.errorThresholdPercentage}`);
  }
  for (const key of ["rollingWindowMs", "resetTimeoutMs"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`Expected \`${key}\` to be an integer >= 1, got ${o[key]}`);
  }
  for (const key of ["volumeThreshold", "consecutiveFailures"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`Expected \`${key}\` to be an integer >= 1, got ${o[key]}`);
  }
  return o;
}

const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

let loaded: typeof CircuitBreaker | undefined;

/**
 * opossum, required when the first breaker is made rather than with the package: a run whose models are all
 * functions makes none. It is CommonJS only, so require gives the very instance an import would.
 */
function opossum(): typeof CircuitBreaker {
  loaded ??= createRequire(import.meta.url)("opossum") as typeof CircuitBreaker;
  return loaded;
}
