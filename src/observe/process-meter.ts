import { monitorEventLoopDelay } from "node:perf_hooks";

/** One reading of the process, in the units Node gives: bytes, CPU microseconds, loop delay nanoseconds. */
export interface ProcessReading {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Cumulative CPU time of the process since it started. */
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
  /** The OS's peak RSS of the process so far (getrusage), which catches spikes between readings. */
  readonly maxRssBytes?: number;
}

/** Event-loop delay since the probe started (nanoseconds), as perf_hooks' histogram reports it. */
export interface LoopDelay {
  readonly p50Nanos: number;
  readonly p99Nanos: number;
  readonly maxNanos: number;
  readonly meanNanos: number;
}

/** Where readings come from: the real process by default, a script in tests. */
export interface ProcessProbe {
  read(): ProcessReading;
  /** Null when the probe cannot measure loop delay (or measured none yet). */
  loopDelay(): LoopDelay | null;
  /** Frees what the probe holds (the loop-delay monitor). */
  close(): void;
}

/** Calls `tick` every `ms` until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void;

export interface ProcessMeterOptions {
  /** Between readings (default 1000). */
  readonly intervalMs?: number;
  /** Monotonic milliseconds (default performance.now). */
  readonly now?: () => number;
  /** The timer (default setInterval, unref'd so it never keeps the process alive). */
  readonly every?: Every;
  readonly probe?: ProcessProbe;
}

/** What the summary reports about the process: peaks over the run, and CPU use. */
export interface ProcessStats {
  /** Readings taken, the first (at start) and the last (at stop) included. */
  readonly samples: number;
  readonly rss_mb: { readonly peak: number; readonly last: number };
  readonly heap_used_mb: { readonly peak: number; readonly last: number };
  /** CPU seconds spent by the process during the run. */
  readonly cpu_s: { readonly user: number; readonly system: number };
  /** Share of one core: `mean` over the run, `peak` over one interval. 200 = both cores of a 2-core box. */
  readonly cpu_percent: { readonly mean: number; readonly peak: number };
  /** Null when loop delay could not be measured. */
  readonly event_loop_delay_ms: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number } | null;
}

/** The summary's `resources` figures for the machine, from the same readings as `ProcessStats`. */
export interface MachineUsage {
  /** From the first reading to the last. */
  readonly wall_s: number;
  readonly cpu_user_s: number;
  readonly cpu_system_s: number;
  /** The process's peak resident set size, in MB (the same figure as `ProcessStats.rss_mb.peak`). */
  readonly peak_rss_mb: number;
}

/** The latest reading, with the CPU share over the interval that ended with it (what progress and Prometheus show). */
export interface ProcessNow {
  readonly reading: ProcessReading;
  /** Share of one core over the last interval; null after a single reading. */
  readonly cpuPercent: number | null;
}

export interface ProcessMeter {
  /** Takes the first reading and starts the timer. Idempotent. */
  start(): void;
  /** Takes a last reading, stops the timer and frees the probe. Idempotent. */
  stop(): void;
  /** Takes a reading now (the timer calls this). */
  sample(): void;
  /** Stats so far (peaks, CPU since start). Zeros before the first reading. */
  stats(): ProcessStats;
  /** Wall time, CPU and peak RSS so far, for the summary's `resources`. */
  usage(): MachineUsage;
  /** The latest reading (no new one is taken); undefined before the first. */
  latest(): ProcessNow | undefined;
}

/**
 * The one meter of the process: the summary's `process` and `resources`, the progress line's RSS and
 * CPU, and the Prometheus process gauges all read it, so they never disagree.
 * Samples the process every `intervalMs`: RSS, heap, CPU (process.cpuUsage) and event-loop delay
 * (perf_hooks.monitorEventLoopDelay). Memory is constant: it keeps peaks and the last reading, not
 * a series. Time and readings are injected, so tests drive it with a virtual clock.
 */
export function createProcessMeter(options: ProcessMeterOptions = {}): ProcessMeter {
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`Expected \`intervalMs\` to be a number > 0, got ${intervalMs}`);
  }
  const now = options.now ?? (() => performance.now());
  const every = options.every ?? intervalEvery;
  let probe: ProcessProbe | undefined = options.probe;

  let state: "idle" | "running" | "stopped" = "idle";
  let cancel: (() => void) | undefined;
  let first: { at: number; r: ProcessReading } | undefined;
  let prev: { at: number; r: ProcessReading } | undefined;
  let samples = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let peakCpu = 0;
  let lastCpu: number | null = null;
  let finalDelay: LoopDelay | null = null;

  const sample = () => {
    if (!probe) return;
    const at = now();
    const r = probe.read();
    samples++;
    peakRss = Math.max(peakRss, r.rssBytes, r.maxRssBytes ?? 0);
    peakHeap = Math.max(peakHeap, r.heapUsedBytes);
    if (prev && at > prev.at) {
      lastCpu = cpuPercent(prev.r, r, at - prev.at);
      peakCpu = Math.max(peakCpu, lastCpu);
    }
    first ??= { at, r };
    prev = { at, r };
  };

  /** Wall milliseconds and CPU seconds between the first reading and the last. */
  const spent = () => {
    const last = prev?.r;
    return {
      span: first && prev ? prev.at - first.at : 0,
      user: first && last ? (last.cpuUserMicros - first.r.cpuUserMicros) / 1e6 : 0,
      system: first && last ? (last.cpuSystemMicros - first.r.cpuSystemMicros) / 1e6 : 0,
    };
  };

  return {
    start() {
      if (state !== "idle") return;
      state = "running";
      probe ??= nodeProbe();
      sample();
      cancel = every(intervalMs, sample);
    },
    stop() {
      if (state !== "running") return;
      state = "stopped";
      cancel?.();
      sample();
      finalDelay = probe?.loopDelay() ?? null;
      probe?.close();
      probe = undefined;
    },
    sample,
    latest: () => (prev ? { reading: prev.r, cpuPercent: lastCpu === null ? null : round(lastCpu, 1) } : undefined),
    usage() {
      const { span, user, system } = spent();
      return { wall_s: round(span / 1000, 3), cpu_user_s: round(user, 3), cpu_system_s: round(system, 3), peak_rss_mb: mb(peakRss) };
    },
    stats() {
      const last = prev?.r;
      const { span, user, system } = spent();
      const delay = state === "stopped" ? finalDelay : (probe?.loopDelay() ?? null);
      return {
        samples,
        rss_mb: { peak: mb(peakRss), last: mb(last?.rssBytes ?? 0) },
        heap_used_mb: { peak: mb(peakHeap), last: mb(last?.heapUsedBytes ?? 0) },
        cpu_s: { user: round(user, 3), system: round(system, 3) },
        cpu_percent: { mean: span > 0 ? round((100 * (user + system) * 1000) / span, 1) : 0, peak: round(peakCpu, 1) },
        event_loop_delay_ms: delay
          ? { p50: ms(delay.p50Nanos), p99: ms(delay.p99Nanos), max: ms(delay.maxNanos), mean: ms(delay.meanNanos) }
          : null,
      };
    },
  };
}

/** CPU used between two readings, as a percentage of one core over `wallMs`. */
export function cpuPercent(before: ProcessReading, after: ProcessReading, wallMs: number): number {
  const micros = after.cpuUserMicros - before.cpuUserMicros + (after.cpuSystemMicros - before.cpuSystemMicros);
  return wallMs > 0 ? (100 * micros) / (wallMs * 1000) : 0;
}

/** The real process: memoryUsage, cpuUsage, and a loop-delay monitor at 10 ms resolution. */
export function nodeProbe(): ProcessProbe {
  const monitor = monitorEventLoopDelay({ resolution: 10 });
  monitor.enable();
  return {
    read() {
      const m = process.memoryUsage();
      const c = process.cpuUsage();
      const maxRssBytes = process.resourceUsage().maxRSS * 1024;
      return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, cpuUserMicros: c.user, cpuSystemMicros: c.system, maxRssBytes };
    },
    loopDelay() {
      // An empty histogram reports min as a huge sentinel and a NaN mean: treat it as "none yet".
      if (monitor.count === 0 || !Number.isFinite(monitor.mean)) return null;
      return { p50Nanos: monitor.percentile(50), p99Nanos: monitor.percentile(99), maxNanos: monitor.max, meanNanos: monitor.mean };
    },
    close() {
      monitor.disable();
    },
  };
}

const intervalEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mb = (bytes: number): number => round(bytes / 1048576, 1);
const ms = (nanos: number): number => round(nanos / 1e6, 2);
