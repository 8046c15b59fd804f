import type { Registry } from "prom-client";
import { prom } from "./prom.js";
import type { ProcessMeter } from "./process-meter.js";

/**
 * The process's Prometheus metrics, read at each scrape from the run's one process meter (so they show
 * what the summary and the progress line show), under prom-client's usual names so dashboards built
 * on its default metrics keep working:
 * - `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_heap_size_total_bytes`: the
 *   latest reading; `process_resident_memory_peak_bytes`: the peak RSS over the run (the summary's).
 * - `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total`, `process_cpu_seconds_total`:
 *   CPU time since the process started, as of the latest reading.
 * - `process_cpu_percent`: share of one core over the meter's last interval (200 = two full cores).
 * - `nodejs_eventloop_lag_{p50,p99,max,mean}_seconds`: event-loop delay since the meter started.
 * Each shows 0 before the meter's first reading.
 */
export function registerProcessGauges(registry: Registry, meter: ProcessMeter): void {
  const registers = [registry];
  const gauge = (name: string, help: string, value: () => number | undefined) =>
    new (prom().Gauge)({
      name,
      help,
      registers,
      collect() {
        const v = value();
        if (v === undefined) this.reset();
        else this.set(v);
      },
    });
  const counter = (name: string, help: string, value: () => number | undefined) =>
    new (prom().Counter)({
      name,
      help,
      registers,
      collect() {
        this.reset();
        const v = value();
        if (v !== undefined) this.inc(v);
      },
    });
  const reading = () => meter.latest()?.reading;
  const lag = () => meter.stats().event_loop_delay_ms ?? undefined;
  gauge("process_resident_memory_bytes", "Resident memory size in bytes (latest reading)", () => reading()?.rssBytes);
  gauge("process_resident_memory_peak_bytes", "Peak resident memory size in bytes over the run", () => (meter.latest() ? meter.stats().rss_mb.peak * 1048576 : undefined));
  gauge("nodejs_heap_size_used_bytes", "V8 heap used in bytes (latest reading)", () => reading()?.heapUsedBytes);
  gauge("nodejs_heap_size_total_bytes", "V8 heap size in bytes (latest reading)", () => reading()?.heapTotalBytes);
  counter("process_cpu_user_seconds_total", "User CPU time spent in seconds", () => micros(reading()?.cpuUserMicros));
  counter("process_cpu_system_seconds_total", "System CPU time spent in seconds", () => micros(reading()?.cpuSystemMicros));
  counter("process_cpu_seconds_total", "User and system CPU time spent in seconds", () => {
    const r = reading();
    return r ? micros(r.cpuUserMicros + r.cpuSystemMicros) : undefined;
  });
  gauge("process_cpu_percent", "Share of one core over the meter's last interval, in percent", () => meter.latest()?.cpuPercent ?? undefined);
  for (const [key, help] of [["p50", "median"], ["p99", "99th percentile"], ["max", "maximum"], ["mean", "mean"]] as const) {
    gauge(`nodejs_eventloop_lag_${key}_seconds`, `Event-loop delay, ${help}, in seconds`, () => {
      const l = lag();
      return l ? l[key] / 1000 : undefined;
    });
  }
}

const micros = (m: number | undefined): number | undefined => (m === undefined ? undefined : m / 1e6);
