import type { RunConfig } from "../config/run-config.js";
import { type ResolvedPrice, resolvePrices } from "../cost/resolve-prices.js";
import { ConfigError } from "../errors/config-error.js";
import type { ModelTarget } from "../run.js";
import { type JudgeConfig, JudgeConfigSchema } from "../tasks/conversation-keys.js";
import type { Task } from "../work/task.js";
import { buildModelTargets } from "./model-targets.js";

/**
 * The run's judge, when a task is graded by one (a `judge` block, or `llm_judge` metrics): `--judge-model`, else the task's `judge.model`,
 * reached as `RunConfig.judgeSpec` says (flags, then the models file, then the task, then the run's
 * endpoint), with its own limits and breaker. Its price: the task's `judge.price`, else the models
 * file's, else `--price`, else the price table's; its concurrency: the task's `judge.concurrency`, else the spec's.
 * A ConfigError when a task needs a judge and none is named, or a USD budget has no judge price.
 */
export async function resolveJudge(config: RunConfig, tasks: readonly Task[]): Promise<ModelTarget | undefined> {
  const judged = judgedTask(tasks);
  if (!judged) return undefined;
  const { settings, model } = judgeOf(config, judged);
  if (!model) throw new ConfigError(`task ${judged.name} is graded by a judge: pass --judge-model NAME (or set judge.model in the task)`, { key: "--judge-model" });
  const spec = config.judgeSpec(model, settings.base_url);
  const resolved = await judgePrice(config, settings, model);
  if (config.budgetUsd !== undefined && !resolved?.price) {
    throw new ConfigError(`no price known for the judge ${model}: a USD budget needs one (set judge.price in the task, or price in the models file)`, { key: "--budget-usd" });
  }
  const [target] = buildModelTargets([{ ...spec, fallback: undefined, concurrency: settings.concurrency ?? spec.concurrency }], {
    stream: config.stream,
    replyLimits: config.replyLimits,
    // A judge shown the sample's media (llm_judge's with_media) reads it as the evaluated model does.
    media: { inlineUrls: config.media.inlineUrls },
    prices: new Map(resolved ? [[model, resolved]] : []),
  });
  return target;
}

/** The first task graded by a judge (a `judge` block, or `llm_judge` metrics). */
function judgedTask(tasks: readonly Task[]): Task | undefined {
  return tasks.find((t) => t.config.judge !== undefined || t.metrics.some((m) => m.judge));
}

function judgeOf(config: RunConfig, task: Task): { settings: JudgeConfig; model: string | undefined } {
  const settings = (task.config.judge as JudgeConfig | undefined) ?? JudgeConfigSchema.parse({});
  return { settings, model: config.judgeModel ?? settings.model };
}

/** The judge's price: the task's `judge.price`, else the models file's, else `--price`, else the price table's. */
async function judgePrice(config: RunConfig, settings: JudgeConfig, model: string): Promise<ResolvedPrice | undefined> {
  const spec = config.judgeSpec(model, settings.base_url);
  const given = settings.price ?? spec.price;
  // --price prices every model of the run, the judge included, unless the task or models file give the judge its own.
  if (given) return { model, price: given, source: "given" };
  if (config.price) return { model, price: config.price, source: "flag" };
  return (await resolvePrices([model], spec.baseURL ? { baseURL: spec.baseURL } : {}))[0];
}

/** The judge's name in an estimate when none is given. */
export const UNNAMED_JUDGE = "(no --judge-model)";

/**
 * The run's judge as `estimate` prices it: its name and price (undefined when no task is graded by a
 * judge; with no judge named, the name says so and the price is unknown).
 */
export async function estimateJudge(config: RunConfig, tasks: readonly Task[]): Promise<ResolvedPrice | undefined> {
  const judged = judgedTask(tasks);
  if (!judged) return undefined;
  const { settings, model } = judgeOf(config, judged);
  if (!model) return { model: UNNAMED_JUDGE, price: null, source: "unknown" };
  return (await judgePrice(config, settings, model)) ?? { model, price: null, source: "unknown" };
}
