import type { HookCaller } from "../python/hooks/hook-caller.js";
import { PythonHook } from "../python/hooks/hook-ref.js";
import type { PythonAggregationSpec } from "../summary/python-aggregations.js";
import type { SummaryBuilder, SummaryBuilderOptions } from "../summary/summary-builder.js";
import type { TaskMeta } from "./run-meta.js";

/** Starts hook workers that have loaded `hooks` (rejecting when they cannot); the caller closes them. */
export type StartPython = (hooks: readonly PythonHook[]) => Promise<HookCaller & { close(): Promise<void> }>;

/** The SummaryBuilder's tasks from what the store (or a queue) keeps of them, Python aggregations included. */
export function summaryTasks(tasks: readonly TaskMeta[]): SummaryBuilderOptions["tasks"] {
  return tasks.map((t) => {
    const python = Object.entries(t.python_aggregations ?? {}).map(([metric, s]): [string, PythonAggregationSpec] => [
      metric,
      { hook: new PythonHook(s.spec, s.dir, s.file, s.line, s.key), ...(s.item ? { item: s.item } : {}) },
    ]);
    return { name: t.name, aggregations: new Map(Object.entries(t.aggregations)), ...(python.length ? { pythonAggregations: new Map(python) } : {}) };
  });
}

/**
 * Runs the Python aggregations of a summary rebuilt from records (`runs export`, `runs show` of a run
 * without a saved summary, `collect`), as the run itself did at its end: hook workers started for the
 * aggregation functions only, then closed. Without `start`, or when the workers cannot start (the task
 * folder moved, no interpreter), each such metric is reported as not computed, saying why.
 */
export async function aggregateStoredPython(builder: SummaryBuilder, start: StartPython | undefined): Promise<void> {
  if (!builder.needsPython) return;
  if (!start) {
    builder.pythonUnavailable("not computed: this summary was rebuilt from the records without a Python worker");
    return;
  }
  const hooks = [...new Map(builder.options.tasks.flatMap((t) => [...(t.pythonAggregations?.values() ?? [])].map((s) => [s.hook.id, s.hook] as const))).values()];
  let workers: Awaited<ReturnType<StartPython>>;
  try {
    workers = await start(hooks);
  } catch (error) {
    builder.pythonUnavailable(`not computed: the hook worker could not start: ${(error as Error).message}`);
    return;
  }
  try {
    await builder.aggregateInPython(workers);
  } finally {
    await workers.close();
  }
}
