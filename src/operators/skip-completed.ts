import { Observable, type OperatorFunction } from "rxjs";
import type { WorkItem } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import { workKeyString } from "../types.js";

/** What skipCompleted reads: the stored ok result of each key, undefined where none (RunStore fits). */
export interface CompletedLookup {
  lookup(keys: readonly string[]): Promise<readonly (ResultLine | undefined)[]>;
}

export interface SkipCompletedOptions {
  readonly store: CompletedLookup;
  /** Receives each item found done, with its stored result (the run sends it out as a resumed result). */
  readonly onResumed: (work: WorkItem, line: ResultLine) => void;
  /**
   * What produced a work item's result (`workFingerprint`). A stored result whose `fingerprint` differs
   * is not reused: the item passes on to be sent again, and `onChanged` hears of it. (A record
   * without a fingerprint predates them and is reused.)
   */
  readonly fingerprint?: (work: WorkItem) => string;
  /** Told of each item whose record was made from another request (see `fingerprint`). */
  readonly onChanged?: (work: WorkItem) => void;
  /** Most keys in one lookup (default 512). */
  readonly maxBatch?: number;
  /** Told after each lookup how many of its keys were done (the run reads further ahead while all are). */
  readonly onLookup?: (done: number, keys: number) => void;
}

/**
 * Passes on the work items that are not recorded as done (or whose record was made from another
 * request: see `fingerprint`), and drops those that are — without
 * sending them anywhere: for each of those it hands the stored result to `onResumed` (so the run
 * reports it, and the summary covers the whole run) and then calls the item's `done` (so the source reads on).
 *
 * Items that arrive in the same turn of the event loop (expand emits a sample's models × repeats
 * together, the source a window of samples through promise callbacks) are looked up in one
 * `getMany`: a lookup per item costs ten times more, and skipping 100,000 recorded samples would
 * take ten seconds rather than one. Order is kept within a lookup. Completes after the source
 * completes and its last lookup is answered; a failed lookup errors the stream (the store is gone).
 * Unsubscribing drops answers still on their way.
 */
export function skipCompleted(options: SkipCompletedOptions): OperatorFunction<WorkItem, WorkItem> {
  if (typeof options?.store?.lookup !== "function") throw new TypeError("Expected `store` to have a lookup(keys) method");
  if (typeof options.onResumed !== "function") throw new TypeError("Expected `onResumed` to be a function");
  const maxBatch = options.maxBatch ?? 512;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`Expected \`maxBatch\` to be an integer >= 1, got ${maxBatch}`);
  const { store, onResumed } = options;

  return (source) =>
    new Observable<WorkItem>((subscriber) => {
      let buffer: WorkItem[] = [];
      let scheduled = false;
      let lookups = 0;
      let sourceDone = false;
      const maybeComplete = () => {
        if (sourceDone && lookups === 0 && !scheduled) subscriber.complete();
      };
      const answer = (batch: readonly WorkItem[], found: readonly (ResultLine | undefined)[]) => {
        if (options.onLookup) options.onLookup(found.reduce((n, line) => (line === undefined ? n : n + 1), 0), batch.length);
        for (let i = 0; i < batch.length && !subscriber.closed; i++) {
          const work = batch[i] as WorkItem;
          const line = found[i];
          if (line === undefined) subscriber.next(work);
          else if (options.fingerprint && typeof line.fingerprint === "string" && line.fingerprint !== options.fingerprint(work)) {
            options.onChanged?.(work);
            subscriber.next(work);
          } else {
            onResumed(work, line);
            work.done();
          }
        }
      };
      const lookUp = () => {
        scheduled = false;
        while (buffer.length > 0) {
          const batch = buffer.length <= maxBatch ? buffer : buffer.slice(0, maxBatch);
          buffer = buffer.length <= maxBatch ? [] : buffer.slice(maxBatch);
          lookups++;
          store.lookup(batch.map((w) => workKeyString(w.key))).then(
            (found) => {
              lookups--;
              if (subscriber.closed) return;
              try {
                answer(batch, found);
              } catch (error) {
                subscriber.error(error);
                return;
              }
              maybeComplete();
            },
            (error: unknown) => subscriber.error(error),
          );
        }
      };
      const subscription = source.subscribe({
        next: (work) => {
          buffer.push(work);
          if (!scheduled) {
            scheduled = true;
            // After this turn's promise callbacks (the source's next lines), not before them.
            setImmediate(lookUp);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          maybeComplete();
        },
      });
      return () => subscription.unsubscribe();
    });
}
