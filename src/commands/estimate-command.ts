import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunConfig } from "../config/run-config.js";
import { resolvePrices } from "../cost/resolve-prices.js";
import { ConfigError } from "../errors/config-error.js";
import { openInputs } from "../io/open-inputs.js";
import { renderEstimateFailures, renderEstimateJudge, renderEstimateTable } from "../render/estimate-table.js";
import { estimateRun } from "../run-estimate.js";
import { loadTaskRefs } from "../tasks/group.js";
import { startHookWorkers } from "./hook-workers.js";
import { fileImageRules, filePrices } from "./model-targets.js";
import type { CommandIO } from "./run-command.js";
import { ExitCode } from "./exit-codes.js";
import { estimateJudge, UNNAMED_JUDGE } from "./run-judge.js";

/**
 * `streameval estimate`: the run's flags, no API call. Prints per model the requests, prompt tokens
 * (counted offline) and the cost range from prompts only to full replies on stdout, then the judge's
 * own line when a task is graded by one; `--summary
 * FILE` also gets it as JSON. Returns 0, or 5 when some sample could not be counted (each named on
 * stderr by file:line; the estimate leaves it out), 130 on SIGINT/SIGTERM (at once, with a message).
 * Usage errors are thrown as ConfigError, as for `run`.
 */
export async function estimateCommand(config: RunConfig, io: CommandIO): Promise<number> {
  // Routing is not estimated: every sample is counted on every --model.
  if (config.models.length === 0) throw new ConfigError("estimate counts every sample on every --model and does not apply --route: give --model", { key: "--model" });
  // Nothing is sent and nothing is kept: a signal ends the command at once, even in the middle of counting a long text.
  const removeSignal = io.onSignal?.(() => {
    io.stderr.write("\nestimate: interrupted: counting stopped, nothing was sent, no estimate printed\n");
    io.exit?.(ExitCode.interrupted);
  });
  try {
    return await estimate(config, io);
  } finally {
    removeSignal?.();
  }
}

async function estimate(config: RunConfig, io: CommandIO): Promise<number> {
  const fewshot = { numFewshot: config.numFewshot, fewshotFile: config.fewshotFile, fewshotAsMultiturn: config.fewshotAsMultiturn, modelFamily: config.modelFamily, media: config.media };
  const { tasks } = await loadTaskRefs(config.taskRefs, fewshot);
  const prices = await resolvePrices(config.models, { flag: config.price, overrides: filePrices(config.modelSpecs), baseURL: config.baseURL });
  const judge = await estimateJudge(config, tasks);
  // A task's Python hooks make its prompts: they run here as in `run` (no model is called).
  const hooks = await startHookWorkers(tasks, { python: config.python, env: config.hookEnv, onStderr: (line) => io.stderr.write(`python: ${line}\n`) });
  const estimate = await estimateRun({
    input: openInputs(config.inputs, io.stdin),
    tasks,
    models: prices,
    imageRules: fileImageRules(config.modelSpecs),
    ...(judge ? { judge } : {}),
    limit: config.limit,
    repeats: config.repeats,
    strict: config.strict,
    ...(hooks ? { hooks } : {}),
    onEvent: (event) => {
      // A judge not named has no price by design: its line says so.
      if (event.type === "warning" && !event.message.includes(UNNAMED_JUDGE)) io.stderr.write(`warning: ${event.message}\n`);
    },
  }).finally(() => hooks?.close());
  io.stdout.write(renderEstimateTable(estimate.models, estimate));
  if (estimate.judge) io.stdout.write(renderEstimateJudge(estimate.judge));
  if (estimate.failed > 0) io.stderr.write(renderEstimateFailures(estimate));
  // The judge spends the same budget as the models.
  const budgetNote = budgetLine(config.budgetUsd, [...estimate.models, ...(estimate.judge ? [estimate.judge] : [])]);
  if (budgetNote) io.stdout.write(`${budgetNote}\n`);
  if (config.summary) {
    await mkdir(dirname(config.summary), { recursive: true });
    await writeFile(config.summary, `${JSON.stringify(estimate, null, 2)}\n`);
  }
  return estimate.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
}

/** How a `--budget-usd` compares with the range: certainly enough, maybe, or certainly not. */
function budgetLine(budget: number | undefined, models: readonly { low_usd: number | null; high_usd: number | null }[]): string | null {
  if (budget === undefined) return null;
  if (models.some((m) => m.low_usd === null)) return `budget $${budget}: cannot compare, some model has no price`;
  const low = models.reduce((s, m) => s + (m.low_usd ?? 0), 0);
  const high = models.some((m) => m.high_usd === null) ? null : models.reduce((s, m) => s + (m.high_usd ?? 0), 0);
  if (high !== null && high <= budget) return `budget $${budget}: enough even if every reply uses its full max_tokens`;
  if (low > budget) return `budget $${budget}: too small even for the prompts alone; the run will stop early (exit 3)`;
  return `budget $${budget}: enough for the prompts; whether replies fit depends on their length (the run stops with exit 3 if not)`;
}
