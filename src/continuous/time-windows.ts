import { asyncScheduler, Observable, type OperatorFunction, type SchedulerAction, type SchedulerLike } from "rxjs";
import type { ResultLine } from "../types.js";
import { PaneRing } from "./pane-ring.js";
import type { WindowReport } from "./window-report.js";
import { checkWindowSpec } from "./window-spec.js";
import type { WindowScope } from "./window-stats.js";

export interface TimeWindowsOptions extends WindowScope {
  /** Window length in milliseconds. */
  readonly sizeMs: number;
  /** A window ends every `slideMs` (default `sizeMs`: tumbling); must divide `sizeMs`. */
  readonly slideMs?: number;
  /** Clock and timer (default asyncScheduler; a TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups result lines into windows by the scheduler's clock and emits one WindowReport as each
 * window ends: windows end at start + size, then every slide (start = subscription time), and each
 * covers the `sizeMs` before its end. A window with no result is still reported (zero counts: the
 * stream is alive but idle). When the source completes, the results not yet reported (if any) are
 * emitted as a last `partial` window ending then, and the output completes. Errors pass through.
 *
 * Memory: size / slide panes of accumulators, allocated at subscription and reused; nothing is kept
 * per result. A late timer (a blocked event loop) closes every window it passed, with their nominal
 * bounds.
 *
 * ```ts
 * results$.pipe(timeWindows({ sizeMs: 60_000, tasks, models })).subscribe((w) => write(JSON.stringify(w)));
 * ```
 */
export function timeWindows(options: TimeWindowsOptions): OperatorFunction<ResultLine, WindowReport> {
  const { sizeMs, slideMs = options.sizeMs } = options;
  const problem = checkWindowSpec({ kind: "time", sizeMs, slideMs });
  if (problem) throw new RangeError(problem);
  const scheduler = options.scheduler ?? asyncScheduler;
  const scope: WindowScope = { tasks: options.tasks, models: options.models };

  return (source) =>
    new Observable<WindowReport>((subscriber) => {
      const start = scheduler.now();
      const ring = new PaneRing(scope, sizeMs / slideMs, "time", start);
      let boundary = start + slideMs;
      const timer = scheduler.schedule(function (this: SchedulerAction<undefined>) {
        const now = scheduler.now();
        while (now >= boundary) {
          const report = ring.close(boundary);
          boundary += slideMs;
          if (report) subscriber.next(report);
        }
        // Aim at the next boundary rather than `slideMs` from now, so windows do not drift.
        this.schedule(undefined, boundary - scheduler.now());
      }, slideMs);
      const subscription = source.subscribe({
        next: (line) => ring.add(line),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          timer.unsubscribe();
          const last = ring.flush(scheduler.now());
          if (last) subscriber.next(last);
          subscriber.complete();
        },
      });
      return () => {
        timer.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
