import { Observable, type OperatorFunction } from "rxjs";

export interface BatchAsyncOptions<T, R> {
  /** Items that need the batch's work; the others pass straight through, at once. */
  readonly wants: (item: T) => boolean;
  /** The work of one batch: its outputs, in any number (an item may become none, or a reject). */
  readonly run: (batch: readonly T[]) => Promise<readonly R[]>;
  /** Items per batch at most (default 64). */
  readonly maxBatch?: number;
}

/**
 * Shared mechanics of the hook stages: gathers the wanted items that arrive together (in one turn of the
 * event loop, up to `maxBatch`) into one batch, runs the batch's async work, and emits its outputs.
 * Batches run concurrently; nothing is read ahead: a batch holds only items the source already gave,
 * and the source gives only what the run's demand window allows. Completes when the source has and
 * every batch is done; a batch whose work rejects errors the stream (per-item failures are outputs).
 * Unsubscribing drops the outputs of batches in flight.
 */
export function batchAsync<T, R>(options: BatchAsyncOptions<T, R>): OperatorFunction<T, T | R> {
  const maxBatch = options.maxBatch ?? 64;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`Expected \`maxBatch\` to be an integer >= 1, got ${maxBatch}`);
  return (source) =>
    new Observable<T | R>((subscriber) => {
      let buffer: T[] = [];
      let scheduled: NodeJS.Immediate | undefined;
      let active = 0;
      let sourceDone = false;
      let closed = false;
      const completeIfDone = () => {
        if (sourceDone && active === 0 && buffer.length === 0 && !closed) subscriber.complete();
      };
      const flush = () => {
        if (scheduled) clearImmediate(scheduled);
        scheduled = undefined;
        if (buffer.length === 0) return;
        const batch = buffer;
        buffer = [];
        active++;
        options.run(batch).then(
          (outputs) => {
            active--;
            if (closed) return;
            for (const out of outputs) subscriber.next(out);
            completeIfDone();
          },
          (error: unknown) => {
            active--;
            if (!closed) subscriber.error(error);
          },
        );
      };
      const subscription = source.subscribe({
        next(item) {
          if (!options.wants(item)) {
            subscriber.next(item);
            return;
          }
          buffer.push(item);
          if (buffer.length >= maxBatch) flush();
          else scheduled ??= setImmediate(flush);
        },
        error(error) {
          subscriber.error(error);
        },
        complete() {
          sourceDone = true;
          flush();
          completeIfDone();
        },
      });
      return () => {
        closed = true;
        if (scheduled) clearImmediate(scheduled);
        subscription.unsubscribe();
      };
    });
}
