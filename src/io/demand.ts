import { Observable } from "rxjs";
import { batchesOf } from "./line-batches.js";

/**
 * The run's one counting semaphore (FIFO, with a limit that can change while it runs). The source
 * uses it to turn RxJS's push into pull: it takes one unit before it reads an item, the consumer
 * gives it back when that item is fully processed, so at most `limit` items are between the reader
 * and the end of the pipeline, however fast the input is. A dispatcher uses it for its concurrency
 * slots (`take`), which adaptive concurrency shrinks and grows.
 *
 * ```ts
 * const demand = new Demand(64);
 * pullSource(readLines(stdin, "<stdin>"), demand).pipe(
 *   mergeMap((line) => work(line).pipe(finalize(() => demand.release()))),
 * );
 * ```
 *
 * Waiters are served first come, first served. Releasing more units than were acquired is a bug in
 * the caller and throws a RangeError rather than silently raising the limit.
 */
export class Demand {
  #limit: number;
  #inFlight = 0;
  /** Pending `acquire` calls; as long as the number of concurrent acquirers (one per source). */
  readonly #waiters: Waiter[] = [];
  /**
   * The abort listener left on the last signal a wait used, which withdraws every waiter on that signal. A listener
   * added and removed per wait empties the signal's listener map each time, and V8 reallocates the table of a map
   * that lives in the old generation in the old generation: on the run's signal, a hundred bytes of old garbage
   * per wait that only a full collection frees (4–8 MB over a million lines read from a file, docs/benchmarks.md).
   */
  #kept: { readonly signal: AbortSignal; readonly onAbort: () => void } | undefined;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new TypeError(`Expected \`limit\` to be an integer >= 1, got ${String(limit)}`);
    }
    this.#limit = limit;
  }

  /** Most items between the reader and the end of the pipeline. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Changes the limit: raising it lets waiting readers go at once; lowering it lets items already
   * taken finish, and no new one is taken until fewer than the new limit are out.
   */
  setLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new TypeError(`Expected \`limit\` to be an integer >= 1, got ${String(limit)}`);
    }
    this.#limit = limit;
    this.#grant();
  }

  /** Units taken and not yet released: items read and not yet fully processed. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Callers waiting in `acquire`. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Takes one unit, waiting while `limit` are in flight. An aborted `signal` withdraws the wait: the
   * promise rejects with `signal.reason` and no unit is taken.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#inFlight < this.#limit) {
      this.#inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      if (!signal || this.#keep(signal)) {
        this.#waiters.push({ grant: resolve, signal, reject });
        return;
      }
      // Another signal is kept for a wait in progress: this wait listens on its own.
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        signal,
        reject,
      };
      const onAbort = (): void => this.#withdraw((w) => w === waiter, signal);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Whether `signal`'s abort now withdraws its waiters through the kept listener (moved to it if nobody waits on the last). */
  #keep(signal: AbortSignal): boolean {
    const kept = this.#kept;
    if (kept?.signal === signal) return true;
    if (kept && this.#waiters.some((w) => w.signal === kept.signal)) return false;
    if (kept) kept.signal.removeEventListener("abort", kept.onAbort);
    const onAbort = (): void => {
      if (this.#kept?.signal === signal) this.#kept = undefined;
      this.#withdraw((w) => w.signal === signal, signal);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.#kept = { signal, onAbort };
    return true;
  }

  /** Rejects, with `signal`'s reason, the waiters `which` picks; they take no unit. */
  #withdraw(which: (w: Waiter) => boolean, signal: AbortSignal): void {
    const withdrawn = this.#waiters.filter(which);
    if (withdrawn.length === 0) return;
    const left = this.#waiters.filter((w) => !which(w));
    this.#waiters.splice(0, this.#waiters.length, ...left);
    for (const w of withdrawn) w.reject(signal.reason as Error);
  }

  /** Takes one unit now if one is free (true), without waiting; false when `limit` are in flight. */
  tryAcquire(): boolean {
    if (this.#inFlight >= this.#limit) return false;
    this.#inFlight++;
    return true;
  }

  /**
   * Takes one unit as `acquire` does and resolves with the function that gives it back; calling that
   * function again does nothing, so a slot is freed once whatever path frees it.
   */
  async take(signal?: AbortSignal): Promise<() => void> {
    await this.acquire(signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  /** Gives back `n` units (default 1), waking waiters in order. */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`Expected \`n\` to be an integer >= 0, got ${String(n)}`);
    if (n > this.#inFlight) {
      throw new RangeError(`Demand released ${n} unit(s) with only ${this.#inFlight} in flight`);
    }
    this.#inFlight -= n;
    this.#grant();
  }

  /**
   * Lets waiters go, first come first served, while fewer than the limit are out. A unit passes
   * straight from the releaser to the next waiter, so inFlight never dips below what is really
   * outstanding.
   */
  #grant(): void {
    while (this.#inFlight < this.#limit && this.#waiters.length > 0) {
      this.#inFlight++;
      this.#waiters.shift()?.grant();
    }
  }

  /**
   * For an item that fans out into `count` pieces of work: returns a function to call once per
   * piece; the `count`-th call releases the item's unit. `count` 0 releases at once (nothing to do).
   * Calling it more than `count` times throws, as an unbalanced release would.
   */
  ticket(count: number): () => void {
    if (!Number.isInteger(count) || count < 0) {
      throw new TypeError(`Expected \`count\` to be an integer >= 0, got ${String(count)}`);
    }
    let left = count;
    if (left === 0) this.release();
    return () => {
      if (left === 0) throw new RangeError("Demand ticket called more times than its count");
      if (--left === 0) this.release();
    };
  }
}

/** A pending `acquire`: `grant` gives it its unit; `reject` withdraws it when `signal` aborts. */
interface Waiter {
  readonly grant: () => void;
  readonly signal: AbortSignal | undefined;
  readonly reject: (reason: Error) => void;
}

/** Items a source emits between two turns of the event loop (a turn costs a few microseconds). */
const YIELD_EVERY = 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * An Observable that reads `iterable` only as fast as `demand` allows: before each `next()` on the
 * iterator it awaits `demand.acquire()`; the consumer must call `demand.release()` (or a ticket) for
 * every item once it is done with it. So the iterator is never more than `demand.limit` items ahead of
 * the consumer, and a file or stdin behind it is read no faster than the pipeline takes lines.
 *
 * An iterable that gives its items in batches too (`lineBatches`: `openInputs`) is read a batch at a time:
 * each item still takes its unit before it is emitted, so no more than `demand.limit` are emitted ahead of the
 * consumer, and the items of a batch are emitted one after another without an async step between them; what
 * is read ahead of the window is at most the rest of one batch (one chunk of the input).
 *
 * - Emits the iterator's values in order; completes when it is done; errors with the iterator's error.
 * - The unit taken for the read that ended the iterator (done or error) is given back by the source.
 * - Unsubscribing stops reading and calls `iterator.return()` (closing a file). An async generator
 *   runs that after a `next()` already in progress settles. Units of items already emitted stay
 *   the consumer's to release.
 * - Each subscription asks `iterable` for a new iterator: cold if the iterable can be iterated again,
 *   otherwise a second subscription continues where the first stopped.
 * - Every `YIELD_EVERY` items it lets the event loop turn once (`setImmediate`): an in-memory source feeding
 *   a model that answers at once (a function model, the store during a resume) runs on promise jobs alone,
 *   which would otherwise hold off every timer, signal and I/O callback of the process until the input ends.
 */
export function pullSource<T>(iterable: AsyncIterable<T>, demand: Demand): Observable<T> {
  return new Observable<T>((subscriber) => {
    const batches = batchesOf(iterable);
    const iterator = batches ?? iterable[Symbol.asyncIterator]();
    const stop = new AbortController();
    let finished = false;
    let sinceTurn = 0;
    /** Emits `item`; true when the event loop is due a turn before the next. */
    const emit = (item: T): boolean => {
      subscriber.next(item);
      if (++sinceTurn < YIELD_EVERY) return false;
      sinceTurn = 0;
      return true;
    };

    const pump = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        try {
          await demand.acquire(stop.signal);
        } catch {
          return; // withdrawn by unsubscribe
        }
        if (stop.signal.aborted) {
          demand.release();
          return;
        }
        let result: IteratorResult<T>;
        try {
          result = await (iterator as AsyncIterator<T>).next();
        } catch (error) {
          finished = true;
          demand.release();
          if (!stop.signal.aborted) subscriber.error(error);
          return;
        }
        if (result.done || stop.signal.aborted) {
          finished = finished || result.done === true;
          demand.release();
          if (result.done) subscriber.complete();
          return;
        }
        if (emit(result.value)) await nextTurn();
      }
    };

    const pumpBatches = async (source: AsyncIterator<readonly T[]>): Promise<void> => {
      for (;;) {
        let result: IteratorResult<readonly T[]>;
        try {
          result = await source.next();
        } catch (error) {
          finished = true;
          if (!stop.signal.aborted) subscriber.error(error);
          return;
        }
        if (stop.signal.aborted) return;
        if (result.done) {
          finished = true;
          subscriber.complete();
          return;
        }
        for (const item of result.value) {
          if (!demand.tryAcquire()) {
            try {
              await demand.acquire(stop.signal);
            } catch {
              return; // withdrawn by unsubscribe
            }
          }
          if (stop.signal.aborted) {
            demand.release();
            return;
          }
          if (emit(item)) await nextTurn();
        }
      }
    };
    (batches ? pumpBatches(batches) : pump()).catch((error: unknown) => subscriber.error(error));

    return () => {
      stop.abort();
      // An iterator that is done needs no closing. A failing close has nobody left to report to
      // (and a hand-written iterator may throw or return a non-promise).
      if (finished || !iterator.return) return;
      try {
        Promise.resolve(iterator.return()).catch(() => undefined);
      } catch {
        // ignored, as above
      }
    };
  });
}
