import type { OperatorFunction } from "rxjs";
import type { PipelineContext } from "../operators/pipeline-context.js";
import type { SampleScore } from "../tasks/score-repeats.js";
import type { Task } from "../work/task.js";
import type { Outcome, Prepared, WorkItem } from "../work/work-item.js";
import type { Sample } from "../types.js";

/** A pipeline for one output type: how to prepare a sample, and the operator that evaluates work items. */
export interface PipelineDef {
  /** Renders the sample for the task; throws TaskInputError when the sample lacks what the task needs. */
  readonly prepare: (sample: Sample, task: Task) => Prepared;
  /** Emits exactly one Outcome per WorkItem (ok or error), in completion order. */
  readonly create: (context: PipelineContext) => OperatorFunction<WorkItem, Outcome>;
  /**
   * Scores a sample's responses over its repeats together (maj@k, pass@k), for a pipeline whose
   * responses are text its task's filters and metrics read; without it a sample takes its first repeat's scores.
   */
  readonly scoreRepeats?: (task: Task, responses: readonly string[], target: string | readonly string[]) => SampleScore;
}

/** Pipelines by output type: `evaluate` routes each work item to its task's `output_type` entry. */
export type PipelineRegistry = Readonly<Record<string, PipelineDef>>;
