import type { MetricValue, ModelSummary, OverallModelSummary } from "./summary.js";

/**
 * The run's overall results over several tasks, as lm-evaluation-harness aggregates a group with
 * `weight_by_size`: a metric's value is the mean of the tasks' values weighted by their sample counts
 * (for a `mean` metric: the mean over all samples), and its stderr is the harness's
 * `pooled_sample_stderr`: sqrt(Σ (nᵢ−1)·nᵢ·seᵢ² / (Σnᵢ − tasks) / Σnᵢ). Metrics are pooled by key
 * (`acc,none`) over the tasks that report it; a stderr is null when a task has none. Pure.
 */
export function overallSummary(tasks: Readonly<Record<string, { models: Record<string, ModelSummary> }>>): Record<string, OverallModelSummary> {
  const out: Record<string, OverallModelSummary> = {};
  const parts = new Map<string, Map<string, MetricValue[]>>();
  for (const { models } of Object.values(tasks)) {
    for (const [model, s] of Object.entries(models)) {
      const o = (out[model] ??= { samples: { total: 0, ok: 0, error: 0, resumed: 0 }, metrics: {}, cost_usd: 0 });
      o.samples.total += s.samples.total;
      o.samples.ok += s.samples.ok;
      o.samples.error += s.samples.error;
      o.samples.resumed += s.samples.resumed;
      o.cost_usd = o.cost_usd === null || s.cost_usd === null ? null : o.cost_usd + s.cost_usd;
      let byKey = parts.get(model);
      if (!byKey) parts.set(model, (byKey = new Map<string, MetricValue[]>()));
      for (const [key, m] of Object.entries(s.metrics)) {
        if (m.n > 0 && Number.isFinite(m.value)) byKey.set(key, [...(byKey.get(key) ?? []), m]);
      }
    }
  }
  for (const [model, byKey] of parts) {
    for (const [key, list] of byKey) out[model]!.metrics[key] = pool(list);
  }
  return out;
}

/** lm-eval's aggregate_subtask_metrics (weighted by size) and pooled_sample_stderr. */
export function pool(list: readonly MetricValue[]): MetricValue {
  const n = list.reduce((a, m) => a + m.n, 0);
  const value = list.reduce((a, m) => a + m.value * m.n, 0) / n;
  let stderr: number | null = null;
  if (list.every((m) => m.stderr !== null) && n > list.length) {
    const pooledVar = list.reduce((a, m) => a + (m.n - 1) * m.stderr! ** 2 * m.n, 0) / (n - list.length);
    stderr = Math.sqrt(pooledVar / n);
  }
  return { value, stderr, n };
}
