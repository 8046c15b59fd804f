import type { Registry } from "prom-client";
import { prom } from "./prom.js";
import type { WindowReport } from "../continuous/window-report.js";
import type { WindowModelStats } from "../continuous/window-stats.js";

/** What the gauges read at each scrape: a window monitor fits (`startWindowMonitor`). */
export interface WindowSource {
  /** The last window reported; undefined before the first. */
  readonly latest: WindowReport | undefined;
  /** Alerts firing now, per task × model. */
  firing(): readonly { readonly alert: string; readonly task: string; readonly model: string }[];
}

export interface WindowGaugesOptions {
  /** The run's `--alert` texts: each gets a series per task × model, 0 unless firing. */
  readonly alerts?: readonly string[];
  /** Metric name prefix (default `streameval_`). */
  readonly prefix?: string;
}

const QUANTILES = [
  ["p50", "0.5"],
  ["p90", "0.9"],
  ["p99", "0.99"],
  ["max", "1"],
] as const;
const LATENCIES = ["ttft", "tpot", "e2e", "queue"] as const;

type Cell = { readonly task: string; readonly model: string; readonly stats: WindowModelStats };

/**
 * Gauges of the last completed window (`--continuous` with `--metrics-port`), per task × model, read
 * from `source` at each scrape so they always equal the last window line:
 * - `window_metric{task,model,metric}`, `window_metric_stderr{…}`, `window_metric_n{…}`: every metric key;
 * - `window_samples{task,model,status}` (ok, error), `window_error_rate{task,model}`;
 * - `window_latency_seconds{task,model,latency,quantile}`: ttft/tpot/e2e/queue at 0.5, 0.9, 0.99, 1 (max);
 * - `window_cost_usd{task,model}`, `window_cost_per_hour_usd{task,model}`;
 * - `window_index`, `window_end_seconds` (Unix time): which window the values are of (both 0 before
 *   the first window ends: prom-client shows a gauge without labels as 0);
 * - `alert_firing{alert,task,model}`: 1 while the alert holds for that task × model, else 0.
 * A value the window line has as null (no ok result, unknown price) has no series. Nothing is
 * exported per task × model before the first window ends. Memory: the series of one window.
 */
export function registerWindowGauges(registry: Registry, source: WindowSource, options: WindowGaugesOptions = {}): void {
  const p = options.prefix ?? "streameval_";
  const alerts = options.alerts ?? [];
  const registers = [registry];
  const tm = ["task", "model"];
  /** A gauge refilled from the latest window at every scrape (reset first: stale series go). */
  const gauge = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, v: number | null) => void, w: WindowReport, cells: Cell[]) => void) =>
    new (prom().Gauge)({
      name: `${p}${name}`,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        const w = source.latest;
        if (!w) return;
        fill((labels, v) => (v === null ? undefined : this.set(labels, v)), w, cellsOf(w));
      },
    });

  gauge("window_index", "Index of the window the window_* gauges are of (0, 1, 2 … in this process)", [], (set, w) => set({}, w.index));
  gauge("window_end_seconds", "End of that window, Unix time in seconds", [], (set, w) => set({}, Date.parse(w.end) / 1000));
  gauge("window_metric", "Metric value over the window's ok results", [...tm, "metric"], (set, _, cells) => {
    for (const { task, model, stats } of cells) for (const [metric, v] of Object.entries(stats.metrics)) set({ task, model, metric }, v.value);
  });
  gauge("window_metric_stderr", "Standard error of the metric value (lm-evaluation-harness's)", [...tm, "metric"], (set, _, cells) => {
    for (const { task, model, stats } of cells) for (const [metric, v] of Object.entries(stats.metrics)) set({ task, model, metric }, v.stderr);
  });
  gauge("window_metric_n", "Results the metric value is over", [...tm, "metric"], (set, _, cells) => {
    for (const { task, model, stats } of cells) for (const [metric, v] of Object.entries(stats.metrics)) set({ task, model, metric }, v.n);
  });
  gauge("window_samples", "Results in the window, by status", [...tm, "status"], (set, _, cells) => {
    for (const { task, model, stats } of cells) {
      set({ task, model, status: "ok" }, stats.samples.ok);
      set({ task, model, status: "error" }, stats.samples.error);
    }
  });
  gauge("window_error_rate", "Errors / results in the window", tm, (set, _, cells) => {
    for (const { task, model, stats } of cells) set({ task, model }, stats.error_rate);
  });
  gauge("window_latency_seconds", "Latency percentiles of the window's ok results (quantile 1 is the max)", [...tm, "latency", "quantile"], (set, _, cells) => {
    for (const { task, model, stats } of cells) {
      for (const latency of LATENCIES) {
        const pct = stats.latency_ms[latency];
        for (const [key, quantile] of QUANTILES) set({ task, model, latency, quantile }, pct[key] === null ? null : pct[key] / 1000);
      }
    }
  });
  gauge("window_cost_usd", "Cost of the window's results in USD", tm, (set, _, cells) => {
    for (const { task, model, stats } of cells) set({ task, model }, stats.cost_usd);
  });
  gauge("window_cost_per_hour_usd", "The window's cost over its span, in USD per hour", tm, (set, _, cells) => {
    for (const { task, model, stats } of cells) set({ task, model }, stats.cost_per_hour_usd);
  });
  gauge("alert_firing", "1 while the --alert holds for the task and model (as of the last window), else 0", ["alert", ...tm], (set, _, cells) => {
    const firing = new Set(source.firing().map((f) => JSON.stringify([f.alert, f.task, f.model])));
    for (const alert of alerts) for (const { task, model } of cells) set({ alert, task, model }, firing.has(JSON.stringify([alert, task, model])) ? 1 : 0);
  });
}

/** Every task × model of a window (`tasks` holds them all; `models` is the first task's). */
function cellsOf(w: WindowReport): Cell[] {
  const cells: Cell[] = [];
  for (const [task, t] of Object.entries(w.tasks)) for (const [model, stats] of Object.entries(t.models)) cells.push({ task, model, stats });
  return cells;
}
