import type { QueueClient } from "./queue-client.js";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { RateLimiter, RateTicket } from "../reliability/rate-limits.js";
import type { QueueKeys } from "./queue-keys.js";
import { runScript } from "./queue-scripts.js";

export interface SharedRateOptions {
  readonly rpm?: number;
  readonly tpm?: number;
  /** Sleeps between asks (default the system clock). */
  readonly clock?: Clock;
  /**
   * The buckets' time in ms (tests pass a virtual clock's). Default: Redis's own clock, so workers
   * on machines whose clocks disagree still share one rate.
   */
  readonly now?: () => number;
}

/**
 * A model's `--rpm`/`--tpm` held in QueueClient for every worker of a queue: two token buckets (as
 * RateLimits keeps in one process: one second's worth of burst, refilled continuously), taken from by
 * an atomic script on Redis's clock. A request that does not fit waits the time the script names and
 * asks again; TPM reserves the estimate and settles with the reported usage.
 */
export class SharedRateLimiter implements RateLimiter {
  readonly #redis: QueueClient;
  readonly #keys: QueueKeys;
  readonly #model: string;
  readonly #o: SharedRateOptions;
  readonly #clock: Clock;

  constructor(redis: QueueClient, keys: QueueKeys, model: string, options: SharedRateOptions) {
    for (const key of ["rpm", "tpm"] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`Expected \`${key}\` to be a number > 0, got ${v}`);
    }
    this.#redis = redis;
    this.#keys = keys;
    this.#model = model;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async acquire(estimate: number, signal?: AbortSignal): Promise<RateTicket> {
    if (this.#o.rpm) await this.#take("rpm", this.#o.rpm, 1, signal);
    const tpm = this.#o.tpm;
    if (!tpm) return { settle: () => {} };
    await this.#take("tpm", tpm, estimate, signal);
    let settled = false;
    return {
      settle: (used) => {
        if (settled || used === null) return;
        settled = true;
        const [capacity, perMs] = bucketOf(tpm);
        void runScript(this.#redis, "seAdjust", [this.#keys.bucket(this.#model, "tpm")], [estimate - used, capacity, perMs, this.#now()]).catch(() => undefined);
      },
    };
  }

  #now(): number | string {
    return this.#o.now ? this.#o.now() : "";
  }

  async #take(kind: "rpm" | "tpm", limit: number, n: number, signal?: AbortSignal): Promise<void> {
    const [capacity, perMs] = bucketOf(limit);
    const key = this.#keys.bucket(this.#model, kind);
    for (;;) {
      if (signal?.aborted) throw signal.reason as Error;
      const wait = await runScript<number>(this.#redis, "seTake", [key], [n, capacity, perMs, this.#now()]);
      if (wait === 0) return;
      // Asked again after the wait (others may take first), at most a second later.
      await this.#clock.sleep(Math.min(wait, 1000), signal);
    }
  }
}

/** A per-minute limit as a bucket: one second's worth of capacity (at least 1), refilled per ms. */
function bucketOf(perMinute: number): [number, number] {
  return [Math.max(1, perMinute / 60), perMinute / 60_000];
}
