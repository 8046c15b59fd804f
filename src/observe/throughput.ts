import type { EvalEvent } from "../events.js";

/** Aggregate throughput over a span of time. */
export interface ThroughputStats {
  /** Seconds from the meter's start to the reading. */
  readonly wall_s: number;
  /** Attempts that ended (ok or not). */
  readonly requests: number;
  readonly requests_per_s: number;
  /** Completion tokens of the attempts that ended, as the server reported them. */
  readonly output_tokens: number;
  readonly output_tokens_per_s: number;
  /** Time-weighted mean of requests in flight over the span: what concurrency the run achieved. */
  readonly concurrency_mean: number;
  readonly concurrency_peak: number;
  /** Requests in flight at the reading. */
  readonly in_flight: number;
}

/** The whole run, and each model alone. */
export interface RunThroughput extends ThroughputStats {
  readonly models: Record<string, ThroughputStats>;
}

/**
 * Folds `request-start` / `request-end` events into throughput: requests/s, output tokens/s and the
 * achieved concurrency (the integral of in-flight requests over time, divided by the time). Events
 * carry no timestamps, so the meter reads the clock as each arrives: fold them as they happen.
 * Memory: a few numbers per model.
 */
export class ThroughputMeter {
  readonly #now: () => number;
  readonly #start: number;
  readonly #all: Span;
  readonly #models = new Map<string, Span>();

  /** @param now monotonic milliseconds; the meter's span starts at construction. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#start = now();
    this.#all = new Span(this.#start);
  }

  add(event: EvalEvent): void {
    if (event.type !== "request-start" && event.type !== "request-end") return;
    const at = this.#now();
    let model = this.#models.get(event.model);
    if (!model) this.#models.set(event.model, (model = new Span(this.#start)));
    if (event.type === "request-start") {
      this.#all.start(at);
      model.start(at);
    } else {
      const tokens = event.usage?.completion_tokens ?? 0;
      this.#all.end(at, tokens);
      model.end(at, tokens);
    }
  }

  /** Throughput from the start to now (or to `at`, e.g. the run's end). */
  stats(at: number = this.#now()): RunThroughput {
    const models: Record<string, ThroughputStats> = {};
    for (const [name, span] of this.#models) models[name] = span.stats(at);
    return { ...this.#all.stats(at), models };
  }
}

class Span {
  #inFlight = 0;
  #peak = 0;
  /** ∫ in-flight dt, in request·ms, up to #last. */
  #area = 0;
  #last: number;
  #requests = 0;
  #tokens = 0;

  constructor(readonly startedAt: number) {
    this.#last = startedAt;
  }

  start(at: number): void {
    this.#advance(at);
    this.#inFlight++;
    this.#peak = Math.max(this.#peak, this.#inFlight);
  }

  end(at: number, tokens: number): void {
    this.#advance(at);
    // An end without its start (a meter attached mid-run) must not drive the count negative.
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#requests++;
    this.#tokens += tokens;
  }

  #advance(at: number): void {
    if (at > this.#last) {
      this.#area += this.#inFlight * (at - this.#last);
      this.#last = at;
    }
  }

  stats(at: number): ThroughputStats {
    const end = Math.max(at, this.#last);
    const area = this.#area + this.#inFlight * (end - this.#last);
    const ms = end - this.startedAt;
    const s = ms / 1000;
    return {
      wall_s: round(s, 3),
      requests: this.#requests,
      requests_per_s: s > 0 ? round(this.#requests / s, 2) : 0,
      output_tokens: this.#tokens,
      output_tokens_per_s: s > 0 ? round(this.#tokens / s, 1) : 0,
      concurrency_mean: ms > 0 ? round(area / ms, 2) : 0,
      concurrency_peak: this.#peak,
      in_flight: this.#inFlight,
    };
  }
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
