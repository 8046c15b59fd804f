import type { CostSummary } from "../cost/cost-ledger.js";
import type { RunResources } from "../cost/run-accounting.js";
import type { ModelReliability } from "../reliability/reliability-stats.js";
import type { ProcessStats } from "../observe/process-meter.js";
import type { RunThroughput } from "../observe/throughput.js";
import type { Percentiles } from "./latency.js";

/** A metric aggregated over a task's samples: its value, standard error (null where undefined) and sample count. */
export interface MetricValue {
  readonly value: number;
  readonly stderr: number | null;
  readonly n: number;
  /** Why the value could not be computed (a Python aggregation that raised); `value` is then NaN (null in JSON). */
  readonly error?: string;
}

/** One model's results on one task: sample counts, each metric's value with its stderr, latency, cost. */
export interface ModelSummary {
  samples: { total: number; ok: number; error: number; resumed: number; changed: number; cached: number; rejected: number };
  metrics: Record<string, MetricValue>;
  usage: { prompt_tokens: number; completion_tokens: number; requests: number; retries: number };
  /** Null when some reply had no known price. */
  cost_usd: number | null;
  latency_ms: { ttft: Percentiles; tpot: Percentiles; e2e: Percentiles; queue: Percentiles };
  /** Per-request output tokens / E2E, of ok results. */
  output_tokens_per_s?: Percentiles;
  errors: Record<string, number>;
  /** Attempts, retries by cause, breaker trips and open time, fallbacks, failed samples (the model, across tasks). */
  reliability?: ModelReliability;
}

/** Why a run stopped before its input ended: the budget, an interrupt, or a fatal error. */
export type StopReason = "budget" | "interrupted" | "fatal";

/** The summary contract of DESIGN.md. `models` is the first task's; `tasks` has every task. */
export interface Summary {
  run: string;
  task: string;
  stopped: StopReason | null;
  stop_message?: string;
  models: Record<string, ModelSummary>;
  tasks: Record<string, { models: Record<string, ModelSummary> }>;
  /** With several tasks: every task together, per model (metrics pooled as lm-eval pools a group). */
  overall?: { models: Record<string, OverallModelSummary> };
  /** Each group of the run's group files, aggregated as lm-eval aggregates it (see groups.ts). */
  groups?: Record<string, GroupSummary>;
  rejected: number;
  duplicates: number;
  wall_s: number;
  /** Totals per model, task and helper, cost per correct answer, and the budget (see CostSummary). */
  cost?: CostSummary;
  /** Wall time, CPU, peak RSS, requests, retries and HTTP bytes of the run. */
  resources?: RunResources;
  /** Requests/s, output tokens/s and achieved concurrency, for the run and per model (src/observe). */
  throughput?: RunThroughput;
  /** The process during the run: peak RSS and heap, CPU, event-loop delay (src/observe). */
  process?: ProcessStats;
}

/** Every task of a run together, per model: sample counts summed, metrics pooled over the tasks that have them. */
export interface OverallModelSummary {
  samples: { total: number; ok: number; error: number; resumed: number };
  metrics: Record<string, MetricValue>;
  cost_usd: number | null;
}

/** A group's results (groups.ts): per model, its aggregated metrics; `metrics` is the first model's. */
export interface GroupSummary {
  alias?: string;
  tasks: string[];
  metrics: Record<string, MetricValue>;
  models: Record<string, { metrics: Record<string, MetricValue> }>;
}
