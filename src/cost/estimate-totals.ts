import type { RequestCount } from "./counting-model.js";
import { costOf, type Price } from "./price.js";
import type { ResolvedPrice } from "./resolve-prices.js";

/** A pre-flight estimate for one model: what the run would send, and what it would cost. */
export interface ModelEstimate {
  readonly model: string;
  readonly requests: number;
  readonly prompt_tokens: number;
  /** The sum of the requests' output allowances (`max_tokens`); null if a request set none. */
  readonly max_output_tokens: number | null;
  readonly price: Price | null;
  readonly price_source: ResolvedPrice["source"];
  /** Prompts only: no run can cost less (the replies are not free). Null when the price is unknown. */
  readonly low_usd: number | null;
  /** Prompts plus every reply at its full allowance; null when unbounded or the price is unknown. */
  readonly high_usd: number | null;
}

interface Acc {
  requests: number;
  prompt: number;
  maxOutput: number | null;
  lowMicros: number;
  highMicros: number;
}

/**
 * Sums counted requests per model, pricing each request on its own (long-context tiers depend on
 * its prompt size). Memory: one accumulator per model.
 */
export class EstimateTotals {
  readonly #prices: ReadonlyMap<string, ResolvedPrice>;
  readonly #acc = new Map<string, Acc>();

  constructor(prices: readonly ResolvedPrice[]) {
    this.#prices = new Map(prices.map((p) => [p.model, p]));
    for (const p of prices) this.#acc.set(p.model, { requests: 0, prompt: 0, maxOutput: 0, lowMicros: 0, highMicros: 0 });
  }

  add(model: string, count: RequestCount): void {
    let a = this.#acc.get(model);
    if (!a) this.#acc.set(model, (a = { requests: 0, prompt: 0, maxOutput: 0, lowMicros: 0, highMicros: 0 }));
    const price = this.#prices.get(model)?.price ?? null;
    a.requests++;
    a.prompt += count.promptTokens;
    a.maxOutput = a.maxOutput === null || count.maxOutputTokens === null ? null : a.maxOutput + count.maxOutputTokens;
    a.lowMicros += (costOf({ prompt_tokens: count.promptTokens, completion_tokens: 0 }, price) ?? 0) * 1e6;
    a.highMicros += (costOf({ prompt_tokens: count.promptTokens, completion_tokens: count.maxOutputTokens ?? 0 }, price) ?? 0) * 1e6;
  }

  build(): ModelEstimate[] {
    return [...this.#acc].map(([model, a]) => {
      const p = this.#prices.get(model);
      const price = p?.price ?? null;
      return {
        model,
        requests: a.requests,
        prompt_tokens: a.prompt,
        max_output_tokens: a.maxOutput,
        price,
        price_source: p?.source ?? "unknown",
        low_usd: price ? roundUsd(a.lowMicros) : null,
        high_usd: price && a.maxOutput !== null ? roundUsd(a.highMicros) : null,
      };
    });
  }
}

const roundUsd = (micros: number): number => Math.round(micros * 1e6) / 1e12;
