import type { EvalEvent } from "../events.js";
import { createProcessSampler, type ProcessSampler, type ProcessSamplerOptions, type ProcessStats } from "./process-sampler.js";
import { type RunThroughput, ThroughputMeter } from "./throughput.js";

export interface RunObserverOptions {
  /** Monotonic milliseconds (the run's clock). */
  readonly now?: () => number;
  /** The process sampler's timer and probe (tests inject them); `false` leaves the process unsampled. */
  readonly process?: Omit<ProcessSamplerOptions, "now"> | false;
}

/** What the observer adds to the summary. */
export interface RunObservation {
  readonly throughput: RunThroughput;
  /** Absent when the process was not sampled. */
  readonly process?: ProcessStats;
}

export interface RunObserver {
  /** Starts sampling the process. */
  start(): void;
  add(event: EvalEvent): void;
  /** Stops sampling; the observation covers start to stop. Idempotent. */
  stop(): RunObservation;
}

/**
 * The run-level instruments in one place: aggregate throughput (folded from request events) and the
 * process sampler (RSS, heap, CPU, event-loop delay), reported together in the summary.
 */
export function createRunObserver(options: RunObserverOptions = {}): RunObserver {
  const now = options.now ?? (() => performance.now());
  const meter = new ThroughputMeter(now);
  const sampler: ProcessSampler | undefined = options.process === false ? undefined : createProcessSampler({ ...options.process, now });
  let result: RunObservation | undefined;
  return {
    start: () => sampler?.start(),
    add: (event) => meter.add(event),
    stop() {
      if (result) return result;
      sampler?.stop();
      result = { throughput: meter.stats(now()), ...(sampler ? { process: sampler.stats() } : {}) };
      return result;
    },
  };
}
