import type { EvalEvent } from "../events.js";
import type { ProcessMeter, ProcessStats } from "./process-meter.js";
import { type RunThroughput, ThroughputMeter } from "./throughput.js";

export interface RunObserverOptions {
  /** Monotonic milliseconds (the run's clock). */
  readonly now?: () => number;
  /**
   * The run's process meter, shared with the summary's `resources` (the observer starts and stops
   * it; both are idempotent). Absent: the process is not reported.
   */
  readonly process?: ProcessMeter;
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
 * process meter's stats (RSS, heap, CPU, event-loop delay), reported together in the summary.
 */
export function createRunObserver(options: RunObserverOptions = {}): RunObserver {
  const now = options.now ?? (() => performance.now());
  const meter = new ThroughputMeter(now);
  const processMeter = options.process;
  let result: RunObservation | undefined;
  return {
    start: () => processMeter?.start(),
    add: (event) => meter.add(event),
    stop() {
      if (result) return result;
      processMeter?.stop();
      result = { throughput: meter.stats(now()), ...(processMeter ? { process: processMeter.stats() } : {}) };
      return result;
    },
  };
}
