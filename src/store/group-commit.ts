/** Writes one batch of items; resolves when they are durable (as the caller defines it). */
export type CommitBatch<T> = (items: readonly T[]) => Promise<void>;

export interface GroupCommitOptions {
  /** Most items in one batch (default 1000): a longer queue is written as several batches in a row. */
  readonly maxBatch?: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: `add` queues an item and resolves once the batch holding it is committed. One batch
 * is written at a time; items that arrive while it is being written wait and go out together in the
 * next one. So an idle writer commits at once (no timer, no added latency), and a busy one makes
 * batches as large as the load, which is what makes checkpointing cheap.
 *
 * A failed commit rejects the promises of its items, and every later `add` and `flush` too: the
 * writer is broken and the run must end (a full disk is not retried here).
 */
export class GroupCommit<T> {
  readonly #commit: CommitBatch<T>;
  readonly #maxBatch: number;
  #queue: T[] = [];
  #waiters: Waiter[] = [];
  #writing: Promise<void> | undefined;
  #failure: { error: Error } | undefined;

  constructor(commit: CommitBatch<T>, options: GroupCommitOptions = {}) {
    const maxBatch = options.maxBatch ?? 1000;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`Expected \`maxBatch\` to be an integer >= 1, got ${maxBatch}`);
    this.#commit = commit;
    this.#maxBatch = maxBatch;
  }

  /** Items queued and not yet committed. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues `item`; resolves when it is committed, rejects when its batch (or an earlier one) failed. */
  add(item: T): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure.error);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push(item);
      this.#waiters.push({ resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  /** Resolves when everything added so far is committed. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#failure) throw this.#failure.error;
  }

  async #drain(): Promise<void> {
    // Let items added in the same tick join the first batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const items = this.#queue.splice(0, this.#maxBatch);
      const waiters = this.#waiters.splice(0, items.length);
      try {
        await this.#commit(items);
      } catch (cause) {
        const error = cause instanceof Error ? cause : new Error(String(cause));
        this.#failure = { error };
        for (const w of [...waiters, ...this.#waiters.splice(0)]) w.reject(error);
        this.#queue = [];
        break;
      }
      for (const w of waiters) w.resolve();
    }
    this.#writing = undefined;
  }
}
