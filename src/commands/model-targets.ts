import type OpenAI from "openai";
import type { ModelSpec } from "../config/model-specs.js";
import type { Price } from "../cost/price.js";
import type { ResolvedPrice } from "../cost/resolve-prices.js";
import { createSdkClient } from "../models/sdk-client.js";
import { openAIChat } from "../models/openai-chat.js";
import type { ReplyLimits } from "../config/run-config.js";
import type { MediaOptions } from "../media/resolve-media.js";
import type { ImageTokenRule } from "../media/image-tokens.js";
import type { ModelTarget } from "../run.js";

const OPENAI_BASE_URL = "https://api.openai.com/v1";

/** Every spec and, behind it, its fallbacks (each name once). */
export function allSpecs(specs: readonly ModelSpec[]): ModelSpec[] {
  const seen = new Map<string, ModelSpec>();
  for (const s of specs) for (let t: ModelSpec | undefined = s; t && !seen.has(t.name); t = t.fallback) seen.set(t.name, t);
  return [...seen.values()];
}

/** Prices the models file gives (for `resolvePrices`' overrides), fallbacks included. */
export function filePrices(specs: readonly ModelSpec[]): Map<string, Price> {
  return new Map(allSpecs(specs).flatMap((s): [string, Price][] => (s.price ? [[s.name, s.price]] : [])));
}

/** Image rules the models file gives (`image_tokens`), fallbacks included: what `estimate` counts images by. */
export function fileImageRules(specs: readonly ModelSpec[]): Map<string, ImageTokenRule> {
  return new Map(allSpecs(specs).flatMap((s): [string, ImageTokenRule][] => (s.imageTokens ? [[s.name, s.imageTokens]] : [])));
}

/**
 * The run's model targets from their specs: one openai SDK client per endpoint and key (one
 * connection pool), each model with its limits, resolved price and fallback.
 */
export function buildModelTargets(
  specs: readonly ModelSpec[],
  options: { readonly stream: boolean; readonly prices: ReadonlyMap<string, ResolvedPrice>; readonly replyLimits: ReplyLimits; readonly media?: MediaOptions },
): ModelTarget[] {
  const { maxBytes, maxTokenFactor } = options.replyLimits;
  // Every key of these models is scrubbed from every model's errors (a gateway may echo any of them).
  const secrets = [...new Set(allSpecs(specs).map((s) => s.apiKey))];
  const sdks = new Map<string, OpenAI>();
  const sdkFor = (spec: ModelSpec): OpenAI => {
    const id = `${spec.baseURL ?? ""}\0${spec.apiKeyEnv}`;
    let sdk = sdks.get(id);
    if (!sdk) sdks.set(id, (sdk = createSdkClient({ baseURL: spec.baseURL, apiKey: spec.apiKey, maxReplyBytes: maxBytes })));
    return sdk;
  };
  const target = (spec: ModelSpec): ModelTarget => {
    const resolved = options.prices.get(spec.name);
    return {
      client: openAIChat({ model: spec.name, apiKey: spec.apiKey, baseURL: spec.baseURL, stream: options.stream, sdk: sdkFor(spec), maxReplyTokenFactor: maxTokenFactor, secrets, ...(options.media ? { media: options.media } : {}) }),
      concurrency: spec.concurrency,
      price: resolved?.price ?? spec.price,
      ...(resolved ? { priceSource: resolved.source } : {}),
      endpoint: spec.baseURL ?? OPENAI_BASE_URL,
      reliability: spec.reliability,
      ...(spec.contextWindow === undefined ? {} : { contextWindow: spec.contextWindow }),
      ...(spec.imageTokens === undefined ? {} : { imageTokens: spec.imageTokens }),
      ...(spec.fallback ? { fallback: target(spec.fallback) } : {}),
    };
  };
  return specs.map(target);
}
