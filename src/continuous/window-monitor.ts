import { type SchedulerLike, Subject } from "rxjs";
import type { EvalEvent } from "../events.js";
import type { AlertRule } from "./alert-expression.js";
import { freshResults } from "./fresh-results.js";
import { rollingWindows } from "./rolling-windows.js";
import { type AlertEvent, watchAlerts } from "./watch-alerts.js";
import type { WindowReport } from "./window-report.js";
import type { WindowSpec } from "./window-spec.js";
import type { WindowScope } from "./window-stats.js";

export interface WindowMonitorOptions {
  readonly window: WindowSpec;
  readonly scope: WindowScope;
  readonly alerts?: readonly AlertRule[];
  /** Clock and timer for time windows (default asyncScheduler). */
  readonly scheduler?: SchedulerLike;
  /** Each window as it ends (the last one partial when the run ends mid-window). */
  readonly onWindow?: (report: WindowReport) => void;
  /** Each alert state change, right after the window it was found in. */
  readonly onAlert?: (event: AlertEvent) => void;
}

export interface WindowMonitor {
  /** Folds one run event: results scored by this process count, everything else is ignored. */
  add(event: EvalEvent): void;
  /** The run is over: reports the last partial window (if any result is unreported) and stops the timer. Idempotent. */
  end(): void;
  /** The last window reported, for a metrics endpoint; undefined before the first. */
  readonly latest: WindowReport | undefined;
  /** Alerts firing now, per task × model (bounded by alerts × tasks × models). */
  firing(): { alert: string; task: string; model: string }[];
}

/**
 * Rolling windows and alerts over a run's event stream, for a caller that folds events one by one
 * (`runEvaluation`'s `onEvent`, the CLI). The same as piping `evaluate()`'s events through
 * `freshResults()`, `rollingWindows()` and `watchAlerts()`; it starts at once (time windows count
 * from now).
 */
export function startWindowMonitor(options: WindowMonitorOptions): WindowMonitor {
  const events = new Subject<EvalEvent>();
  let latest: WindowReport | undefined;
  const firing = new Map<string, { alert: string; task: string; model: string }>();
  events.pipe(freshResults(), rollingWindows(options.window, options.scope, options.scheduler), watchAlerts(options.alerts ?? [])).subscribe((item) => {
    if (item.type === "window") {
      latest = item;
      options.onWindow?.(item);
    } else {
      const key = JSON.stringify([item.alert, item.task, item.model]);
      if (item.state === "firing") firing.set(key, { alert: item.alert, task: item.task, model: item.model });
      else firing.delete(key);
      options.onAlert?.(item);
    }
  });
  return {
    add: (event) => events.next(event),
    end: () => events.complete(),
    get latest() {
      return latest;
    },
    firing: () => [...firing.values()],
  };
}
