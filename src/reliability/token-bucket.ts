import type { Clock } from "../clock.js";

export interface TokenBucketOptions {
  /** Most tokens the bucket holds (the burst). It starts full. */
  readonly capacity: number;
  /** Tokens added per millisecond. */
  readonly refillPerMs: number;
  readonly clock: Clock;
}

interface Waiter {
  readonly n: number;
  readonly grant: () => void;
}

/**
 * A token bucket with FIFO waiters. `take(n)` waits until the bucket holds min(n, capacity) tokens,
 * then takes n: a request larger than the burst goes out when the bucket is full and leaves it in
 * debt, so large requests are paced at the refill rate instead of never fitting. `adjust` gives
 * tokens back (a reservation that turned out too large) or takes more (one that was too small).
 * Waiting happens on the injected clock; an aborted waiter leaves the queue without taking tokens.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #rate: number;
  readonly #clock: Clock;
  #level: number;
  #at: number;
  readonly #queue: Waiter[] = [];
  #pumping = false;
  /** Aborted to cut the pump's sleep short when the head of the queue or the level changes. */
  #wake = new AbortController();

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity > 0) || !Number.isFinite(options.capacity)) {
      throw new RangeError(`Expected \`capacity\` to be a finite number > 0, got ${options.capacity}`);
    }
    if (!(options.refillPerMs > 0) || !Number.isFinite(options.refillPerMs)) {
      throw new RangeError(`Expected \`refillPerMs\` to be a finite number > 0, got ${options.refillPerMs}`);
    }
    this.#capacity = options.capacity;
    this.#rate = options.refillPerMs;
    this.#clock = options.clock;
    this.#level = options.capacity;
    this.#at = options.clock.now();
  }

  /** Tokens in the bucket now (negative while in debt). */
  get level(): number {
    this.#refill();
    return this.#level;
  }
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves once `n` tokens are taken; rejects with the signal's reason if aborted first. */
  take(n: number, signal?: AbortSignal): Promise<void> {
    if (!(n >= 0) || !Number.isFinite(n)) return Promise.reject(new RangeError(`Expected \`n\` to be a finite number >= 0, got ${n}`));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.#refill();
    if (this.#queue.length === 0 && this.#level >= Math.min(n, this.#capacity)) {
      this.#level -= n;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#queue.indexOf(waiter);
        if (i < 0) return;
        this.#queue.splice(i, 1);
        if (i === 0) this.#poke();
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        n,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Adds `delta` tokens (negative: takes them), never above capacity. */
  adjust(delta: number): void {
    if (!Number.isFinite(delta) || delta === 0) return;
    this.#refill();
    this.#level = Math.min(this.#capacity, this.#level + delta);
    if (delta > 0) this.#poke();
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#level = Math.min(this.#capacity, this.#level + (now - this.#at) * this.#rate);
    this.#at = now;
  }

  #poke(): void {
    this.#wake.abort();
    this.#wake = new AbortController();
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    for (;;) {
      const head = this.#queue[0];
      if (!head) {
        // Cleared here, not in a finally: a take() between this return and a later callback would find no pump.
        this.#pumping = false;
        return;
      }
      this.#refill();
      const need = Math.min(head.n, this.#capacity);
      // The epsilon absorbs float error: after sleeping exactly the computed wait, level may be need - 1e-12.
      if (this.#level >= need - 1e-9) {
        this.#queue.shift();
        this.#level -= head.n;
        head.grant();
        continue;
      }
      const wait = (need - this.#level) / this.#rate;
      await this.#clock.sleep(wait, this.#wake.signal).catch(() => {});
    }
  }
}
