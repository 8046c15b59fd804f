import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { QueueClient } from "../queue/queue-client.js";
import { type RunFlags, resolveRunConfig, runFingerprint } from "../config/run-config.js";
import { parseRetention } from "../config/continuous-config.js";
import { CONTINUOUS_MAX_IDS } from "../continuous/limits.js";
import { enqueueSamples } from "../distributed/enqueue-samples.js";
import { ConfigError } from "../errors/config-error.js";
import { openInputs } from "../io/open-inputs.js";
import type { QueueDefinition } from "../queue/queue-definition.js";
import type { QueueKeys } from "../queue/queue-keys.js";
import { ensureGroup } from "../queue/queue-consumer.js";
import { initSharedBudget } from "../queue/shared-budget.js";
import { dropQueue } from "../queue/queue-trim.js";
import { taskMeta } from "../store/run-meta.js";
import { loadTaskRefs } from "../tasks/group.js";
import { ExitCode } from "./exit-codes.js";
import { openQueue } from "./queue-connection.js";
import { isTaskPath, taskSources } from "./queue-tasks.js";
import { readFilesToShip } from "./queue-files.js";
import { filePrices } from "./model-targets.js";
import { loadModelsConfig } from "../config/models-config.js";
import { routedModels } from "../routing/rules.js";
import { checkCodeExecutionAllowed } from "../tasks/code-execution.js";
import path from "node:path";
import { createRejectsSink } from "./rejects-sink.js";
import type { CommandIO } from "./run-command.js";
import { effectiveRepeats } from "../work/task.js";
import { runPricesAndBudget } from "./run-prices.js";

/** Hooks that make a sample's prompt (a queue's routing needs the prompt before the run). */
const DOC_HOOKS = ["process_docs", "doc_to_text", "doc_to_choice", "doc_to_target", "doc_to_image", "doc_to_audio", "doc_to_visual"] as const;

export interface EnqueueFlags extends RunFlags {
  readonly queue: string;
}

/** `run` flags that belong to one machine or one process, not to the run a queue holds. */
const LOCAL_FLAGS = new Set(["retain", "queue", "output", "summary", "rejects", "progress", "store", "fresh", "limit", "metricsPort", "grace", "run", "cache", "cacheTtl", "python"]);

/**
 * `streameval enqueue [INPUT …] -t … -m … --queue redis://HOST:PORT/NAME`: checks every input line
 * as `run` would (bad lines set aside with file:line, `--strict` fails on the first), writes the run's
 * definition and the samples into QueueClient, and prints the run id. Enqueueing again to the same queue
 * adds samples to the same run; a different run needs another queue name, or `--fresh` to clear it.
 */
export async function enqueueCommand(inputs: readonly string[], flags: EnqueueFlags, io: CommandIO, env: NodeJS.ProcessEnv): Promise<number> {
  // --retain trims a continuous queue's results in Redis (a queue has no checkpoint store to prune).
  if (flags.retain !== undefined && !flags.continuous) throw new ConfigError("applies to --continuous queues only", { key: "--retain" });
  const retain = flags.retain === undefined ? undefined : parseRetention(flags.retain);
  const modelsConfig = flags.models ? await loadModelsConfig(flags.models) : undefined;
  // Keys are read by each worker from its own environment: enqueue needs none.
  const config = resolveRunConfig(inputs, { ...flags, retain: undefined, store: false }, env, { apiKey: false, modelsConfig });
  for (const p of config.inputs) {
    if (p === "-") continue;
    await access(p, constants.R_OK).catch((e: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot read this input: ${e.code === "ENOENT" ? "no such file" : e.message}`, { file: p });
    });
  }
  const { tasks, groups } = await loadTaskRefs(config.taskRefs, { numFewshot: config.numFewshot, fewshotFile: config.fewshotFile, fewshotAsMultiturn: config.fewshotAsMultiturn, modelFamily: config.modelFamily, media: config.media });
  // As `run` refuses it; each worker must allow it too (worker --allow-code-execution).
  checkCodeExecutionAllowed(tasks, config.allowCodeExecution);
  const routing = config.routing;
  const docHooked = tasks.find((t) => t.hooks && DOC_HOOKS.some((k) => t.hooks?.[k]));
  if (routing && docHooked) throw new ConfigError(`task \`${docHooked.name}\` builds its prompts in Python (\`!function\`), and a queue routes samples by their prompts before a worker has run them: run it without --route, or with \`run\``, { key: "--route" });
  const run = config.runName ?? runFingerprint(config, tasks, routing?.text);
  const modelNames = [...new Set([...config.models, ...(routing ? routedModels(routing.rules) : [])])];
  const { prices, budget } = await runPricesAndBudget({ ...config, models: modelNames }, filePrices(config.modelSpecs));
  // What a worker on another machine needs beside the samples, carried in Redis (no shared filesystem).
  const taskFiles = config.taskRefs.filter(isTaskPath);
  const files = await readFilesToShip({ route: config.route, models: config.modelsFile, fewshotFile: config.fewshotFile, taskFiles, tasks });
  // Paths as the enqueuing machine resolves them: the workers find each under the copy they write.
  const abs = (f: string) => path.resolve(f);
  const definition: QueueDefinition = {
    version: 1,
    run,
    created_at: new Date().toISOString(),
    flags: {
      ...Object.fromEntries(Object.entries(flags).filter(([k, v]) => !LOCAL_FLAGS.has(k) && v !== undefined && k !== "task")),
      ...(flags.route ? { route: abs(flags.route) } : {}),
      ...(flags.models ? { models: abs(flags.models) } : {}),
      ...(flags.fewshotFile ? { fewshotFile: abs(flags.fewshotFile) } : {}),
    },
    tasks: await taskSources(config.taskRefs),
    taskMeta: tasks.map(taskMeta),
    ...(groups.length ? { groups } : {}),
    models: modelNames,
    prices,
    // Routed: per routed model (a worker counts each sample's models as it routes it).
    perSample: Object.fromEntries(tasks.map((t) => [t.name, (routing ? 1 : config.models.length) * effectiveRepeats(t, config.repeats)])),
    ...(routing ? { routed: true } : {}),
    continuous: config.continuous?.endless ?? false,
    ...(retain ? { retain } : {}),
    ...(files.size ? { files: [...files.keys()] } : {}),
  };

  const queue = await openQueue(flags.queue);
  const rejects = createRejectsSink({ rejects: config.rejects, store: ".streameval", checkpoint: false, run }, io.stderr);
  let closed = false;
  try {
    await claimQueue(queue.redis, queue.keys, definition, queue.address.display, flags.fresh ?? false);
    if (files.size) await queue.redis.hset(queue.keys.files, Object.fromEntries(files));
    await ensureGroup(queue.redis, queue.keys);
    if (budget) await initSharedBudget(queue.redis, queue.keys, budget);
    // A batch queue is sealed once its samples are in: workers finish when it is empty.
    await queue.redis.hdel(queue.keys.meta, "sealed");
    const counts = await enqueueSamples({
      redis: queue.redis,
      keys: queue.keys,
      input: openInputs(config.inputs, io.stdin),
      tasks,
      taskRequired: groups.length > 0,
      limit: config.limit,
      strict: config.strict,
      ...(definition.continuous ? { duplicates: { maxIds: CONTINUOUS_MAX_IDS, forget: true } } : {}),
      onReject: (r) => rejects.write(r),
      onDuplicate: (e) => io.stderr.write(`warning: duplicate id ${JSON.stringify(e.id)} at ${e.at.file}:${e.at.line} (first at line ${e.first.line})${e.as ? `; its results carry the id ${JSON.stringify(e.as)}` : ""}\n`),
    });
    if (!definition.continuous) await queue.redis.hset(queue.keys.meta, "sealed", "1");
    closed = true;
    io.stderr.write(await rejects.close());
    io.stderr.write(`enqueued ${counts.enqueued} sample(s) to ${queue.address.display} (run ${run}${definition.continuous ? ", continuous" : ""})\n`);
    io.stdout.write(`${run}\n`);
    if (counts.enqueued === 0 && counts.rejected > 0) {
      io.stderr.write(`streameval: every input line was rejected (${counts.rejected}): nothing was enqueued\n`);
      return ExitCode.usage;
    }
    return ExitCode.ok;
  } finally {
    if (!closed) await rejects.close().catch(() => undefined);
    await queue.close();
  }
}

/**
 * Writes the run's definition, unless the queue holds another run: a queue holds one run (its
 * results are that run's). `--fresh` deletes everything the queue holds first.
 */
async function claimQueue(redis: QueueClient, keys: QueueKeys, definition: QueueDefinition, display: string, fresh: boolean): Promise<void> {
  if (fresh) await dropQueue(redis, keys);
  const existing = await redis.get(keys.definition);
  if (existing !== null) {
    const held = JSON.parse(existing) as QueueDefinition;
    if (held.run !== definition.run) {
      throw new ConfigError(`${display} holds run ${held.run}, not ${definition.run}: use another queue name, or --fresh to delete what it holds`, { key: "--queue" });
    }
    if (held.continuous !== definition.continuous) throw new ConfigError(`${display} holds a ${held.continuous ? "continuous" : "batch"} run: --continuous must match`, { key: "--continuous" });
    return;
  }
  await redis.set(keys.definition, JSON.stringify(definition));
}
