import type { Task } from "./task.js";
import type { ChatReply } from "./model.js";
import type { ErrorInfo, ResultLine, Sample, Timing, WorkKey } from "../types.js";

/** A sample made ready for one task: its rendered input and target, plus what its pipeline needs. */
export interface Prepared {
  readonly input: string;
  readonly target: string;
  readonly [extra: string]: unknown;
}

/** One unit of model work: a prepared sample on one model, one repeat. */
export interface WorkItem {
  readonly key: WorkKey;
  readonly sample: Sample;
  readonly task: Task;
  readonly prepared: Prepared;
  /** Called once, when the item's result is final: frees its place in the source's demand window. */
  readonly done: () => void;
  /** The routing rule that sent the sample to this model, when the run routes. */
  readonly route?: string;
}

/** A model's answer to a work item, or why there is none. */
export interface Inferred {
  readonly work: WorkItem;
  readonly reply?: ChatReply;
  readonly timing: Timing;
  readonly error?: ErrorInfo;
  readonly cost_usd: number | null;
  /** The model that answered, when a fallback served the item. */
  readonly served_by?: string;
}

/** A finished work item and its result line. */
export interface Outcome {
  readonly work: WorkItem;
  readonly line: ResultLine;
}
