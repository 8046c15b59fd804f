import type { OperatorFunction } from "rxjs";
import type { PipelineContext } from "../operators/pipeline-context.js";
import type { SampleScore } from "../tasks/score-repeats.js";
import type { Task } from "../work/task.js";
import type { Doc } from "../types.js";
import type { Outcome, Prepared, WorkItem } from "../work/work-item.js";
import type { Sample } from "../types.js";

/**
 * A pipeline for one output type: how to prepare a sample, and the operator that evaluates work items.
 * `P` is what `prepare` makes; the run hands each work item to the pipeline that prepared it, so `create`'s
 * operator reads its own prepared type.
 */
export interface PipelineDef<P extends Prepared = Prepared> {
  /** Renders the sample for the task; throws TaskInputError when the sample lacks what the task needs. */
  readonly prepare: (sample: Sample, task: Task) => P;
  /** Emits exactly one Outcome per WorkItem (ok or error), in completion order. */
  readonly create: (context: PipelineContext) => OperatorFunction<WorkItem<P>, Outcome<P>>;
  /**
   * Scores a sample's responses over its repeats together (maj@k, pass@k), for a pipeline whose
   * responses are text its task's filters and metrics read; without it a sample takes its first repeat's scores.
   */
  readonly scoreRepeats?: (task: Task, responses: readonly string[], target: string | readonly string[], own: readonly (Readonly<Record<string, number>> | undefined)[], doc?: Doc) => SampleScore;
}

/**
 * A registry's view of a pipeline of any prepared type: it prepares some Prepared, and its operator
 * takes the work items it prepared (a record of pipelines cannot name each entry's own type).
 */
export interface RegisteredPipeline {
  readonly prepare: (sample: Sample, task: Task) => Prepared;
  readonly create: (context: PipelineContext) => OperatorFunction<WorkItem<never>, Outcome>;
  readonly scoreRepeats?: PipelineDef["scoreRepeats"];
}

/** Pipelines by output type: `evaluate` hands each work item to the pipeline of its task's `output_type`. */
export type PipelineRegistry = Readonly<Record<string, RegisteredPipeline>>;
