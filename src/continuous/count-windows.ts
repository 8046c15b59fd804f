import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from "rxjs";
import type { ResultLine } from "../types.js";
import { PaneRing } from "./pane-ring.js";
import type { WindowReport } from "./window-report.js";
import { checkWindowSpec } from "./window-spec.js";
import type { WindowScope } from "./window-stats.js";

export interface CountWindowsOptions extends WindowScope {
  /** Results per window (sample × model × repeat). */
  readonly size: number;
  /** A window ends every `slide` results (default `size`: tumbling); must divide `size`. */
  readonly slide?: number;
  /** Timestamps the bounds (default asyncScheduler). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups result lines into windows of `size` results and emits one WindowReport as each window
 * fills: after `size` results, then every `slide` results, each covering the last `size`. Bounds are
 * the scheduler's times: a window starts when the window (or slide) before it ended. When the source
 * completes, results not yet reported (if any) are emitted as a last `partial` window, and the output
 * completes. Errors pass through. Deterministic: the same results give the same windows.
 *
 * Memory: size / slide panes of accumulators, allocated once and reused; nothing is kept per result.
 */
export function countWindows(options: CountWindowsOptions): OperatorFunction<ResultLine, WindowReport> {
  const { size, slide = options.size } = options;
  const problem = checkWindowSpec({ kind: "count", size, slide });
  if (problem) throw new RangeError(problem);
  const scheduler = options.scheduler ?? asyncScheduler;
  const scope: WindowScope = { tasks: options.tasks, models: options.models };

  return (source) =>
    new Observable<WindowReport>((subscriber) => {
      const ring = new PaneRing(scope, size / slide, "count", scheduler.now());
      return source.subscribe({
        next: (line) => {
          ring.add(line);
          if (ring.openCount < slide) return;
          const report = ring.close(scheduler.now());
          if (report) subscriber.next(report);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          const last = ring.flush(scheduler.now());
          if (last) subscriber.next(last);
          subscriber.complete();
        },
      });
    });
}
