import { constants } from "node:fs";
import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { ResponseCache } from "../cache/response-cache.js";
import { systemClock } from "../clock.js";
import { type RunConfig, runFingerprint } from "../config/run-config.js";
import { loadTokenCounter } from "../cost/count-tokens.js";
import { resolvePrices } from "../cost/resolve-prices.js";
import { ConfigError } from "../errors/config-error.js";
import { countLines, isFifo, openInputs } from "../io/open-inputs.js";
import { closedOutputReason, watchOutput } from "../io/closed-output.js";
import { foldOf } from "../events.js";
import { pacedBy } from "../io/paced-by.js";
import type { serveRunMetrics } from "../observe/serve-run-metrics.js";
import { createProcessMeter } from "../observe/process-meter.js";
import { OutageNotice } from "../render/outage-notice.js";
import { Progress } from "../render/progress.js";
import { renderSummaryTable } from "../render/summary-table.js";
import type { startRetention } from "../store/retention.js";
import { runEvaluation } from "../run-evaluation.js";
import { routedModels } from "../routing/rules.js";
import type { Summary } from "../summary/summary.js";
import { loadTaskRefs } from "../tasks/group.js";
import { effectiveRepeats, type Task } from "../work/task.js";
import { checkCodeExecutionAllowed, needsCodeExecution } from "../tasks/code-execution.js";
import type { CodeSandbox } from "../python/sandbox/code-sandbox.js";
import { CONTINUOUS_MAX_IDS } from "../continuous/limits.js";
import type { openContinuousSession } from "./continuous-session.js";
import type { openCheckpoint } from "./checkpoint.js";
import { openOutputFile } from "./output-file.js";
import { ResultOutput } from "./result-output.js";
import { ExitCode, exitCodeOf } from "./exit-codes.js";
import { createRejectsSink } from "./rejects-sink.js";
import { allSpecs, buildModelTargets, filePrices } from "./model-targets.js";
import { resolveJudge } from "./run-judge.js";
import { runPricesAndBudget } from "./run-prices.js";
import { createShutdown } from "./shutdown.js";
import { startHookWorkers } from "./hook-workers.js";

/** The process edges a command writes to and listens on; tests pass their own. */
export interface CommandIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stderrIsTTY: boolean;
  /** Registers a handler for SIGINT/SIGTERM; returns a function that removes it. */
  readonly onSignal?: (handler: () => void) => () => void;
  /** Ends the process at once (a third signal while the run is stuck cancelling). */
  readonly exit?: (code: number) => void;
}

/**
 * `streameval run`: loads the tasks, builds the models, streams the inputs through the evaluation,
 * writes result lines, rejects, progress and the summary, and returns the exit code.
 */
export async function runCommand(config: RunConfig, io: CommandIO): Promise<number> {
  // A missing input fails here, before the store is opened: the run it would resume stays as it was.
  await checkInputsExist(config.inputs);
  const fewshot = { numFewshot: config.numFewshot, fewshotFile: config.fewshotFile, fewshotAsMultiturn: config.fewshotAsMultiturn, modelFamily: config.modelFamily, media: config.media };
  const { tasks, groups } = await loadTaskRefs(config.taskRefs, fewshot);
  checkCodeExecutionAllowed(tasks, config.allowCodeExecution);
  if (config.continuous) refusePythonAggregations(tasks);
  const codeSandbox = await openCodeSandbox(config, tasks, io);
  const routing = config.routing ? await withTokenCounter(config.routing) : undefined;
  const run = config.runName ?? runFingerprint(config, tasks, routing?.text);
  // Every model named by --model or by a routing rule (resolveRunConfig made a spec for each).
  const modelNames = [...new Set([...config.models, ...(routing ? routedModels(routing.rules) : [])])];
  const specs = config.modelSpecs.filter((s) => modelNames.includes(s.name));
  const overrides = filePrices(config.modelSpecs);
  const { prices, budget } = await runPricesAndBudget({ ...config, models: modelNames }, overrides);
  // Fallbacks are priced like the models (a sample a fallback served costs the fallback's price).
  const fallbacks = allSpecs(specs).filter((s) => !modelNames.includes(s.name));
  const fallbackPrices = fallbacks.length ? await resolvePrices(fallbacks.map((s) => s.name), { flag: config.price, overrides }) : [];
  // A fallback spends the budget too: it needs a price as the models do.
  const unpricedFallbacks = fallbackPrices.filter((p) => !p.price).map((p) => p.model);
  if (config.budgetUsd !== undefined && unpricedFallbacks.length) {
    throw new ConfigError(`no price known for the fallback ${unpricedFallbacks.join(", ")}: a USD budget needs one (give \`price\` in the models file, or --price IN/OUT)`, { key: "--budget-usd" });
  }
  const models = buildModelTargets(specs, { stream: config.stream, replyLimits: config.replyLimits, media: { inlineUrls: config.media.inlineUrls }, prices: new Map([...prices, ...fallbackPrices].map((p) => [p.model, p])) });
  const judge = await resolveJudge(config, tasks);

  const rejects = createRejectsSink({ rejects: config.rejects, store: config.store, checkpoint: config.checkpoint, run }, io.stderr);
  let results = 0;
  const progressOn = config.progress ?? io.stderrIsTTY;
  const perSample = routing ? (routing.rules.every((r) => r.models.length === 1) ? 1 : undefined) : modelNames.length;
  // Endless input has no total (and counting a FIFO's lines would consume them).
  const total = progressOn && perSample !== undefined && !config.continuous?.endless ? await expectedTotal(config, tasks[0] ? effectiveRepeats(tasks[0], config.repeats) : (config.repeats ?? 1), perSample) : undefined;

  const stopper = new AbortController();
  const aborter = new AbortController();
  // Closes the input files once reading stops (a stop, or the run's end): see openInputs.
  const inputsDone = new AbortController();
  stopper.signal.addEventListener("abort", () => inputsDone.abort(), { once: true });

  // What the run opens before it starts; if one part fails (a port in use, an alert naming no metric,
  // a locked store), those opened before it are closed again and the run is not left "running".
  const opened: (() => Promise<void>)[] = [];
  // The one meter of the process: the summary, the progress line and Prometheus all read it.
  const processMeter = createProcessMeter({ now: () => systemClock.now() });
  let metrics: Awaited<ReturnType<typeof serveRunMetrics>> | undefined;
  let continuous: Awaited<ReturnType<typeof openContinuousSession>> | undefined;
  let checkpoint: Awaited<ReturnType<typeof openCheckpoint>> | undefined;
  let cache: ResponseCache | undefined;
  let out: Writable;
  let hooks: Awaited<ReturnType<typeof startHookWorkers>>;
  try {
    // First: a missing interpreter or module is a config error (exit 2) before anything else opens.
    hooks = await startHookWorkers(tasks, { python: config.python, env: config.hookEnv, onStderr: (line) => io.stderr.write(`python: ${line}\n`) });
    if (hooks) opened.push(() => hooks!.close());
    // What a run uses only when asked for (Prometheus, windows, the store, the cache) is loaded only then: start-up.
    metrics = config.metricsPort === undefined ? undefined : await (await import("../observe/serve-run-metrics.js")).serveRunMetrics(config.metricsPort, "--metrics-port", processMeter);
    if (metrics) opened.push(() => metrics!.close());
    continuous = config.continuous
      ? await (await import("./continuous-session.js")).openContinuousSession({ config: config.continuous, tasks, models: modelNames, stderr: io.stderr, stop: () => stopper.abort() })
      : undefined;
    if (continuous) opened.push(() => continuous!.close());
    checkpoint = config.checkpoint ? await (await import("./checkpoint.js")).openCheckpoint(config, tasks, run, (text) => io.stderr.write(text), routing?.text, groups) : undefined;
    if (checkpoint) opened.push(() => checkpoint!.fail());
    cache = config.cache ? await (await import("../cache/response-cache.js")).ResponseCache.open(config.store, { ttlMs: config.cacheTtlMs }) : undefined;
    if (cache) opened.push(() => cache!.close());
    // Every run writes every sample (resumed ones marked), so -o is rewritten: it holds the whole run, each line once.
    out = config.output ? await openOutputFile(config.output) : io.stdout;
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
  if (metrics) io.stderr.write(`metrics: ${metrics.url}\n`);
  // The last window's values and the alerts firing, on the Prometheus endpoint.
  if (metrics && continuous) (await import("../observe/window-gauges.js")).registerWindowGauges(metrics.registry, continuous.monitor, { alerts: config.continuous?.alerts.map((a) => a.text) });
  const progress = progressOn
    ? new Progress({
        total,
        itemsPerSample: (perSample ?? 1) * (tasks[0] ? effectiveRepeats(tasks[0], config.repeats) : (config.repeats ?? 1)),
        tty: io.stderrIsTTY,
        columns: (io.stderr as { columns?: number }).columns,
        write: (s) => io.stderr.write(s),
        clock: systemClock,
        process: processMeter,
      })
    : undefined;
  progress?.start();

  // Waiting on an endpoint that stopped answering is said on stderr, even with --no-progress.
  const outage = new OutageNotice({ write: (text) => io.stderr.write(text), clock: systemClock });
  const shutdown = createShutdown({
    graceMs: config.graceMs,
    // Samples stuck behind an open breaker cannot finish in the grace period: a stop then cancels them at once.
    onStop: () => {
      stopper.abort();
      if (outage.waiting) aborter.abort();
    },
    onAbort: () => aborter.abort(),
    // Records already written are durable: leaving now loses none of them.
    ...(io.exit ? { onForce: () => (io.stderr.write("third signal: leaving now (recorded samples are kept)\n"), io.exit?.(130)) } : {}),
    write: (text) => io.stderr.write(text),
  });
  const removeSignal = io.onSignal?.(shutdown.signal);
  // Results on stdout whose reader went away (`| head -1`): a stop, as a Ctrl-C is; what finishes is still recorded.
  const stdout =
    out === io.stdout
      ? watchOutput(io.stdout, (error) => {
          io.stderr.write(`\nstopping: ${closedOutputReason(error)}: no new samples are read; samples in flight finish and are recorded, not printed\n`);
          stopper.abort();
        })
      : undefined;

  // The result lines, a turn's at a time.
  const resultLines = new ResultOutput(stdout ? (chunk, done) => void stdout.write(chunk, done) : (chunk, done) => void (done ? out.write(chunk, done) : out.write(chunk)));

  // --retain: the run's oldest records are pruned before it starts and every minute while it lasts.
  const retain = config.continuous?.retain;
  let retention: Awaited<ReturnType<typeof startRetention>> | undefined;
  let summary: Summary;
  let rejectsNote: string | undefined;
  try {
    retention = checkpoint && retain ? await (await import("../store/retention.js")).startRetention({ store: checkpoint.store, rule: retain, onError: (e) => io.stderr.write(`warning: pruning the store (--retain) failed: ${(e as Error).message}\n`) }) : undefined;
    summary = await runEvaluation({
      input: pacedBy(out, openInputs(config.inputs, io.stdin, { signal: inputsDone.signal })),
      tasks,
      groups,
      taskRequired: groups.length > 0,
      models,
      limit: config.limit,
      repeats: config.repeats,
      repeatsAsN: config.useN,
      ...(routing ? { routes: routing.rules, countTokens: routing.countTokens } : {}),
      strict: config.strict,
      budget,
      judge,
      ...(codeSandbox ? { codeSandbox } : {}),
      stopSignal: stopper.signal,
      abortSignal: aborter.signal,
      duplicates: config.continuous?.endless ? { maxIds: CONTINUOUS_MAX_IDS, forget: true } : undefined,
      checkpoint: checkpoint?.store,
      ...(hooks ? { hooks } : {}),
      responseCache: cache,
      connectTimeoutMs: config.connectTimeoutMs,
      processMeter,
      run,
      onEvent: (event) => {
        if (event.type === "result") {
          results++;
          // A deferred line (one a summary snapshot may cover) is a done record, so ok; its fold is not decoded here.
          const fold = event.deferred ? undefined : foldOf(event);
          checkpoint?.live.result(fold === undefined ? "ok" : fold.status, event.resumed ?? false);
          // The output covers the whole run: a result reused from the store is written too, marked, when its sample is read.
          resultLines.add(event, fold);
        } else if (event.type === "reject") rejects.write(event.reject);
        else if (event.type === "warning") io.stderr.write(`warning: ${event.message}\n`);
        else if (event.type === "stopping" && event.reason !== "interrupted") io.stderr.write(`\nstopping (${event.reason}): ${event.message}\n`);
        else if (event.type === "duplicate-id") io.stderr.write(`warning: duplicate id ${JSON.stringify(event.id)} at ${event.at.file}:${event.at.line} (first at line ${event.first.line})${event.as ? `; its results carry the id ${JSON.stringify(event.as)}` : ""}\n`);
        progress?.add(event);
        outage.add(event);
        continuous?.add(event);
        metrics?.add(event);
      },
    });
  } catch (error) {
    await retention?.stop();
    // The run's own error is the one to report, even if marking it failed fails too.
    await checkpoint?.fail().catch(() => undefined);
    throw error;
  } finally {
    resultLines.flush();
    removeSignal?.();
    stdout?.dispose();
    inputsDone.abort();
    await retention?.stop();
    // A stopped run leaves a read of stdin pending; a pipe that stays open (tail -f) would keep the process alive.
    if (config.inputs.includes("-")) io.stdin.destroy();
    await continuous?.close();
    await metrics?.close();
    await cache?.close();
    shutdown.dispose();
    await hooks?.close();
    outage.dispose();
    rejectsNote = await rejects.close();
    if (out !== io.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
  }
  // Flushed and saved before the summary is shown: what it reports is on disk.
  await checkpoint?.finish(summary);
  progress?.finish();
  if (rejectsNote) io.stderr.write(rejectsNote);
  if (config.summary) {
    await mkdir(dirname(config.summary), { recursive: true });
    await writeFile(config.summary, `${JSON.stringify(summary, null, 2)}\n`);
  }
  // A budget or fatal stop was said on its own line as it happened: the table does not repeat it.
  io.stderr.write(renderSummaryTable(summary, { stopMessage: summary.stopped === "interrupted" }));
  // A Python aggregation that raised has no value: its reason is in the summary, and said here.
  for (const [task, { models: byModel }] of Object.entries(summary.tasks)) {
    for (const [model, m] of Object.entries(byModel)) for (const [key, v] of Object.entries(m.metrics)) if (v.error) io.stderr.write(`warning: ${task} ${model} ${key}: ${v.error}\n`);
  }
  // A stopped run is continued by running it again: say so, in the words of the command.
  if (summary.stopped !== null && checkpoint && !continuous) {
    io.stderr.write(`stopped (${summary.stopped}): what finished is recorded; run the same command again to continue (recorded results are reused, the rest are sent)\n`);
  }
  // A run in which every line was rejected evaluated nothing: that is an input error, not "complete".
  if (rejects.count > 0 && results === 0 && summary.stopped === null) {
    io.stderr.write(`streameval: every input line was rejected (${rejects.count}): nothing was evaluated\n`);
    return ExitCode.usage;
  }
  const code = exitCodeOf(summary);
  return continuous ? continuous.exitCode(summary, aborter.signal.aborted, code) : code;
}

/**
 * The code execution sandbox, when a task needs one (and --allow-code-execution allowed it): probed once
 * by running `pass` through it, and the isolation in force said on stderr.
 */
export async function openCodeSandbox(config: RunConfig, tasks: readonly Task[], io: CommandIO): Promise<CodeSandbox | undefined> {
  if (!config.allowCodeExecution || !tasks.some(needsCodeExecution)) return undefined;
  const [{ createCodeSandbox }, { describeIsolation }] = await Promise.all([import("../python/sandbox/code-sandbox.js"), import("../python/sandbox/verdict.js")]);
  const sandbox = createCodeSandbox({ limits: config.codeLimits, concurrency: config.codeConcurrency });
  try {
    io.stderr.write(`${describeIsolation(await sandbox.probe())}\n`);
  } catch (e) {
    throw new ConfigError((e as Error).message, { key: "--allow-code-execution" });
  }
  return sandbox;
}

/** The routing rules (read by resolveRunConfig) with, when a rule looks at `prompt_tokens`, a real token counter (o200k, loaded only then). */
export async function withTokenCounter(routing: NonNullable<RunConfig["routing"]>): Promise<NonNullable<RunConfig["routing"]> & { countTokens?: (text: string) => number }> {
  if (!routing.text.includes("prompt_tokens")) return routing;
  const counter = await loadTokenCounter("gpt-4o");
  return { ...routing, countTokens: (t) => counter.text(t) };
}

/** Every named input can be opened for reading (stdin, "-", always can). */
async function checkInputsExist(inputs: readonly string[]): Promise<void> {
  for (const p of inputs) {
    if (p === "-") continue;
    try {
      await access(p, constants.R_OK);
    } catch (e) {
      throw new ConfigError(`cannot read this input: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, { file: p });
    }
  }
}

/** Work items to expect, when every input is a file (stdin's length is unknown). */
async function expectedTotal(config: RunConfig, repeats: number, modelsPerSample: number): Promise<number | undefined> {
  if (config.inputs.some((p) => p === "-")) return undefined;
  let lines = 0;
  for (const p of config.inputs) {
    // Counting a named pipe's lines would consume them.
    if (await isFifo(p)) return undefined;
    lines += await countLines(p);
  }
  if (config.limit !== undefined) lines = Math.min(lines, config.limit);
  return lines * modelsPerSample * repeats;
}

/** A Python aggregation (`aggregation: !function`) runs once over every value at the end: an endless run has no end. */
function refusePythonAggregations(tasks: readonly Task[]): void {
  for (const task of tasks) {
    const metric = task.metrics.find((m) => m.pythonAggregation);
    if (!metric) continue;
    const hook = metric.pythonAggregation!;
    throw new ConfigError(`\`${hook.tag}\` aggregates every value once, at the end of a run, and a --continuous run has no end (its windows aggregate in TypeScript): run without --continuous`, { file: hook.file, line: hook.line, key: hook.key });
  }
}
