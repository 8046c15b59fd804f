import { createHash } from "node:crypto";
import { parsePrice, type Price } from "../cost/price.js";
import { ConfigError } from "../errors/config-error.js";
import type { Task } from "../tasks/types.js";

/** The run command's flags, as commander parsed them (strings where the user typed them). */
export interface RunFlags {
  task?: string[];
  model?: string[];
  baseUrl?: string;
  apiKeyEnv?: string;
  concurrency?: string;
  timeout?: string;
  maxRetries?: string;
  budgetUsd?: string;
  maxTokensTotal?: string;
  price?: string;
  store?: string;
  run?: string;
  fresh?: boolean;
  limit?: string;
  repeats?: string;
  output?: string;
  summary?: string;
  rejects?: string;
  progress?: boolean;
  strict?: boolean;
  stream?: boolean;
  route?: string;
  numFewshot?: string;
  fewshotFile?: string;
  fewshotAsMultiturn?: boolean;
  useN?: boolean;
}

/** A validated run configuration: everything the run needs, with the secret resolved but never printed. */
export interface RunConfig {
  readonly inputs: readonly string[];
  readonly taskRefs: readonly string[];
  readonly models: readonly string[];
  readonly baseURL: string | undefined;
  /** The key's value; only ever handed to the SDK. */
  readonly apiKey: string;
  readonly apiKeyEnv: string;
  readonly concurrency: number;
  readonly price: Price | null;
  /** `--budget-usd`: a hard spending limit. */
  readonly budgetUsd: number | undefined;
  /** `--max-tokens-total`: a hard limit on prompt + completion tokens. */
  readonly maxTokensTotal: number | undefined;
  readonly store: string;
  readonly runName: string | undefined;
  readonly fresh: boolean;
  readonly limit: number | undefined;
  readonly repeats: number | undefined;
  readonly output: string | undefined;
  readonly summary: string | undefined;
  readonly rejects: string | undefined;
  readonly progress: boolean | undefined;
  readonly strict: boolean;
  readonly stream: boolean;
  /** Routing rules file (`--route`): each sample goes to the models its first matching rule names. */
  readonly route: string | undefined;
  /** Overrides every task's `num_fewshot`. */
  readonly numFewshot: number | undefined;
  /** The few-shot pool (JSONL), overriding the tasks' `fewshot_config`. */
  readonly fewshotFile: string | undefined;
  readonly fewshotAsMultiturn: boolean;
  /** A sample's repeats as `n` choices of one request. */
  readonly useN: boolean;
}

/**
 * Flags + environment → a validated RunConfig. The only place the run reads the environment:
 * `$OPENAI_BASE_URL` and the key variable (default OPENAI_API_KEY).
 */
export function resolveRunConfig(inputs: readonly string[], flags: RunFlags, env: NodeJS.ProcessEnv, needs: { apiKey?: boolean } = {}): RunConfig {
  const models = flags.model ?? [];
  if (models.length === 0 && !flags.route) throw new ConfigError("at least one --model (or a --route file naming models) is required", { key: "--model" });
  const taskRefs = flags.task ?? [];
  if (taskRefs.length === 0) throw new ConfigError("--task is required (a task YAML file or a bundled task name such as gsm8k)", { key: "--task" });
  const apiKeyEnv = flags.apiKeyEnv ?? "OPENAI_API_KEY";
  const baseURL = flags.baseUrl ?? (env.OPENAI_BASE_URL || undefined);
  const key = env[apiKeyEnv];
  if (!key && !baseURL && needs.apiKey !== false) {
    throw new ConfigError(`no API key: set $${apiKeyEnv} (or name another variable with --api-key-env), or point --base-url at a server that needs none`, { key: "--api-key-env" });
  }
  return {
    inputs: inputs.length ? inputs : ["-"],
    taskRefs,
    models,
    baseURL,
    apiKey: key || "EMPTY",
    apiKeyEnv,
    concurrency: int(flags.concurrency, "--concurrency", 8, 1),
    price: flags.price ? wrap(() => parsePrice(flags.price as string), "--price") : null,
    budgetUsd: flags.budgetUsd === undefined ? undefined : positive(flags.budgetUsd, "--budget-usd"),
    maxTokensTotal: flags.maxTokensTotal === undefined ? undefined : int(flags.maxTokensTotal, "--max-tokens-total", 1, 1),
    store: flags.store ?? ".streameval",
    runName: flags.run,
    fresh: flags.fresh ?? false,
    limit: flags.limit === undefined ? undefined : int(flags.limit, "--limit", 0, 0),
    repeats: flags.repeats === undefined ? undefined : int(flags.repeats, "--repeats", 1, 1),
    output: flags.output,
    summary: flags.summary,
    rejects: flags.rejects,
    progress: flags.progress,
    strict: flags.strict ?? false,
    stream: flags.stream ?? true,
    route: flags.route,
    numFewshot: flags.numFewshot === undefined ? undefined : int(flags.numFewshot, "--num-fewshot", 0, 0),
    fewshotFile: flags.fewshotFile,
    fewshotAsMultiturn: flags.fewshotAsMultiturn ?? false,
    useN: flags.useN ?? false,
  };
}

/**
 * The default run id: the task names and a fingerprint of what changes results — the tasks' text,
 * the models, the endpoint and the repeats — so editing a prompt starts a new run.
 */
export function runFingerprint(config: RunConfig, tasks: readonly Task[], routesText?: string): string {
  const h = createHash("sha256");
  for (const t of tasks) h.update(`task\0${t.name}\0${t.origin.text}\0`);
  // Routing rules change which model answers; asking for n choices changes the replies.
  if (routesText !== undefined) h.update(`routes\0${routesText}\0`);
  if (config.useN) h.update("use-n\0");
  h.update(JSON.stringify({ models: config.models, baseURL: config.baseURL ?? null, repeats: config.repeats ?? null }));
  return `${tasks.map((t) => t.name).join("+")}-${h.digest("hex").slice(0, 12)}`;
}

function int(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`expected an integer >= ${min}, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new ConfigError(`expected a number > 0, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

function wrap<T>(fn: () => T, key: string): T {
  try {
    return fn();
  } catch (e) {
    throw new ConfigError((e as Error).message, { key });
  }
}
