import type { Task } from "./task.js";
import type { ChatReply } from "./model.js";
import type { ErrorInfo, ResultLine, Sample, Timing, WorkKey } from "../types.js";

/** A sample made ready for one task: its rendered input and target. A pipeline's own extends it with what it needs. */
export interface Prepared {
  readonly input: string;
  readonly target: string;
  /** Every gold answer, when the task gives several (a response matching any of them is right). */
  readonly targets?: string[];
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
}

/** A finished work item and its result line. */
export interface Outcome<P extends Prepared = Prepared> {
  readonly work: WorkItem<P>;
  readonly line: ResultLine;
  /**
   * Set by gatherRepeats on the line that completes a sample of a task scored in Python
   * (`Task.scoredInPython`) with repeats: every repeat's response, in repeat order, which that stage
   * scores together.
   */
  readonly repeatResponses?: readonly string[];
}
