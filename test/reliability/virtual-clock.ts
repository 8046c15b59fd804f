import type { Clock } from "../../src/clock.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Lets every pending promise callback run (a macrotask turn drains the microtask queue). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A Clock that only moves when told: `advance(ms)` fires due sleeps in time order, letting the
 * code they wake run before the next one fires. Tests wait minutes in microseconds.
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers: Timer[] = [];
  readonly epoch: number;

  constructor(epoch = Date.UTC(2026, 0, 1)) {
    this.epoch = epoch;
  }

  now(): number {
    return this.#now;
  }
  epochMs(): number {
    return this.epoch + this.#now;
  }
  /** Sleeps not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        const i = this.#timers.indexOf(timer);
        if (i >= 0) this.#timers.splice(i, 1);
        reject(signal?.reason as Error);
      };
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing every sleep that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      const next = this.#next();
      if (!next || next.at > target) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#now = next.at;
      next.resolve();
      await flush();
    }
    this.#now = target;
    await flush();
  }

  /** Fires sleeps one after another until none is left or `until` holds; returns the time reached. */
  async runUntil(until: () => boolean, maxMs = 24 * 3600_000): Promise<number> {
    await flush();
    const limit = this.#now + maxMs;
    while (!until()) {
      const next = this.#next();
      if (!next || next.at > limit) break;
      await this.advance(next.at - this.#now);
    }
    return this.#now;
  }

  #next(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}
