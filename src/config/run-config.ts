import { createHash } from "node:crypto";
import { readYamlFileSync } from "../io/yaml-file.js";
import { parseRoutes } from "../routing/load-routes.js";
import { routedModels } from "../routing/rules.js";
import type { RouteRule } from "../routing/types.js";
import { parsePrice, type Price } from "../cost/price.js";
import { ConfigError } from "../errors/config-error.js";
import { parseDuration } from "../continuous/duration.js";
import { DEFAULT_MAX_REPLY_BYTES } from "../models/capped-fetch.js";
import { DEFAULT_MAX_REPLY_TOKEN_FACTOR } from "../models/openai-chat.js";
import { type JudgeConfig, resolveJudgeConfig } from "./judge-config.js";
import { type ModelSpec, resolveModelSpecs } from "./model-specs.js";
import type { ModelsConfig } from "./models-config.js";
import { type ContinuousConfig, type ContinuousFlags, resolveContinuousConfig } from "./continuous-config.js";
import type { Task } from "../work/task.js";
import { withCodeExecution } from "../python/sandbox/code-env.js";
import { DEFAULT_SANDBOX_LIMITS } from "../python/sandbox/limits.js";
import { hookEnvironment } from "../python/hooks/hook-env.js";

/** The run command's flags, as commander parsed them (strings where the user typed them). */
export interface RunFlags extends ContinuousFlags {
  task?: string[];
  model?: string[];
  baseUrl?: string;
  apiKeyEnv?: string;
  concurrency?: string;
  timeout?: string;
  ttftTimeout?: string;
  idleTimeout?: string;
  maxRetries?: string;
  rpm?: string;
  tpm?: string;
  /** The models YAML's path (loaded by the caller, passed to resolveRunConfig). */
  models?: string;
  budgetUsd?: string;
  maxTokensTotal?: string;
  price?: string;
  /** `--no-store` makes it false: no checkpoint. */
  store?: string | false;
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
  modelFamily?: string;
  inlineMedia?: boolean;
  maxImageSide?: string;
  videoFrames?: string;
  useN?: boolean;
  allowCodeExecution?: boolean;
  codeTimeout?: string;
  codeMemoryMb?: string;
  codeConcurrency?: string;
  metricsPort?: string;
  judgeModel?: string;
  judgeBaseUrl?: string;
  judgeApiKeyEnv?: string;
  grace?: string;
  python?: string;
  /** `--no-cache` makes it false. */
  cache?: boolean;
  cacheTtl?: string;
  connectTimeout?: string;
  maxReplyBytes?: string;
  maxRetryAfter?: string;
  maxReplyTokenFactor?: string;
}

/** Caps on one reply (`--max-reply-bytes`, `--max-reply-token-factor`); past them the sample ends as an error. */
export interface ReplyLimits {
  /** Bytes of one response body, streamed or not (default 16 MiB). */
  readonly maxBytes: number;
  /** Streamed output chunks (≈ tokens) per choice, as a multiple of the request's max_tokens (default 4). */
  readonly maxTokenFactor: number;
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
  /** Record results in the store and skip those recorded before (false with `--no-store`). */
  readonly checkpoint: boolean;
  /** After the first SIGINT/SIGTERM, how long samples in flight may take before they are cancelled. */
  readonly graceMs: number;
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
  /** Per evaluated model: endpoint, key, limits, timeouts, price, fallback (flags > --models file > defaults). */
  readonly modelSpecs: readonly ModelSpec[];
  readonly modelsFile: string | undefined;
  /** Routing rules file (`--route`): each sample goes to the models its first matching rule names. */
  readonly route: string | undefined;
  /** The routing file read and compiled once: its rules, and its text (the run's fingerprint hashes it). */
  readonly routing: { readonly rules: readonly RouteRule[]; readonly text: string } | undefined;
  /** Overrides every task's `num_fewshot`. */
  readonly numFewshot: number | undefined;
  /** The few-shot pool (JSONL), overriding the tasks' `fewshot_config`. */
  readonly fewshotFile: string | undefined;
  readonly fewshotAsMultiturn: boolean;
  /** lmms-eval's model family (`--model-family`): picks a task's lmms_eval_specific_kwargs block. */
  readonly modelFamily: string | undefined;
  /** Media: fetch URLs and send them inline; downscale bound; frames per video. */
  readonly media: { readonly inlineUrls: boolean; readonly maxImageSide?: number; readonly videoFrames?: number };
  /** A sample's repeats as `n` choices of one request. */
  readonly useN: boolean;
  /** Run model-generated code for tasks that need it (`--allow-code-execution`), in the sandbox. */
  readonly allowCodeExecution: boolean;
  /** The sandbox's limits set by flags (`--code-timeout`, `--code-memory-mb`); the rest keep their defaults. */
  readonly codeLimits: { readonly timeoutS?: number; readonly memoryMb?: number };
  /** Programs run at once (`--code-concurrency`, default 2). */
  readonly codeConcurrency: number;
  /** Rolling windows, alerts and endless input (see continuous-config.ts); undefined when unused. */
  readonly continuous: ContinuousConfig | undefined;
  /** Serve Prometheus metrics on 127.0.0.1 at this port while the run lasts (0: any free port). */
  readonly metricsPort: number | undefined;
  /** The interpreter for `!function` hooks (`--python`, default python3 on PATH). */
  readonly python: string;
  /** The hook worker's environment: the run's, without any credential (see hookEnvironment). */
  readonly hookEnv: NodeJS.ProcessEnv;
  /** The judge of LLM-graded tasks (`--judge-model`, `--judge-base-url`, `--judge-api-key-env`). */
  readonly judgeModel: JudgeConfig["judgeModel"];
  readonly judgeBaseURL: JudgeConfig["judgeBaseURL"];
  readonly judgeSpec: JudgeConfig["judgeSpec"];
  /** The response cache across runs, under the store (off with `--no-cache` or `--no-store`). */
  readonly cache: boolean;
  /** `--cache-ttl`: cached replies older than this are not used. */
  readonly cacheTtlMs: number | undefined;
  /** `--connect-timeout`: an endpoint that has never answered and cannot be reached for this long stops the run (exit 4). */
  readonly connectTimeoutMs: number;
  readonly replyLimits: ReplyLimits;
}

/**
 * Flags + environment → a validated RunConfig. The only place the run reads the environment:
 * `$OPENAI_BASE_URL` and the key variable (default OPENAI_API_KEY).
 */
export function resolveRunConfig(
  inputs: readonly string[],
  flags: RunFlags,
  env: NodeJS.ProcessEnv,
  needs: { apiKey?: boolean; modelsConfig?: ModelsConfig } = {},
): RunConfig {
  const modelsConfig = needs.modelsConfig;
  const models = flags.model ?? [];
  if (models.length === 0 && !flags.route) throw new ConfigError("at least one --model (or a --route file naming models) is required", { key: "--model" });
  const taskRefs = flags.task ?? [];
  if (taskRefs.length === 0) throw new ConfigError("--task is required (a task YAML file or a bundled task name such as gsm8k)", { key: "--task" });
  const apiKeyEnv = flags.apiKeyEnv ?? "OPENAI_API_KEY";
  const baseURL = flags.baseUrl ?? (env.OPENAI_BASE_URL || undefined);
  const key = env[apiKeyEnv];
  // With a models file, keys and base URLs are per model: resolveModelSpecs checks each.
  if (!key && !baseURL && needs.apiKey !== false && !modelsConfig) {
    throw new ConfigError(`no API key: set $${apiKeyEnv} (or name another variable with --api-key-env), or point --base-url at a server that needs none`, { key: "--api-key-env" });
  }
  const price = flags.price ? wrap(() => parsePrice(flags.price as string), "--price") : null;
  // Models a routing file names get a spec too (endpoint, limits, price), as --model ones do.
  const routing = flags.route ? wrap(() => readRouting(flags.route as string), "--route") : undefined;
  const routed = routing ? routedModels(routing.rules) : [];
  const modelSpecs = resolveModelSpecs(
    [...new Set([...models, ...routed])],
    {
      baseURL: flags.baseUrl,
      apiKeyEnv: flags.apiKeyEnv,
      concurrency: flags.concurrency === undefined ? undefined : int(flags.concurrency, "--concurrency", 8, 1),
      price: price ?? undefined,
      rpm: num(flags.rpm, "--rpm"),
      tpm: num(flags.tpm, "--tpm"),
      timeoutMs: seconds(flags.timeout, "--timeout"),
      ttftTimeoutMs: seconds(flags.ttftTimeout, "--ttft-timeout"),
      idleTimeoutMs: seconds(flags.idleTimeout, "--idle-timeout"),
      maxRetries: flags.maxRetries === undefined ? undefined : int(flags.maxRetries, "--max-retries", 6, 0),
      maxRetryAfterMs: flags.maxRetryAfter === undefined ? undefined : retryAfterCap(flags.maxRetryAfter),
    },
    modelsConfig,
    env,
    needs.apiKey !== false,
  );
  const codeLimits = {
    ...(flags.codeTimeout === undefined ? {} : { timeoutS: positive(flags.codeTimeout, "--code-timeout") }),
    ...(flags.codeMemoryMb === undefined ? {} : { memoryMb: int(flags.codeMemoryMb, "--code-memory-mb", 0, 64) }),
  };
  const codeConcurrency = int(flags.codeConcurrency, "--code-concurrency", 2, 1);
  return {
    inputs: inputs.length ? inputs : ["-"],
    taskRefs,
    models,
    baseURL,
    apiKey: key || "EMPTY",
    apiKeyEnv,
    concurrency: int(flags.concurrency, "--concurrency", 8, 1),
    price,
    budgetUsd: flags.budgetUsd === undefined ? undefined : positive(flags.budgetUsd, "--budget-usd"),
    maxTokensTotal: flags.maxTokensTotal === undefined ? undefined : int(flags.maxTokensTotal, "--max-tokens-total", 1, 1),
    store: typeof flags.store === "string" ? flags.store : ".streameval",
    checkpoint: flags.store !== false,
    graceMs: flags.grace === undefined ? 30_000 : graceMs(flags.grace),
    runName: flags.run === undefined ? undefined : runName(flags.run),
    fresh: flags.fresh ?? false,
    limit: flags.limit === undefined ? undefined : int(flags.limit, "--limit", 0, 0),
    repeats: flags.repeats === undefined ? undefined : int(flags.repeats, "--repeats", 1, 1),
    output: flags.output,
    summary: flags.summary,
    rejects: flags.rejects,
    progress: flags.progress,
    strict: flags.strict ?? false,
    stream: flags.stream ?? true,
    modelSpecs,
    modelsFile: modelsConfig?.file,
    route: flags.route,
    routing,
    numFewshot: flags.numFewshot === undefined ? undefined : int(flags.numFewshot, "--num-fewshot", 0, 0),
    fewshotFile: flags.fewshotFile,
    fewshotAsMultiturn: flags.fewshotAsMultiturn ?? false,
    modelFamily: flags.modelFamily,
    media: {
      inlineUrls: flags.inlineMedia ?? false,
      ...(flags.maxImageSide === undefined ? {} : { maxImageSide: int(flags.maxImageSide, "--max-image-side", 16, 16) }),
      ...(flags.videoFrames === undefined ? {} : { videoFrames: int(flags.videoFrames, "--video-frames", 1, 1) }),
    },
    useN: flags.useN ?? false,
    allowCodeExecution: flags.allowCodeExecution ?? false,
    codeLimits,
    codeConcurrency,
    continuous: resolveContinuousConfig(flags),
    metricsPort: flags.metricsPort === undefined ? undefined : port(flags.metricsPort, "--metrics-port"),
    python: flags.python ?? "python3",
    // A hook that calls HF evaluate's code_eval runs programs through the sandbox only with --allow-code-execution.
    hookEnv: withCodeExecution(
      hookEnvironment(env, [apiKeyEnv, ...modelSpecs.map((s) => s.apiKeyEnv), ...(flags.judgeApiKeyEnv ? [flags.judgeApiKeyEnv] : [])]),
      flags.allowCodeExecution ?? false,
      { ...DEFAULT_SANDBOX_LIMITS, ...codeLimits },
      codeConcurrency,
    ),
    cache: flags.cache !== false && flags.store !== false,
    cacheTtlMs: flags.cacheTtl === undefined ? undefined : duration(flags.cacheTtl, "--cache-ttl"),
    connectTimeoutMs: seconds(flags.connectTimeout, "--connect-timeout") ?? 30_000,
    ...resolveJudgeConfig(flags, env, modelsConfig, needs.apiKey !== false),
    replyLimits: {
      maxBytes: int(flags.maxReplyBytes, "--max-reply-bytes", DEFAULT_MAX_REPLY_BYTES, 1024),
      maxTokenFactor: flags.maxReplyTokenFactor === undefined ? DEFAULT_MAX_REPLY_TOKEN_FACTOR : atLeastOne(flags.maxReplyTokenFactor, "--max-reply-token-factor"),
    },
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
  // The sandbox's time and memory limits decide which programs pass; runs of other tasks keep their fingerprint.
  const limits = config.codeLimits ?? {};
  if (limits.timeoutS !== undefined || limits.memoryMb !== undefined) h.update(`code\0${JSON.stringify([limits.timeoutS ?? null, limits.memoryMb ?? null])}\0`);
  h.update(JSON.stringify({ models: config.models, baseURL: config.baseURL ?? null, repeats: config.repeats ?? null }));
  // A models file can point models at other endpoints and name fallbacks: both change what is evaluated.
  if (config.modelsFile) h.update(JSON.stringify(config.modelSpecs.map(routeOf)));
  // A judge changes the scores; runs without one keep their fingerprint.
  if (config.judgeModel !== undefined || config.judgeBaseURL !== undefined) h.update(JSON.stringify({ judge: config.judgeModel ?? null, judgeBaseURL: config.judgeBaseURL ?? null }));
  // Task names come from task files: only a safe, short prefix of them names the run's folder.
  const names = tasks.map((t) => t.name).join("+").replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^[._]+/, "").slice(0, 100);
  return `${names}-${h.digest("hex").slice(0, 12)}`;
}

/** Run names are folder names in the store: letters, digits and `._+-`, 1–128 characters, not starting with a dot. */
const RUN_NAME = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,127}$/;

/** `--run NAME`, checked: it becomes a folder under the store (`..`, `/`, newlines would escape or garble it). */
export function runName(text: string): string {
  if (!RUN_NAME.test(text)) {
    const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
    throw new ConfigError(`expected a run name of 1 to 128 letters, digits, '.', '_', '+' or '-' (not starting with '.'), got ${shown}`, { key: "--run" });
  }
  return text;
}

/** Where a model spec sends requests (and its fallbacks): what of a models file changes results. */
export function routeOf(spec: ModelSpec): unknown {
  return { model: spec.name, baseURL: spec.baseURL ?? null, fallback: spec.fallback ? routeOf(spec.fallback) : null };
}

/** A number > 0 (rates), or undefined when the flag was not given. */
function num(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0) || text.trim() === "") throw new ConfigError(`expected a number > 0, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

/** A duration such as `7d`, `12h` or `90m` (`--cache-ttl`), in ms. */
function duration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new ConfigError(`expected a duration such as 90m, 12h or 7d, got ${JSON.stringify(text)}`, { key: flag });
  return ms;
}

/** Seconds as given on the command line, in ms. */
function seconds(text: string | undefined, flag: string): number | undefined {
  const s = num(text, flag);
  return s === undefined ? undefined : s * 1000;
}

function int(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`expected an integer >= ${min}, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

/** `--max-retry-after`: seconds >= 0, at most a day (a longer wait is no retry), in ms. */
function retryAfterCap(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 86_400) throw new ConfigError(`expected seconds from 0 to 86400, got ${JSON.stringify(text)}`, { key: "--max-retry-after" });
  return n * 1000;
}

function atLeastOne(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 1) throw new ConfigError(`expected a number >= 1, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new ConfigError(`expected a number > 0, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`expected a port from 0 to 65535, got ${JSON.stringify(text)}`, { key: flag });
  return n;
}

/** `--grace`: seconds >= 0 (0 cancels samples in flight at the first signal), in ms. */
function graceMs(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new ConfigError(`expected a number of seconds >= 0, got ${JSON.stringify(text)}`, { key: "--grace" });
  return n * 1000;
}

function readRouting(file: string): { rules: RouteRule[]; text: string } {
  const text = readYamlFileSync(file);
  return { rules: parseRoutes(text, file), text };
}

function wrap<T>(fn: () => T, key: string): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof ConfigError ? e : new ConfigError((e as Error).message, { key });
  }
}
