import type { Registry } from "prom-client";
import { ConfigError } from "../errors/config-error.js";
import type { EvalEvent } from "../events.js";
import { startMetricsServer } from "./metrics-server.js";
import type { ProcessMeter } from "./process-meter.js";
import { createRunMetrics } from "./run-metrics.js";

export interface ServedRunMetrics {
  /** Where to scrape, e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  /** The registry served, for gauges of other parts of the run (window gauges). */
  readonly registry: Registry;
  /** Folds one run event into the served metrics. */
  readonly add: (event: EvalEvent) => void;
  close(): Promise<void>;
}

/**
 * `--metrics-port P`: a fresh metrics registry served on 127.0.0.1:P, its process metrics read from
 * `process` (the run's meter). A port in use is a configuration error (exit 2), named by its flag.
 */
export async function serveRunMetrics(port: number, flag = "--metrics-port", process?: ProcessMeter): Promise<ServedRunMetrics> {
  const metrics = createRunMetrics(process ? { process } : {});
  try {
    const server = await startMetricsServer({ registry: metrics.registry, port });
    return { url: server.url, registry: metrics.registry, add: metrics.add, close: () => server.close() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      throw new ConfigError(`cannot serve metrics on 127.0.0.1:${port} (${code === "EADDRINUSE" ? "port in use" : "permission denied"})`, { key: flag });
    }
    throw error;
  }
}
