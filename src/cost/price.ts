import type { Usage } from "../types.js";

/**
 * Above this many prompt tokens (exclusive), every token of the request is billed at these rates
 * (long-context pricing, as the price table describes it).
 */
export interface PriceTier {
  readonly above_prompt_tokens: number;
  readonly input: number;
  readonly output: number;
  readonly cached_input?: number;
}

/** USD per 1M tokens. `cached_input` applies to cached prompt tokens when the table has it. */
export interface Price {
  readonly input: number;
  readonly output: number;
  readonly cached_input?: number;
  /** Long-context rates, by ascending threshold. */
  readonly tiers?: readonly PriceTier[];
}

/** The rates that apply to a request with this many prompt tokens (the highest tier it passes). */
export function ratesFor(price: Price, promptTokens: number): Price {
  let rates: Price = price;
  for (const t of price.tiers ?? []) {
    if (promptTokens > t.above_prompt_tokens) rates = { input: t.input, output: t.output, cached_input: t.cached_input ?? price.cached_input };
  }
  return rates;
}

/**
 * Cost of one reply in USD, or null when the price is unknown (never a silent 0).
 * Summed in micro-dollar precision by the caller where totals matter.
 */
export function costOf(usage: Usage | null | undefined, price: Price | null | undefined): number | null {
  if (!usage || !price) return null;
  const rates = ratesFor(price, usage.prompt_tokens);
  const cached = Math.min(usage.cached_tokens ?? 0, usage.prompt_tokens);
  const cachedPrice = rates.cached_input ?? rates.input;
  return ((usage.prompt_tokens - cached) * rates.input + cached * cachedPrice + usage.completion_tokens * rates.output) / 1e6;
}

/** Parses `--price IN/OUT` (USD per 1M input / output tokens). */
export function parsePrice(text: string): Price {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) throw new RangeError(`Expected \`--price\` as IN/OUT in USD per 1M tokens (e.g. 0.15/0.6), got ${JSON.stringify(text)}`);
  return { input: Number(m[1]), output: Number(m[2]) };
}
