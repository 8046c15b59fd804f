import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Writable } from "node:stream";
import type { SchedulerLike } from "rxjs";
import type { ContinuousConfig } from "../config/continuous-config.js";
import { metricKeysOf, resolveAlertMetrics } from "../continuous/alert-eval.js";
import type { AlertEvent } from "../continuous/watch-alerts.js";
import { startWindowMonitor, type WindowMonitor } from "../continuous/window-monitor.js";
import { windowScope } from "../continuous/window-stats.js";
import type { EvalEvent } from "../events.js";
import type { Summary } from "../summary/summary.js";
import type { Task } from "../work/task.js";
import { ExitCode } from "./exit-codes.js";

export interface ContinuousSessionOptions {
  readonly config: ContinuousConfig;
  readonly tasks: readonly Task[];
  readonly models: readonly string[];
  /** Where alert notes go (and window lines, without --metrics-out). */
  readonly stderr: Writable;
  /** Stops the run gracefully (no new samples; in flight finish): `--exit-on-alert`. */
  readonly stop: () => void;
  readonly scheduler?: SchedulerLike;
}

/** The windows, alerts and metrics file of one `streameval run`, fed from its events. */
export interface ContinuousSession {
  readonly monitor: WindowMonitor;
  add(event: EvalEvent): void;
  /** Reports the last partial window, then closes the metrics file. */
  close(): Promise<void>;
  /** The exit code of a run with these settings (see README "Continuous evaluation"). */
  exitCode(summary: Summary, aborted: boolean, batchCode: number): number;
}

/**
 * Opens `--metrics-out` (appended to, so a restarted run continues the same history), checks the
 * alerts' metrics against the tasks (a typo fails now, exit 2) and starts the window monitor. Window
 * and alert lines are JSON lines; with a metrics file, alerts are also noted on stderr.
 */
export async function openContinuousSession(options: ContinuousSessionOptions): Promise<ContinuousSession> {
  const { config, stderr } = options;
  const keys = metricKeysOf(options.tasks);
  const alerts = config.alerts.map((rule) => resolveAlertMetrics(rule, keys));
  let file: Writable | undefined;
  if (config.metricsOut) {
    await mkdir(dirname(config.metricsOut), { recursive: true });
    file = createWriteStream(config.metricsOut, { flags: "a" });
  }
  const out = file ?? stderr;
  let alerted = false;

  const onAlert = (event: AlertEvent) => {
    out.write(`${JSON.stringify(event)}\n`);
    if (file) stderr.write(`alert ${event.state}: ${event.alert} (task ${event.task}, model ${event.model}, window ${event.window.index}: ${describeValues(event.values)})\n`);
    if (event.state === "firing" && config.exitOnAlert && !alerted) {
      alerted = true;
      stderr.write(`stopping: alert fired with --exit-on-alert (exit code ${ExitCode.alert} once samples in flight finish)\n`);
      options.stop();
    }
  };
  const monitor = startWindowMonitor({
    window: config.window,
    scope: windowScope(options.tasks, options.models),
    alerts,
    scheduler: options.scheduler,
    onWindow: (report) => out.write(`${JSON.stringify(report)}\n`),
    onAlert,
  });

  return {
    monitor,
    add: (event) => monitor.add(event),
    close: async () => {
      monitor.end();
      if (file) {
        const f = file;
        await new Promise<void>((resolve, reject) => f.end((error?: Error | null) => (error ? reject(error) : resolve())));
      }
    },
    exitCode: (summary, aborted, batchCode) => {
      if (alerted) return ExitCode.alert;
      if (!config.endless || summary.stopped === "fatal" || summary.stopped === "budget") return batchCode;
      // An endless run ends by a signal or by its input closing: both are its normal end. Failed
      // samples are figures of the windows (alert on error_rate), not a reason to fail the process.
      return aborted ? ExitCode.interrupted : ExitCode.ok;
    },
  };
}

function describeValues(values: Record<string, number | null>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v === null ? "none" : Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(", ");
}
