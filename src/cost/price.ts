import type { Usage } from "../types.js";

/** USD per 1M tokens. `cached_input` applies to cached prompt tokens when the table has it. */
export interface Price {
  readonly input: number;
  readonly output: number;
  readonly cached_input?: number;
}

/**
 * Cost of one reply in USD, or null when the price is unknown (never a silent 0).
 * Summed in micro-dollar precision by the caller where totals matter.
 */
export function costOf(usage: Usage | null | undefined, price: Price | null | undefined): number | null {
  if (!usage || !price) return null;
  const cached = Math.min(usage.cached_tokens ?? 0, usage.prompt_tokens);
  const cachedPrice = price.cached_input ?? price.input;
  return ((usage.prompt_tokens - cached) * price.input + cached * cachedPrice + usage.completion_tokens * price.output) / 1e6;
}

/** Parses `--price IN/OUT` (USD per 1M input / output tokens). */
export function parsePrice(text: string): Price {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) throw new RangeError(`Expected \`--price\` as IN/OUT in USD per 1M tokens (e.g. 0.15/0.6), got ${JSON.stringify(text)}`);
  return { input: Number(m[1]), output: Number(m[2]) };
}
