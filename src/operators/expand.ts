import { mergeMap, type OperatorFunction } from "rxjs";
import type { Prepared, WorkItem } from "../work/work-item.js";
import { effectiveRepeats, type Task } from "../work/task.js";
import type { Sample } from "../types.js";

/** A sample rendered for its task, ready to expand. `done` frees its place in the demand window. */
export interface PreparedSample {
  readonly sample: Sample;
  readonly task: Task;
  readonly prepared: Prepared;
  readonly done: () => void;
  /** The models this sample goes to, when routing chose them (else every model of the run). */
  readonly models?: readonly string[];
  /** The routing rule that chose them, recorded on each result line. */
  readonly route?: string;
}

export interface ExpandOptions {
  /** Model names: each sample is evaluated on every model. */
  readonly models: readonly string[];
  /** Overrides the task's `repeats`. */
  readonly repeats?: number;
}

/**
 * Emits one WorkItem per model × repeat for each prepared sample, synchronously and in that order.
 * The models are the sample's own when routing chose them, else every model of the run.
 * The sample's `done` is called once, after the last of its work items is done.
 */
export function expand(options: ExpandOptions): OperatorFunction<PreparedSample, WorkItem> {
  if (options.models.length === 0) throw new RangeError("Expected `models` to name at least one model, got none");
  if (options.repeats !== undefined && (!Number.isInteger(options.repeats) || options.repeats < 1)) {
    throw new RangeError(`Expected \`repeats\` to be an integer >= 1, got ${options.repeats}`);
  }
  return mergeMap((p) => {
    const repeats = effectiveRepeats(p.task, options.repeats);
    const models = p.models ?? options.models;
    let remaining = models.length * repeats;
    const done = () => {
      if (--remaining === 0) p.done();
    };
    const items: WorkItem[] = [];
    for (const model of models) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const key = { task: p.task.name, id: p.sample.id, model, repeat };
        items.push({ key, sample: p.sample, task: p.task, prepared: p.prepared, repeats, done, ...(p.route === undefined ? {} : { route: p.route }) });
      }
    }
    return items;
  });
}
