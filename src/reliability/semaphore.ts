/**
 * A FIFO counting semaphore. `acquire` resolves with a release function once a permit is free;
 * an aborted waiter leaves the queue without taking a permit. The limit can change at run time
 * (adaptive concurrency shrinks and grows it).
 */
interface Waiter {
  grant: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class Semaphore {
  #limit: number;
  #inUse = 0;
  readonly #waiters: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Expected \`limit\` to be an integer >= 1, got ${limit}`);
    this.#limit = limit;
  }

  get inUse(): number {
    return this.#inUse;
  }
  get waiting(): number {
    return this.#waiters.length;
  }
  get limit(): number {
    return this.#limit;
  }

  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#drain();
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const waiter: Waiter = {
        grant: () => {
          if (waiter.onAbort) signal?.removeEventListener("abort", waiter.onAbort);
          resolve(this.#releaser());
        },
        signal,
      };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(signal.reason as Error);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#drain();
    });
  }

  #releaser(): () => void {
    this.#inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#inUse < this.#limit && this.#waiters.length > 0) this.#waiters.shift()?.grant();
  }
}
