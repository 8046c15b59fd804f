/**
 * Adaptive concurrency (AIMD), as a pure state machine: the dispatcher reports outcomes and applies
 * the limit to its semaphore.
 *
 * - Multiplicative decrease on a 429 storm: when at least `stormShare` of the last `window` outcomes
 *   (successes and 429s) were 429s, the limit is cut by `decrease`. Isolated 429s do not count as a
 *   storm: Retry-After and backoff handle those. Only an attempt started under the current limit can
 *   cut it again, so one burst of 429s from requests sent at the old limit halves it once, not once each.
 * - Additive increase: +1 per `limit` successes (one per round of requests), up to `max`.
 * - Slow start after the breaker closes: `restart()` drops to `min` and adds 1 per success (doubling
 *   each round) until the limit held before; then additive increase again.
 */
export interface AdaptiveLimitOptions {
  /** The ceiling: the configured concurrency (`-c`). */
  readonly max: number;
  readonly min?: number;
  /** Multiplier on a storm (default 0.5). */
  readonly decrease?: number;
  /** Outcomes looked at (default 50). */
  readonly window?: number;
  /** Share of 429s in the window that makes a storm (default 0.3). */
  readonly stormShare?: number;
}

export type LimitChange = "decrease" | "increase" | "restart" | undefined;

export class AdaptiveLimit {
  readonly #max: number;
  readonly #min: number;
  readonly #decrease: number;
  readonly #threshold: number;
  readonly #ring: boolean[];
  #at = 0;
  #count429 = 0;
  #limit: number;
  /** Successes since the last additive step (integer counting: summing 1/limit in floats drifts). */
  #credit = 0;
  #slowStartUntil = 0;
  #epoch = 0;

  constructor(options: AdaptiveLimitOptions) {
    const { max, min = 1, decrease = 0.5, window = 50, stormShare = 0.3 } = options;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Expected \`max\` to be an integer >= 1, got ${max}`);
    if (!Number.isInteger(min) || min < 1 || min > max) throw new RangeError(`Expected \`min\` to be an integer from 1 to max (${max}), got ${min}`);
    if (!(decrease > 0 && decrease < 1)) throw new RangeError(`Expected \`decrease\` to be a number between 0 and 1, got ${decrease}`);
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`Expected \`window\` to be an integer >= 1, got ${window}`);
    if (!(stormShare > 0 && stormShare <= 1)) throw new RangeError(`Expected \`stormShare\` to be a number in (0, 1], got ${stormShare}`);
    this.#max = max;
    this.#min = min;
    this.#decrease = decrease;
    this.#threshold = Math.max(1, Math.ceil(stormShare * window));
    this.#ring = new Array<boolean>(window).fill(false);
    this.#limit = max;
  }

  /** The in-flight limit to apply now (an integer from min to max). */
  get limit(): number {
    return this.#limit;
  }

  /** Tag for an attempt about to start: hand it back with its outcome. */
  get epoch(): number {
    return this.#epoch;
  }

  /** A reply came back for an attempt started at `epoch`. */
  success(epoch: number): LimitChange {
    if (epoch === this.#epoch) this.#record(false);
    if (this.#limit >= this.#max) return undefined;
    if (this.#limit < this.#slowStartUntil || ++this.#credit >= this.#limit) {
      this.#limit++;
      this.#credit = 0;
      return "increase";
    }
    return undefined;
  }

  /** A 429 came back for an attempt started at `epoch`. */
  rateLimited(epoch: number): LimitChange {
    // Outcomes of attempts sent under an older limit say nothing about the current one.
    if (epoch !== this.#epoch) return undefined;
    this.#record(true);
    if (this.#count429 < this.#threshold) return undefined;
    const before = this.limit;
    this.#limit = Math.max(this.#min, Math.floor(this.#limit * this.#decrease));
    this.#slowStartUntil = 0;
    this.#credit = 0;
    this.#newEpoch();
    return this.limit < before ? "decrease" : undefined;
  }

  /** After an outage: start again from `min` and double per round up to the limit held before. */
  restart(): LimitChange {
    this.#slowStartUntil = Math.max(this.#limit, this.#slowStartUntil);
    this.#limit = this.#min;
    this.#credit = 0;
    this.#newEpoch();
    return "restart";
  }

  #record(is429: boolean): void {
    if (this.#ring[this.#at]) this.#count429--;
    this.#ring[this.#at] = is429;
    if (is429) this.#count429++;
    this.#at = (this.#at + 1) % this.#ring.length;
  }

  #newEpoch(): void {
    this.#epoch++;
    this.#ring.fill(false);
    this.#count429 = 0;
    this.#at = 0;
  }
}
