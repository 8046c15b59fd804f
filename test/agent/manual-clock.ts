import type { Clock } from "../../src/clock.js";

/** A Clock that moves only when told: `advance(ms)` fires the sleeps that fall due. */
export class ManualClock implements Clock {
  #now = 0;
  readonly #timers = new Set<{ at: number; fire: () => void }>();

  now(): number {
    return this.#now;
  }
  epochMs(): number {
    return Date.UTC(2026, 0, 1) + this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = { at: this.#now + ms, fire: () => resolve() };
      this.#timers.add(timer);
      signal?.addEventListener("abort", () => {
        this.#timers.delete(timer);
        reject(signal.reason as Error);
      }, { once: true });
    });
  }
  advance(ms: number): void {
    this.#now += ms;
    for (const t of [...this.#timers].sort((a, b) => a.at - b.at)) {
      if (t.at > this.#now) break;
      this.#timers.delete(t);
      t.fire();
    }
  }
}
