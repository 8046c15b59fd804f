import { from, map, mergeMap, type Observable, of, type OperatorFunction } from "rxjs";
import type { Outcome } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import { outcomeSource } from "./record-source.js";

/** Where record writes (RunStore fits): resolves once the line is durable. */
export interface ResultRecorder {
  /**
   * `source`: what the line was made from (recordSource), kept with it so a rerun may reuse it unrendered.
   * Resolves with the sequence number the line was stored under, where the store keeps one (RunStore, layout 2).
   */
  record(line: ResultLine, source?: string): Promise<number | undefined | void>;
}

export interface RecordOptions {
  readonly store: ResultRecorder;
}

/**
 * Writes each outcome's result line to the store and passes the outcome on only once the write is
 * durable — so a result line that reaches the output is always in the store, and a rerun after a
 * crash never does it again. Ok lines are recorded as done; error lines are kept as errors, not done,
 * so a rerun retries them. A cut-off outcome (aborted by a second Ctrl-C, refused by the budget before
 * it was sent) is not recorded at all: it is not a result, just work left undone.
 *
 * Outcomes are emitted in the order their writes finish (the order they came, with the group commit
 * of RunStore). A failed write errors the stream: the run cannot promise a checkpoint any more.
 */
export function record(options: RecordOptions): OperatorFunction<Outcome, Outcome> {
  if (typeof options?.store?.record !== "function") throw new TypeError("Expected `store` to have a record(line) method");
  const { store } = options;
  return mergeMap((outcome): Observable<Outcome> => {
    if (outcome.kind === "cut-off") return of(outcome);
    const source = outcomeSource(outcome);
    return from(source === undefined ? store.record(outcome.line) : store.record(outcome.line, source)).pipe(map((seq) => (typeof seq === "number" ? { ...outcome, seq } : outcome)));
  });
}
