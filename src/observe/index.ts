/**
 * `streameval/observe`: what the run measures (request timing, throughput, the process) and its
 * Prometheus metrics, for code that folds the event stream itself.
 */
export { requestTiming, outputTokens, type MeasuredReply } from "./request-timing.js";
export { ThroughputMeter, type ThroughputStats, type RunThroughput } from "./throughput.js";
export { createProcessMeter, nodeProbe, type ProcessMeter, type ProcessStats, type ProcessProbe, type ProcessNow, type MachineUsage } from "./process-meter.js";
export { registerProcessGauges } from "./process-gauges.js";
export { createRunObserver, type RunObserver, type RunObservation } from "./run-observer.js";
export { createRunMetrics, type RunMetrics, type RunMetricsOptions } from "./run-metrics.js";
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from "./metrics-server.js";
export { registerWindowGauges, type WindowSource, type WindowGaugesOptions } from "./window-gauges.js";
export { LiveLatency } from "./live-latency.js";
