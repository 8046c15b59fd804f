import type { Task } from "./task.js";
import type { ChatReply } from "./model.js";
import type { ErrorInfo, MediaRef, ResultLine, Sample, Timing, WorkKey } from "../types.js";

/** A sample made ready for one task: its rendered input and target. A pipeline's own extends it with what it needs. */
export interface Prepared {
  readonly input: string;
  readonly target: string;
  /** Every gold answer, when the task gives several (a response matching any of them is right). */
  readonly targets?: string[];
  /** The sample's media (images, audio, video) as references: read and encoded only when its request is sent. */
  readonly media?: readonly MediaRef[];
}

/** One unit of model work: a prepared sample on one model, one repeat. `P` is its pipeline's prepared type. */
export interface WorkItem<P extends Prepared = Prepared> {
  readonly key: WorkKey;
  readonly sample: Sample;
  readonly task: Task;
  readonly prepared: P;
  /** How many repeats its sample has on this model: the task's `repeats`, or the run's override (set once, by expand). */
  readonly repeats: number;
  /** Called once, when the item's result is final: frees its place in the source's demand window. */
  readonly done: () => void;
  /** The routing rule that sent the sample to this model, when the run routes. */
  readonly route?: string;
}

/** A model's answer to a work item (`ok`, with the reply), or why there is none (`error`). */
export type Inferred<P extends Prepared = Prepared> = InferredOk<P> | InferredError<P>;

interface InferredBase<P extends Prepared> {
  readonly work: WorkItem<P>;
  readonly timing: Timing;
  readonly cost_usd: number | null;
  /** The model that answered, when a fallback served the item. */
  readonly served_by?: string;
  /** The reply came from the response cache: nothing was sent, `cost_usd` is 0. */
  readonly cached?: boolean;
  /** What the cached reply cost when it was made (null: price unknown). */
  readonly cached_cost_usd?: number | null;
}

/** The model answered. */
export interface InferredOk<P extends Prepared = Prepared> extends InferredBase<P> {
  readonly kind: "ok";
  readonly reply: ChatReply;
  readonly error?: undefined;
}

/** The call failed for good (after its retries); the error is data, as it goes on the result line. */
export interface InferredError<P extends Prepared = Prepared> extends InferredBase<P> {
  readonly kind: "error";
  readonly error: ErrorInfo;
  readonly reply?: undefined;
  /** Set when the call did not fail but was cut off: the item's outcome is then cut off, not done. */
  readonly cutOff?: CutOffCause;
}

/**
 * Why work was cut off rather than done: `budget` (its request was refused by the budget before it was
 * sent) or `aborted` (the run's signal aborted it: a second interrupt, a fatal error, an unsubscribe).
 */
export type CutOffCause = "budget" | "aborted";

/** A work item's end: done (its result line is final), or cut off by the run's end. */
export type Outcome<P extends Prepared = Prepared> = OutcomeDone<P> | OutcomeCutOff<P>;

/** The item is finished and its result line (ok or error) is final: it is recorded and output. */
export interface OutcomeDone<P extends Prepared = Prepared> {
  readonly kind: "done";
  readonly work: WorkItem<P>;
  readonly line: ResultLine;
  /**
   * Set by gatherRepeats on the line that completes a sample of a task scored in Python
   * (`Task.scoredInPython`) with repeats: every repeat's response, in repeat order, which that stage
   * scores together.
   */
  readonly repeatResponses?: readonly string[];
  /** Set by `record`: the sequence number the store keeps the ok line under (RunStore, layout 2). */
  readonly seq?: number;
}

/**
 * The run's end cut the item off: it is neither recorded nor output, so the sample stays undone and a
 * rerun does it. `line` is the error line it would have been (repeats still count it; nothing shows it).
 */
export interface OutcomeCutOff<P extends Prepared = Prepared> {
  readonly kind: "cut-off";
  readonly cause: CutOffCause;
  readonly work: WorkItem<P>;
  readonly line: ResultLine;
}

/** The outcome of a work item whose line is made: cut off when `cutOff` gives a cause, else done. */
export function outcomeOf<P extends Prepared>(work: WorkItem<P>, line: ResultLine, cutOff?: CutOffCause): Outcome<P> {
  return cutOff === undefined ? { kind: "done", work, line } : { kind: "cut-off", cause: cutOff, work, line };
}

/** The cut-off cause an inferred item carries, if any (for `outcomeOf`). */
export const cutOffOf = (inferred: Inferred): CutOffCause | undefined => (inferred.kind === "error" ? inferred.cutOff : undefined);
