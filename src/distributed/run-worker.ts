import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { QueueClient } from "../queue/queue-client.js";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { BudgetLimits } from "../cost/budget.js";
import { type EvalEvent, foldOf } from "../events.js";
import { QueueConsumer } from "../queue/queue-consumer.js";
import type { QueueDefinition } from "../queue/queue-definition.js";
import type { QueueKeys } from "../queue/queue-keys.js";
import { QueueResults } from "../queue/queue-results.js";
import { trimDelivered, trimResults } from "../queue/queue-trim.js";
import { SharedBudget } from "../queue/shared-budget.js";
import { SharedRateLimiter } from "../queue/shared-rate-limiter.js";
import type { EvaluateOptions, ModelTarget } from "../run.js";
import { runEvaluation } from "../run-evaluation.js";
import type { Summary } from "../summary/summary.js";
import type { Task } from "../work/task.js";
import { identifier, sampleKey } from "./sample-identity.js";

export interface WorkerOptions {
  /** For commands and scripts. */
  readonly redis: QueueClient;
  /** A second connection, for blocking reads. */
  readonly blocking: QueueClient;
  readonly keys: QueueKeys;
  readonly definition: QueueDefinition;
  readonly tasks: readonly Task[];
  /** The models as this machine reaches them (its keys, its -c); their rpm/tpm are shared through Redis. */
  readonly models: readonly ModelTarget[];
  readonly judge?: ModelTarget;
  /** The run's routing rules (`--route`), Python hook workers and code sandbox, as `run` has them. */
  readonly routes?: EvaluateOptions["routes"];
  readonly countTokens?: EvaluateOptions["countTokens"];
  readonly hooks?: EvaluateOptions["hooks"];
  readonly codeSandbox?: EvaluateOptions["codeSandbox"];
  readonly repeats?: number;
  readonly repeatsAsN?: boolean;
  /** The run's hard limits, held in QueueClient for every worker together. */
  readonly budget?: BudgetLimits;
  /** Another worker's entries idle this long are claimed (default 60 000 ms). */
  readonly claimAfterMs?: number;
  /** This worker's name in the group (default host-pid-random). */
  readonly consumer?: string;
  /** Aborting stops taking samples; those held finish, and what is left is handed back. */
  readonly stopSignal?: AbortSignal;
  /** Aborting also cancels requests in flight. */
  readonly abortSignal?: AbortSignal;
  readonly connectTimeoutMs?: number;
  readonly onEvent?: (event: EvalEvent) => void;
  readonly clock?: Clock;
}

export interface WorkerResult {
  /** This worker's share of the run (its results, requests, cost). `collect` gives the whole run. */
  readonly summary: Summary;
  readonly consumer: string;
  /** The queue's shared budget is used up (by this worker or another). */
  readonly budgetExhausted: boolean;
  /** Samples this worker finished (acknowledged). */
  readonly done: number;
  /** Samples it held when it stopped, handed back to the others. */
  readonly handedBack: number;
}

/**
 * A queue worker: the same evaluation graph as `run` (runEvaluation), with the queue's stream as its
 * source and the queue's results as its checkpoint. Each delivered sample is evaluated on every model
 * and repeat; each result is written once per work key (idempotent), and the sample's entry is
 * acknowledged only when its last result is written. A sample claimed from a dead worker skips what
 * that worker had recorded. Rate limits and the budget are shared with every other worker through
 * Redis. Resolves when the queue is finished (or the budget is used up, or the worker is stopped).
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  const clock = options.clock ?? systemClock;
  const { redis, keys, definition } = options;
  const consumerName = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const claimAfterMs = options.claimAfterMs ?? 60_000;
  const consumer = new QueueConsumer({
    redis,
    blocking: options.blocking,
    keys,
    consumer: consumerName,
    claimAfterMs,
    continuous: definition.continuous,
    identify: identifier(options.tasks, definition.perSample, (definition.groups?.length ?? 0) > 0, definition.routed && options.routes ? { rules: options.routes, ...(options.countTokens ? { countTokens: options.countTokens } : {}) } : undefined),
    clock,
  });
  await consumer.ensureGroup();
  const budget = options.budget ? new SharedBudget(redis, keys, consumerName, options.budget, clock) : undefined;
  const models = options.models.map((m) => shareLimits(m, redis, keys, clock));

  // The heartbeat resets the idle time of held entries well within claimAfter. A worker counts as alive
  // for claimAfter, and at least 10 s: a live one stalled a moment (a loaded machine) must not have its
  // budget reservations charged as spent.
  const beatMs = Math.max(50, Math.min(5_000, claimAfterMs / 4));
  const aliveMs = Math.max(3 * beatMs, claimAfterMs, 10_000);
  const started = clock.epochMs();
  // CPU this worker has used since it started taking samples (seconds): what the queue and the evaluation cost it.
  const cpu0 = process.cpuUsage();
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage(cpu0);
    return Math.round((user + system) / 1000) / 1000;
  };
  const report = () => ({ host: hostname(), pid: process.pid, started_ms: started, delivered: consumer.delivered, cpu_s: cpuSeconds() });
  await consumer.heartbeat(aliveMs, report());
  let beating: Promise<void> = Promise.resolve();
  // With each beat, the samples every worker is done with leave the stream; a continuous queue's
  // results older than its retention leave too (every 30 s): a queue that never ends stays bounded.
  const retain = definition.retain;
  let lastResultsTrim = clock.now();
  const timer = setInterval(() => {
    beating = beating
      .then(async () => {
        await consumer.heartbeat(aliveMs, report());
        await trimDelivered(redis, keys);
        if (retain && clock.now() - lastResultsTrim >= RESULTS_TRIM_EVERY_MS) {
          lastResultsTrim = clock.now();
          await trimResults(redis, keys, retain);
        }
      })
      .catch(() => undefined);
  }, beatMs);

  const reading = new AbortController();
  const stop = () => reading.abort();
  options.stopSignal?.addEventListener("abort", stop, { once: true });
  if (options.stopSignal?.aborted) stop();
  // Acks run in the order results come, and all are sent before the worker leaves.
  let acks: Promise<void> = Promise.resolve();
  let summary: Summary;
  let handedBack: number;
  try {
    summary = await runEvaluation({
      input: consumer.lines(reading.signal),
      tasks: options.tasks,
      taskRequired: (definition.groups?.length ?? 0) > 0,
      models,
      ...(options.judge ? { judge: options.judge } : {}),
      ...(options.routes ? { routes: options.routes, countTokens: options.countTokens } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.codeSandbox ? { codeSandbox: options.codeSandbox } : {}),
      repeats: options.repeats,
      repeatsAsN: options.repeatsAsN,
      budget: options.budget,
      ...(budget ? { budgetAccount: budget } : {}),
      duplicates: false,
      checkpoint: new QueueResults(redis, keys),
      stopSignal: reading.signal,
      abortSignal: options.abortSignal,
      connectTimeoutMs: options.connectTimeoutMs,
      run: definition.run,
      clock,
      onEvent: (event) => {
        if (event.type === "result") {
          const { task, id } = foldOf(event);
          const key = sampleKey(task, id);
          acks = acks.then(() => consumer.settle(key));
        } else if (event.type === "reject") {
          const r = event.reject;
          acks = acks.then(() => consumer.rejected(r));
        } else if (event.type === "stopping") reading.abort();
        options.onEvent?.(event);
      },
    });
  } finally {
    options.stopSignal?.removeEventListener("abort", stop);
    clearInterval(timer);
    await beating;
    await acks;
    await budget?.flush();
    handedBack = await consumer.handBack(report());
    await trimDelivered(redis, keys).catch(() => undefined);
    if (retain) await trimResults(redis, keys, retain).catch(() => undefined);
  }
  const state = await budget?.refresh();
  return { summary, consumer: consumerName, budgetExhausted: state?.exhausted ?? false, done: consumer.acked, handedBack };
}

/** How often a worker trims a continuous queue's results to its retention. */
const RESULTS_TRIM_EVERY_MS = 30_000;

/** A model whose --rpm/--tpm are held in QueueClient for all workers (its fallback's too). */
function shareLimits(target: ModelTarget, redis: QueueClient, keys: QueueKeys, clock: Clock): ModelTarget {
  const r = target.reliability;
  const fallback = target.fallback ? { fallback: shareLimits(target.fallback, redis, keys, clock) } : {};
  if (!r?.rpm && !r?.tpm) return { ...target, ...fallback };
  const limiter = new SharedRateLimiter(redis, keys, target.client.model, { rpm: r.rpm, tpm: r.tpm, clock });
  return { ...target, ...fallback, reliability: { ...r, rpm: undefined, tpm: undefined, limiter } };
}
