import { calcPrice, type PriceCalculation } from "@pydantic/genai-prices";
import type { Price, PriceTier } from "./price.js";

/** A price found in the bundled table, with where it came from (for the summary and messages). */
export interface TablePrice {
  readonly price: Price;
  /** The table's provider and model ids, e.g. `openai` / `gpt-4o-mini` for `gpt-4o-mini-2024-07-18`. */
  readonly provider: string;
  readonly modelId: string;
}

export interface LookupOptions {
  /** The endpoint the model is called at; a known provider's URL (api.openai.com …) narrows the match. */
  readonly baseURL?: string;
  /** Prices in force at this time (default now): the table holds dated price changes. */
  readonly at?: Date;
}

/**
 * Looks a model up in `@pydantic/genai-prices`' table, which is bundled in the package (no network
 * at run time). Tries, in order: the endpoint's provider (when the base URL is a known provider's,
 * not loopback), the bare model name across providers (`gpt-4o-mini-2024-07-18` matches
 * openai/gpt-4o-mini), and for `vendor/model` names OpenRouter's table and then the vendor's own.
 * Returns null for a model the table does not know: the caller reports its cost as unknown.
 */
export function lookupPrice(model: string, options: LookupOptions = {}): TablePrice | null {
  const found = find(model, options);
  return found ? toTablePrice(found) : null;
}

function find(model: string, { baseURL, at }: LookupOptions): PriceCalculation | null {
  // One token each way: the table returns the model's prices in force, which is all we read.
  const usage = { input_tokens: 1, output_tokens: 1 };
  const timestamp = at ?? new Date();
  if (baseURL && !isLocal(baseURL)) {
    const byEndpoint = calcPrice(usage, model, { providerApiUrl: baseURL, timestamp });
    if (byEndpoint) return byEndpoint;
  }
  const bare = calcPrice(usage, model, { timestamp });
  if (bare) return bare;
  const slash = model.indexOf("/");
  if (slash > 0) {
    return calcPrice(usage, model, { providerId: "openrouter", timestamp }) ?? calcPrice(usage, model.slice(slash + 1), { providerId: model.slice(0, slash), timestamp });
  }
  return null;
}

/** The table's `input_mtok`, `output_mtok` and `cache_read_mtok` (USD per 1M, flat or tiered by prompt size). */
function toTablePrice(calc: PriceCalculation): TablePrice | null {
  const mp = calc.model_price;
  const input = base(mp.input_mtok);
  const output = base(mp.output_mtok);
  if (input === undefined || output === undefined) return null;
  const cached = base(mp.cache_read_mtok);
  const tiers = tiersOf(mp.input_mtok, mp.output_mtok, mp.cache_read_mtok);
  const price: Price = {
    input,
    output,
    ...(cached !== undefined ? { cached_input: cached } : {}),
    ...(tiers.length ? { tiers } : {}),
  };
  return { price, provider: calc.provider.id, modelId: calc.model.id };
}

type TableValue = PriceCalculation["model_price"][string];

function base(v: TableValue): number | undefined {
  if (typeof v === "number") return v;
  return v && typeof v === "object" ? v.base : undefined;
}

/** At a tier's `start` (prompt tokens, exclusive), every token of the request is billed at the tier's rate. */
function priceAt(v: TableValue, promptTokens: number): number | undefined {
  if (typeof v === "number" || v === undefined) return v;
  let p = v.base;
  for (const t of v.tiers) if (promptTokens > t.start) p = t.price;
  return p;
}

function tiersOf(input: TableValue, output: TableValue, cached: TableValue): PriceTier[] {
  const starts = new Set<number>();
  for (const v of [input, output, cached]) if (v && typeof v === "object") for (const t of v.tiers) starts.add(t.start);
  return [...starts]
    .sort((a, b) => a - b)
    .map((start) => {
      const c = priceAt(cached, start + 1);
      return {
        above_prompt_tokens: start,
        input: priceAt(input, start + 1) as number,
        output: priceAt(output, start + 1) as number,
        ...(c !== undefined ? { cached_input: c } : {}),
      };
    });
}

function isLocal(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
    return host === "localhost" || host === "::1" || host.startsWith("127.") || host === "0.0.0.0";
  } catch {
    return true;
  }
}
