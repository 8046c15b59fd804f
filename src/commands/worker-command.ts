import { type RunFlags, resolveRunConfig } from "../config/run-config.js";
import { runWorker } from "../distributed/run-worker.js";
import { ConfigError } from "../errors/config-error.js";
import { serveRunMetrics } from "../observe/serve-run-metrics.js";
import { readDefinition } from "../queue/queue-definition.js";
import { ExitCode } from "./exit-codes.js";
import { buildModelTargets } from "./model-targets.js";
import { openQueue } from "./queue-connection.js";
import { loadQueueTasks } from "./queue-tasks.js";
import path from "node:path";
import { loadModelsConfig } from "../config/models-config.js";
import { routedModels } from "../routing/rules.js";
import { checkCodeExecutionAllowed, needsCodeExecution } from "../tasks/code-execution.js";
import { loadTaskRefs } from "../tasks/group.js";
import { hooksOf, startHookWorkers } from "./hook-workers.js";
import { type MaterializedFiles, materializeFiles } from "./queue-files.js";
import { openCodeSandbox, withTokenCounter } from "./run-command.js";
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
  /** Run the Python hook files (`!function`) the queue carries: code from whoever can write to the queue's Redis. */
  readonly allowPythonHooks?: boolean;
  /** Run the model-generated code the run's tasks execute, in this machine's sandbox (the enqueue must allow it too). */
  readonly allowCodeExecution?: boolean;
  /** This machine's Python interpreter (default python3 on PATH). */
  readonly python?: string;
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
  let files: MaterializedFiles | undefined;
  let hooks: Awaited<ReturnType<typeof startHookWorkers>>;
  try {
    const def = await readDefinition(queue.redis, queue.keys, queue.address.display);
    // The files the run needs, as the enqueuing machine had them: written under a folder of this machine.
    files = def.files?.length ? await materializeFiles(await queue.redis.hgetall(queue.keys.files)) : undefined;
    const local = (f: unknown) => (typeof f === "string" && files ? files.local(f) : f);
    // The interpreter is this machine's: a path from the queue would let whoever writes to it pick the program run.
    const { python: _enqueuersPython, ...defFlags } = def.flags as RunFlags;
    // The enqueue asked for code execution; this machine runs it only when its own operator allows it too.
    const runsCode = defFlags.allowCodeExecution === true && flags.allowCodeExecution === true;
    const runFlags: RunFlags = {
      ...defFlags,
      task: def.tasks.map((t) => (files && t.file ? files.local(t.file) : (t.file ?? t.ref))),
      ...(defFlags.route ? { route: local(defFlags.route) as string } : {}),
      ...(defFlags.models ? { models: local(defFlags.models) as string } : {}),
      ...(defFlags.fewshotFile ? { fewshotFile: local(defFlags.fewshotFile) as string } : {}),
      allowCodeExecution: runsCode,
      store: false as const,
      ...(flags.python === undefined ? {} : { python: flags.python }),
      ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
      ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
    };
    const modelsConfig = runFlags.models ? await loadModelsConfig(runFlags.models) : undefined;
    const config = resolveRunConfig([], runFlags, env, { modelsConfig });
    const fewshot = { numFewshot: config.numFewshot, fewshotFile: config.fewshotFile, fewshotAsMultiturn: config.fewshotAsMultiturn, modelFamily: config.modelFamily, media: config.media };
    const { tasks } = files ? await loadTaskRefs(config.taskRefs, fewshot) : await loadQueueTasks(def.tasks, fewshot);
    const shippedHook = files ? hooksOf(tasks).find((h) => files?.shipped(h.modulePath)) : undefined;
    if (shippedHook && !flags.allowPythonHooks) {
      throw new ConfigError(`the queue's run has Python hooks (${shippedHook.tag} in ${path.basename(shippedHook.modulePath)}), code written by whoever enqueued it: start this worker with --allow-python-hooks to run it`, { key: "--allow-python-hooks" });
    }
    if (defFlags.allowCodeExecution && !flags.allowCodeExecution && tasks.some(needsCodeExecution)) {
      throw new ConfigError("the queue's run executes model-generated code: this worker runs it (in its sandbox) only when started with --allow-code-execution", { key: "--allow-code-execution" });
    }
    checkCodeExecutionAllowed(tasks, config.allowCodeExecution);
    const routing = config.routing ? await withTokenCounter(config.routing) : undefined;
    const modelNames = [...new Set([...config.models, ...(routing ? routedModels(routing.rules) : [])])];
    const prices = new Map(def.prices.map((p) => [p.model, p]));
    const models = buildModelTargets(config.modelSpecs.filter((s) => modelNames.includes(s.name)), { stream: config.stream, replyLimits: config.replyLimits, media: { inlineUrls: config.media.inlineUrls }, prices });
    const judge = await resolveJudge(config, tasks);
    const budget = config.budgetUsd === undefined && config.maxTokensTotal === undefined ? undefined : { usd: config.budgetUsd, tokens: config.maxTokensTotal };
    hooks = await startHookWorkers(tasks, { python: config.python, env: config.hookEnv, onStderr: (line) => io.stderr.write(`python: ${line}\n`) });
    const codeSandbox = await openCodeSandbox(config, tasks, io);
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
        ...(routing ? { routes: routing.rules, ...(routing.countTokens ? { countTokens: routing.countTokens } : {}) } : {}),
        ...(hooks ? { hooks } : {}),
        ...(codeSandbox ? { codeSandbox } : {}),
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
    await hooks?.close();
    await files?.remove();
    await queue.close();
  }
}

function seconds(text: string, flag: string, min = Number.MIN_VALUE): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min) throw new ConfigError(`expected a number of seconds ${min === 0 ? ">= 0" : "> 0"}, got ${JSON.stringify(text)}`, { key: flag });
  return n * 1000;
}
