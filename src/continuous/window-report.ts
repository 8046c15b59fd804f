import type { WindowModelStats, WindowStats, WindowTotals } from "./window-stats.js";

/**
 * One window, as written to `--metrics-out` (one JSON line each). Counts cover the results scored in
 * [start, end): a time window by the clock, a count window from the end of the window before it.
 * `models` is the first task's, `tasks` every task's, as in the summary.
 */
export interface WindowReport extends WindowTotals {
  readonly type: "window";
  /** 0, 1, 2 … in this process. */
  readonly index: number;
  readonly kind: "time" | "count";
  /** ISO 8601 times of the window's bounds. */
  readonly start: string;
  readonly end: string;
  readonly duration_s: number;
  /** The last window of a run that stopped (input closed, SIGTERM) before the window was full. */
  readonly partial: boolean;
  readonly models: Record<string, WindowModelStats>;
  readonly tasks: Record<string, { models: Record<string, WindowModelStats> }>;
  /** Alerts that hold in this window ("exact_match,strict-match < 0.7" …), added by `watchAlerts`. */
  readonly alerts?: readonly string[];
}

/** Where and what a window is. Times are the scheduler's milliseconds (epoch ms for the real one). */
export interface WindowBounds {
  readonly index: number;
  readonly kind: "time" | "count";
  readonly startMs: number;
  readonly endMs: number;
  readonly partial: boolean;
}

/** The report line of `stats` over `bounds`. */
export function windowReport(stats: WindowStats, bounds: WindowBounds): WindowReport {
  const span = Math.max(0, bounds.endMs - bounds.startMs);
  const { totals, models, tasks } = stats.report(span);
  return {
    type: "window",
    index: bounds.index,
    kind: bounds.kind,
    start: new Date(bounds.startMs).toISOString(),
    end: new Date(bounds.endMs).toISOString(),
    duration_s: span / 1000,
    partial: bounds.partial,
    ...totals,
    models,
    tasks,
  };
}
