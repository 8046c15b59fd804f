import { type RunFlags, resolveRunConfig } from "../config/run-config.js";
import { runWorker } from "../distributed/run-worker.js";
import { ConfigError } from "../errors/config-error.js";
import { serveRunMetrics } from "../observe/serve-run-metrics.js";
import { readDefinition } from "../queue/queue-definition.js";
import { ExitCode } from "./exit-codes.js";
import { buildModelTargets } from "./model-targets.js";
import { openQueue } from "./queue-connection.js";
import { loadQueueTasks } from "./queue-tasks.js";
import type { CommandIO } from "./run-command.js";
import { resolveJudge } from "./run-judge.js";
import { createShutdown } from "./shutdown.js";

export interface WorkerFlags {
  readonly queue: string;
  /** Requests in flight per model on this worker (default: the run's -c, else 8). */
  readonly concurrency?: string;
  /** Seconds another worker's entries must be idle before this one claims them (default 60). */
  readonly claimAfter?: string;
  readonly metricsPort?: string;
  readonly grace?: string;
}

/**
 * `streameval worker --queue URL [-c N] [--claim-after SEC] [--metrics-port P]`: reads the run the
 * queue holds, builds its models with this machine's keys (from this process's environment, never
 * from Redis), and evaluates samples from the queue until it is finished. SIGINT/SIGTERM: no new
 * samples; those in flight finish (within --grace), the rest are handed back to the other workers,
 * exit 0. Exit 3 when the shared budget is used up (every worker stops), 4 on a fatal API error.
 */
export async function workerCommand(flags: WorkerFlags, io: CommandIO, env: NodeJS.ProcessEnv): Promise<number> {
  const claimAfterMs = flags.claimAfter === undefined ? 60_000 : seconds(flags.claimAfter, "--claim-after");
  const graceMs = flags.grace === undefined ? 30_000 : seconds(flags.grace, "--grace", 0);
  const queue = await openQueue(flags.queue, (text) => io.stderr.write(text), "streameval-worker");
  let metrics: Awaited<ReturnType<typeof serveRunMetrics>> | undefined;
  try {
    const def = await readDefinition(queue.redis, queue.keys, queue.address.display);
    const runFlags = { ...(def.flags as RunFlags), task: def.tasks.map((t) => t.file ?? t.ref), store: false as const, ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }), ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }) };
    const config = resolveRunConfig([], runFlags, env);
    const { tasks } = await loadQueueTasks(def.tasks, { numFewshot: config.numFewshot, fewshotAsMultiturn: config.fewshotAsMultiturn });
    const prices = new Map(def.prices.map((p) => [p.model, p]));
    const models = buildModelTargets(config.modelSpecs.filter((s) => config.models.includes(s.name)), { stream: config.stream, replyLimits: config.replyLimits, prices });
    const judge = await resolveJudge(config, tasks);
    const budget = config.budgetUsd === undefined && config.maxTokensTotal === undefined ? undefined : { usd: config.budgetUsd, tokens: config.maxTokensTotal };
    metrics = config.metricsPort === undefined ? undefined : await serveRunMetrics(config.metricsPort);
    if (metrics) io.stderr.write(`metrics: ${metrics.url}\n`);

    const stopper = new AbortController();
    const aborter = new AbortController();
    const shutdown = createShutdown({
      graceMs,
      onStop: () => stopper.abort(),
      onAbort: () => aborter.abort(),
      ...(io.exit ? { onForce: () => (io.stderr.write("third signal: leaving now (recorded results are kept; held samples are claimed by others)\n"), io.exit?.(130)) } : {}),
      write: (text) => io.stderr.write(text),
    });
    const removeSignal = io.onSignal?.(shutdown.signal);
    io.stderr.write(`worker on ${queue.address.display}: run ${def.run}, ${config.models.join(", ")} at -c ${config.concurrency}\n`);
    try {
      const m = metrics;
      const result = await runWorker({
        redis: queue.redis,
        blocking: queue.blocking(),
        keys: queue.keys,
        definition: def,
        tasks,
        models,
        ...(judge ? { judge } : {}),
        repeats: config.repeats,
        repeatsAsN: config.useN,
        budget,
        claimAfterMs,
        stopSignal: stopper.signal,
        abortSignal: aborter.signal,
        connectTimeoutMs: config.connectTimeoutMs,
        onEvent: (event) => {
          if (event.type === "warning") io.stderr.write(`warning: ${event.message}\n`);
          else if (event.type === "stopping" && event.reason !== "interrupted") io.stderr.write(`stopping (${event.reason}): ${event.message}\n`);
          m?.add(event);
        },
      });
      io.stderr.write(`worker ${result.consumer}: ${result.done} sample(s) done${result.handedBack ? `, ${result.handedBack} handed back` : ""}${result.budgetExhausted ? "; the queue's budget is used up" : ""}\n`);
      if (result.budgetExhausted || result.summary.stopped === "budget") return ExitCode.budget;
      if (result.summary.stopped === "fatal") return ExitCode.fatal;
      return ExitCode.ok;
    } finally {
      removeSignal?.();
      shutdown.dispose();
    }
  } finally {
    await metrics?.close();
    await queue.close();
  }
}

function seconds(text: string, flag: string, min = Number.MIN_VALUE): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min) throw new ConfigError(`expected a number of seconds ${min === 0 ? ">= 0" : "> 0"}, got ${JSON.stringify(text)}`, { key: flag });
  return n * 1000;
}
