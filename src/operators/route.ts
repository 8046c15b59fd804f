import { groupBy, map, mergeMap, type OperatorFunction } from "rxjs";
import type { Outcome, WorkItem } from "../work/work-item.js";

/**
 * Sends each work item to the pipeline of its task's `output_type` and merges their outcomes.
 * The table is given by the caller (the run passes the pipeline registry); a type without a
 * pipeline gives an error outcome for the item, not a failed stream.
 */
export function route(table: Readonly<Record<string, OperatorFunction<WorkItem, Outcome>>>): OperatorFunction<WorkItem, Outcome> {
  return (source) =>
    source.pipe(
      groupBy((work) => work.task.outputType),
      mergeMap((group) => {
        const pipeline = table[group.key];
        if (pipeline) return group.pipe(pipeline);
        return group.pipe(
          map(
            (work): Outcome => ({
              kind: "done",
              work,
              line: {
                id: work.key.id,
                task: work.key.task,
                model: work.key.model,
                repeat: work.key.repeat,
                status: "error",
                input: work.prepared.input,
                error: { type: "no_pipeline", message: `no pipeline is registered for output_type ${group.key}`, attempts: 0 },
              },
            }),
          ),
        );
      }),
    );
}
