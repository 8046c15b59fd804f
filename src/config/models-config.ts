import { LineCounter, parseDocument } from "yaml";
import { readYamlFile, yamlValue } from "../io/yaml-file.js";
import { z } from "../zod.js";
import type { Price } from "../cost/price.js";
import { OPENAI_TILE_RULE, type ImageTokenRule } from "../media/image-tokens.js";
import { ConfigError } from "../errors/config-error.js";
import { lineOf } from "../tasks/yaml-location.js";

/**
 * The models YAML (`--models FILE`): per model, how to reach it, how hard to push it, what it costs
 * and what serves its samples when it cannot.
 *
 * ```yaml
 * models:
 *   gpt-4o-mini:
 *     base_url: https://api.openai.com/v1
 *     api_key_env: OPENAI_API_KEY
 *     concurrency: 32
 *     rpm: 5000
 *     tpm: 2000000
 *     timeout: 120          # seconds per attempt; ttft_timeout, idle_timeout likewise
 *     max_retries: 6
 *     price: { input: 0.15, output: 0.60, cached_input: 0.075 }   # USD per 1M tokens
 *     context_window: 128000
 *     image_tokens: { rule: openai_tiles, base: 85, per_tile: 170 }   # or { per_image: 258 }, { pixels_per_token: 750 }
 *     fallback: gpt-4o      # off unless named: it changes what is evaluated
 *     fallback_after: 120   # seconds a sample may wait on an open breaker before the fallback serves it
 *   gpt-4o:
 *     price: { input: 2.5, output: 10 }
 * ```
 */
export interface ModelEntry {
  /** The model's name as requests and results name it (its key in the file). */
  readonly name: string;
  readonly baseURL?: string;
  /** The environment variable holding this model's API key. */
  readonly apiKeyEnv?: string;
  readonly concurrency?: number;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly timeoutMs?: number;
  readonly ttftTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxRetries?: number;
  /** USD per 1M tokens. */
  readonly price?: Price;
  readonly contextWindow?: number;
  /** How the model bills an image's input tokens (default: OpenAI's tile rule). */
  readonly imageTokens?: ImageTokenRule;
  /** Another model of this file that serves a sample when this one cannot. */
  readonly fallback?: string;
  readonly fallbackAfterMs?: number;
}

/** A validated models YAML (`--models`): per model its endpoint, key variable, limits, price and fallback. */
export interface ModelsConfig {
  /** The file as named in messages. */
  readonly file: string;
  readonly models: ReadonlyMap<string, ModelEntry>;
}

const positive = z.number({ error: "expected a number" }).positive({ error: "expected a number > 0" });
const count = z.number({ error: "expected an integer" }).int({ error: "expected an integer" });
const usd = z.number({ error: "expected a number (USD per 1M tokens)" }).nonnegative({ error: "expected a number >= 0 (USD per 1M tokens)" });

const side = count.min(1, { error: "expected a number of pixels >= 1" });
const tokens = count.min(0, { error: "expected a number of tokens >= 0" });
/** `image_tokens`: a rule by name (`rule`), or named by its own key (`per_image`, `pixels_per_token`); unset numbers take OpenAI's or Anthropic's published values. */
const ImageTokensSchema = z.preprocess(
  (v) => (typeof v === "object" && v !== null && !("rule" in v) ? { rule: "per_image" in v ? "per_image" : "pixels_per_token" in v ? "pixels_per_token" : "openai_tiles", ...v } : v),
  z.discriminatedUnion(
    "rule",
    [
      z.strictObject({ rule: z.literal("openai_tiles"), base: tokens.optional(), per_tile: tokens.optional(), tile: side.optional(), max_side: side.optional(), short_side: side.optional(), low: tokens.optional() }),
      z.strictObject({ rule: z.literal("per_image"), per_image: tokens }),
      z.strictObject({ rule: z.literal("pixels_per_token"), pixels_per_token: positive, max_side: side.default(1568), max_tokens: tokens.optional() }),
    ],
    { error: "expected rule: openai_tiles, per_image or pixels_per_token" },
  ),
);

const EntrySchema = z.strictObject({
  base_url: z.url({ error: "expected an http(s) URL", protocol: /^https?$/ }).optional(),
  api_key_env: z.string({ error: "expected the name of an environment variable" }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected the name of an environment variable" }).optional(),
  concurrency: count.min(1, { error: "expected an integer >= 1" }).optional(),
  rpm: positive.optional(),
  tpm: positive.optional(),
  timeout: positive.optional(),
  ttft_timeout: positive.optional(),
  idle_timeout: positive.optional(),
  max_retries: count.min(0, { error: "expected an integer >= 0" }).optional(),
  price: z.strictObject({ input: usd, output: usd, cached_input: usd.optional() }, { error: "expected {input, output, cached_input?} in USD per 1M tokens" }).optional(),
  context_window: count.min(1, { error: "expected an integer >= 1" }).optional(),
  image_tokens: ImageTokensSchema.optional(),
  fallback: z.string({ error: "expected the name of another model in this file" }).min(1).optional(),
  fallback_after: z.number({ error: "expected a number of seconds" }).nonnegative({ error: "expected a number of seconds >= 0" }).optional(),
});

const FileSchema = z.strictObject({
  // A model with no settings (`local:`) parses as null.
  models: z.record(z.string(), z.preprocess((v) => v ?? {}, EntrySchema), { error: "expected a map of model names to their settings" }),
});

/** Validates models YAML text; `file` names it in messages (ConfigError with file, line and key). */
export function parseModelsConfig(text: string, file: string): ModelsConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) throw new ConfigError(`invalid YAML: ${yamlError.message.split("\n")[0]}`, { file, line: lc.linePos(yamlError.pos[0]).line });
  const parsed = FileSchema.safeParse(yamlValue(doc, file) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
    const message = issue.code === "unrecognized_keys" ? unknownKeyMessage(issue.path) : issue.message;
    throw new ConfigError(message, { file, line: lineOf(doc, lc, path), key: formatPath(path) });
  }
  const models = new Map<string, ModelEntry>();
  for (const [name, raw] of Object.entries(parsed.data.models)) models.set(name, toEntry(name, raw));
  for (const entry of models.values()) checkFallback(entry, models, (key) => ({ file, line: lineOf(doc, lc, ["models", entry.name, key]), key: `models.${entry.name}.${key}` }));
  return { file, models };
}

/** Reads and validates a models YAML file. */
export async function loadModelsConfig(path: string): Promise<ModelsConfig> {
  let text: string;
  try {
    text = await readYamlFile(path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError((e as NodeJS.ErrnoException).code === "ENOENT" ? "models file not found" : `cannot read models file: ${(e as Error).message}`, { file: path, key: "--models" });
  }
  return parseModelsConfig(text, path);
}

function toEntry(name: string, e: z.infer<typeof EntrySchema>): ModelEntry {
  const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  const entry: Record<string, unknown> = {
    name,
    baseURL: e.base_url,
    apiKeyEnv: e.api_key_env,
    concurrency: e.concurrency,
    rpm: e.rpm,
    tpm: e.tpm,
    timeoutMs: ms(e.timeout),
    ttftTimeoutMs: ms(e.ttft_timeout),
    idleTimeoutMs: ms(e.idle_timeout),
    maxRetries: e.max_retries,
    price: e.price,
    contextWindow: e.context_window,
    imageTokens: imageRule(e.image_tokens),
    fallback: e.fallback,
    fallbackAfterMs: ms(e.fallback_after),
  };
  for (const k of Object.keys(entry)) if (entry[k] === undefined) delete entry[k];
  return entry as unknown as ModelEntry;
}

/** The image rule an entry gives, its unset numbers filled from the published rule. */
function imageRule(raw: z.infer<typeof ImageTokensSchema> | undefined): ImageTokenRule | undefined {
  if (raw === undefined || raw.rule !== "openai_tiles") return raw;
  const { rule: _rule, ...given } = raw;
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...OPENAI_TILE_RULE, ...("base" in set && !("low" in set) ? { low: set.base } : {}), ...set };
}

function checkFallback(entry: ModelEntry, models: ReadonlyMap<string, ModelEntry>, where: (key: string) => ConstructorParameters<typeof ConfigError>[1]): void {
  if (entry.fallbackAfterMs !== undefined && entry.fallback === undefined) throw new ConfigError("`fallback_after` needs a `fallback` model", where("fallback_after"));
  if (entry.fallback === undefined) return;
  if (!models.has(entry.fallback)) {
    throw new ConfigError(`unknown model \`${entry.fallback}\`: a fallback must be a model of this file (${[...models.keys()].join(", ")})`, where("fallback"));
  }
  const chain = [entry.name];
  for (let next: string | undefined = entry.fallback; next !== undefined; next = models.get(next)?.fallback) {
    if (chain.includes(next)) throw new ConfigError(`fallbacks form a cycle: ${[...chain, next].join(" -> ")}`, where("fallback"));
    chain.push(next);
  }
}

const KNOWN_KEYS = Object.keys(EntrySchema.shape).join(", ");

function unknownKeyMessage(parent: readonly PropertyKey[]): string {
  return parent.length === 0 ? "unknown key: the file holds `models:` only" : parent.length === 2 && parent[0] === "models" ? `unknown key (known: ${KNOWN_KEYS})` : "unknown key";
}

/** `models.gpt-4o.price.input`, as messages write a key. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((seg) => (typeof seg === "number" ? `[${seg}]` : String(seg))).join(".").replace(/\.\[/g, "[");
}

