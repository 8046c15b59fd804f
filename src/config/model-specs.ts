import type { Price } from "../cost/price.js";
import type { ImageTokenRule } from "../media/image-tokens.js";
import { ConfigError } from "../errors/config-error.js";
import { checkBaseUrl } from "./base-url.js";
import { hasCredentials, withoutCredentials } from "../errors/redact.js";
import type { ReliabilityOptions } from "../reliability/create-dispatchers.js";
import type { ModelEntry, ModelsConfig } from "./models-config.js";

/** One model as the run will use it: endpoint, key, limits, price, and its fallback. */
export interface ModelSpec {
  readonly name: string;
  readonly baseURL: string | undefined;
  /** The key's value; only ever handed to the SDK. */
  readonly apiKey: string;
  readonly apiKeyEnv: string;
  readonly concurrency: number;
  /** USD per 1M tokens; null: not known here (the price table may know it). */
  readonly price: Price | null;
  readonly contextWindow?: number;
  /** How the model bills images (the models file's `image_tokens`); absent: OpenAI's tile rule. */
  readonly imageTokens?: ImageTokenRule;
  readonly reliability: ReliabilityOptions;
  readonly fallback?: ModelSpec;
}

/**
 * Settings the command line gave explicitly (undefined: not given): those a models file entry has
 * too, which the flags override.
 */
export type SpecFlags = Pick<
  ModelEntry,
  "baseURL" | "apiKeyEnv" | "concurrency" | "price" | "rpm" | "tpm" | "timeoutMs" | "ttftTimeoutMs" | "idleTimeoutMs" | "maxRetries"
> & {
  /** `--max-retry-after`: the longest server-asked wait that is honoured (command line only). */
  readonly maxRetryAfterMs?: number;
};

/** Built-in defaults, used where neither the command line nor the models file says. */
export const SPEC_DEFAULTS = {
  apiKeyEnv: "OPENAI_API_KEY",
  concurrency: 8,
  timeoutMs: 600_000,
  ttftTimeoutMs: 180_000,
  idleTimeoutMs: 60_000,
  maxRetries: 6,
  /** A server asking to wait longer than this before a retry fails the attempt instead. */
  maxRetryAfterMs: 120_000,
  /** With a fallback: how long a sample waits on an open breaker before the fallback serves it. */
  fallbackAfterMs: 120_000,
} as const;

/**
 * Each evaluated model's spec: a flag given on the command line wins over the models file, the file
 * over `$OPENAI_BASE_URL` and the built-in defaults. Fallbacks are resolved the same way (the file
 * has checked they exist and form no cycle). Throws a ConfigError when a model has neither an API
 * key nor a base URL, unless `requireKey` is false (`estimate` makes no API call).
 */
export function resolveModelSpecs(models: readonly string[], flags: SpecFlags, file: ModelsConfig | undefined, env: NodeJS.ProcessEnv, requireKey = true): ModelSpec[] {
  const cache = new Map<string, ModelSpec>();
  const spec = (name: string): ModelSpec => {
    const hit = cache.get(name);
    if (hit) return hit;
    const e: Partial<ModelEntry> = file?.models.get(name) ?? {};
    const apiKeyEnv = flags.apiKeyEnv ?? e.apiKeyEnv ?? SPEC_DEFAULTS.apiKeyEnv;
    const given = flags.baseURL ?? e.baseURL ?? (env.OPENAI_BASE_URL || undefined);
    if (given !== undefined && hasCredentials(given)) {
      // fetch refuses such URLs, and the run would store them with its identity (`runs show`).
      throw new ConfigError(
        `the base URL ${withoutCredentials(given).replace("://", "://***@")} carries credentials: they are never sent nor stored; put the secret in an environment variable and name it with --api-key-env (api_key_env in a models file)`,
        { key: flags.baseURL !== undefined ? "--base-url" : file?.models.get(name)?.baseURL !== undefined ? "base_url" : "OPENAI_BASE_URL" },
      );
    }
    const baseURL = given === undefined ? undefined : checkBaseUrl(given, flags.baseURL !== undefined ? "--base-url" : e.baseURL !== undefined ? `models.${name}.base_url` : "$OPENAI_BASE_URL");
    const key = env[apiKeyEnv];
    if (!key && !baseURL && requireKey) {
      const where = file?.models.has(name) ? ` for model \`${name}\`` : "";
      throw new ConfigError(`no API key${where}: set $${apiKeyEnv} (or name another variable with --api-key-env or api_key_env), or point --base-url at a server that needs none`, { key: "--api-key-env" });
    }
    const result: ModelSpec = {
      name,
      baseURL,
      apiKey: key || "EMPTY",
      apiKeyEnv,
      concurrency: flags.concurrency ?? e.concurrency ?? SPEC_DEFAULTS.concurrency,
      price: flags.price ?? e.price ?? null,
      ...(e.contextWindow === undefined ? {} : { contextWindow: e.contextWindow }),
      ...(e.imageTokens === undefined ? {} : { imageTokens: e.imageTokens }),
      reliability: {
        maxRetries: flags.maxRetries ?? e.maxRetries ?? SPEC_DEFAULTS.maxRetries,
        maxRetryAfterMs: flags.maxRetryAfterMs ?? SPEC_DEFAULTS.maxRetryAfterMs,
        timeouts: {
          totalMs: flags.timeoutMs ?? e.timeoutMs ?? SPEC_DEFAULTS.timeoutMs,
          ttftMs: flags.ttftTimeoutMs ?? e.ttftTimeoutMs ?? SPEC_DEFAULTS.ttftTimeoutMs,
          idleMs: flags.idleTimeoutMs ?? e.idleTimeoutMs ?? SPEC_DEFAULTS.idleTimeoutMs,
        },
        ...defined("rpm", flags.rpm ?? e.rpm),
        ...defined("tpm", flags.tpm ?? e.tpm),
        ...defined("fallbackAfterMs", e.fallback === undefined ? undefined : (e.fallbackAfterMs ?? SPEC_DEFAULTS.fallbackAfterMs)),
      },
    };
    cache.set(name, result);
    if (e.fallback === undefined) return result;
    const withFallback = { ...result, fallback: spec(e.fallback) };
    cache.set(name, withFallback);
    return withFallback;
  };
  return models.map(spec);
}

const defined = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
