import type { OperatorFunction } from "rxjs";
import type { PipelineContext } from "../operators/pipeline-context.js";
import type { Task } from "../work/task.js";
import type { Outcome, Prepared, WorkItem } from "../work/work-item.js";
import type { Sample } from "../types.js";

/** A pipeline for one output type: how to prepare a sample, and the operator that evaluates work items. */
export interface PipelineDef {
  /** Renders the sample for the task; throws TaskInputError when the sample lacks what the task needs. */
  readonly prepare: (sample: Sample, task: Task) => Prepared;
  /** Emits exactly one Outcome per WorkItem (ok or error), in completion order. */
  readonly create: (context: PipelineContext) => OperatorFunction<WorkItem, Outcome>;
}

export type PipelineRegistry = Readonly<Record<string, PipelineDef>>;
