/** Continuous evaluation: rolling windows over result lines, alerts on them, and their parts. */
export { timeWindows, type TimeWindowsOptions } from "./time-windows.js";
export { countWindows, type CountWindowsOptions } from "./count-windows.js";
export { rollingWindows } from "./rolling-windows.js";
export { freshResults } from "./fresh-results.js";
export { watchAlerts, type AlertEvent } from "./watch-alerts.js";
export { startWindowMonitor, type WindowMonitor, type WindowMonitorOptions } from "./window-monitor.js";
export { parseAlert, type AlertRule, type AlertNode, type AlertSubject } from "./alert-expression.js";
export { evaluateAlert, resolveAlertMetrics, metricKeysOf, type AlertOutcome } from "./alert-eval.js";
export { parseWindowSpec, describeWindowSpec, type WindowSpec } from "./window-spec.js";
export { WindowStats, windowScope, type WindowScope, type WindowModelStats } from "./window-stats.js";
export type { WindowReport } from "./window-report.js";
export { CONTINUOUS_MAX_IDS } from "./limits.js";
