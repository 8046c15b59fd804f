import type { GroupSummary, MetricValue, ModelSummary } from "./summary.js";

/** A group as the summary needs it: its leaf tasks and what it aggregates (see tasks/group.ts). */
export interface GroupSpec {
  readonly name: string;
  readonly alias?: string;
  readonly tasks: readonly string[];
  readonly aggregate: readonly { readonly metric: string; readonly filters?: readonly string[]; readonly weightBySize: boolean }[];
}

/**
 * Each group's metrics as lm-eval 0.4.13 computes them (lm_eval/api/group.py `Group.aggregate`), from
 * its leaf tasks' results: for each `aggregate_metric_list` entry and filter (listed, or every filter
 * the leaves report for the metric), the value is `aggregate_subtask_metrics` (the mean of the tasks'
 * values, weighted by their sample counts when `weight_by_size`), the stderr `pooled_sample_stderr`
 * over every task having the metric (whatever `weight_by_size` says), null when one has none. A
 * group without `aggregate_metric_list` reports no metric. Pure.
 */
export function groupSummaries(groups: readonly GroupSpec[], tasks: Readonly<Record<string, { models: Record<string, ModelSummary> }>>, models: readonly string[]): Record<string, GroupSummary> {
  const out: Record<string, GroupSummary> = {};
  for (const g of groups) {
    const byModel: GroupSummary["models"] = {};
    for (const model of models) {
      const leaves = g.tasks.map((t) => tasks[t]?.models[model]).filter((m): m is ModelSummary => m !== undefined);
      const metrics: Record<string, MetricValue> = {};
      for (const agg of g.aggregate) {
        const filters = agg.filters ?? discoverFilters(agg.metric, leaves);
        for (const filter of filters) {
          const key = `${agg.metric},${filter}`;
          const parts = leaves.map((l) => l.metrics[key]).filter((m): m is MetricValue => m !== undefined && m.n > 0);
          if (parts.length > 0) metrics[key] = aggregate(parts, agg.weightBySize);
        }
      }
      byModel[model] = { metrics };
    }
    out[g.name] = { ...(g.alias ? { alias: g.alias } : {}), tasks: [...g.tasks], metrics: byModel[models[0] ?? ""]?.metrics ?? {}, models: byModel };
  }
  return out;
}

/** lm-eval's `_discover_filters_for_metric`: the filters of `metric,FILTER` keys, sorted. */
function discoverFilters(metric: string, leaves: readonly ModelSummary[]): string[] {
  const found = new Set<string>();
  for (const l of leaves) for (const key of Object.keys(l.metrics)) if (key.startsWith(`${metric},`)) found.add(key.slice(metric.length + 1));
  return [...found].sort();
}

/** `aggregate_subtask_metrics` and `pooled_sample_stderr` of lm_eval/api/metrics.py. */
export function aggregate(parts: readonly MetricValue[], weightBySize: boolean): MetricValue {
  const sizes = parts.map((p) => p.n);
  const weights = weightBySize ? sizes : sizes.map(() => 1);
  let num = 0;
  for (let i = 0; i < parts.length; i++) num += parts[i]!.value * weights[i]!;
  const value = num / weights.reduce((a, b) => a + b, 0);
  const n = sizes.reduce((a, b) => a + b, 0);
  let stderr: number | null = null;
  if (parts.every((p) => p.stderr !== null)) {
    let pooled = 0;
    for (let i = 0; i < parts.length; i++) pooled += (sizes[i]! - 1) * parts[i]!.stderr! ** 2 * sizes[i]!;
    stderr = Math.sqrt(pooled / (n - parts.length) / n);
  }
  return { value, stderr, n };
}
