import { lastValueFrom, tap } from "rxjs";
import { loadTokenCounter } from "./cost/count-tokens.js";
import { countingModel } from "./cost/counting-model.js";
import { EstimateTotals, type ModelEstimate } from "./cost/estimate-totals.js";
import type { ResolvedPrice } from "./cost/resolve-prices.js";
import type { EvalEvent } from "./events.js";
import { type EvaluateOptions, evaluate } from "./run.js";

/** What `estimateRun` counts: the input, tasks and the models' names and prices (nothing is sent). */
export interface EstimateOptions extends Omit<EvaluateOptions, "models" | "budget" | "stopSignal" | "abortSignal" | "window"> {
  /** The models to price, with their prices (see `resolvePrices`). */
  readonly models: readonly ResolvedPrice[];
  /** Warnings, rejects and other events as they happen (no result is a real one). */
  readonly onEvent?: (event: EvalEvent) => void;
}

/** A pre-flight estimate: requests and tokens per model, and the cost where prices are known. */
export interface RunEstimate {
  /** Samples read (before expansion over models and repeats). */
  readonly samples: number;
  readonly rejected: number;
  readonly models: readonly ModelEstimate[];
}

/**
 * Prices a run before it starts, without any API call: the input goes through the same parsing,
 * templates, limits, repeats and pipelines as `evaluate`, but each model is a counting model that
 * counts every request's prompt tokens offline (gpt-tokenizer) and answers with an empty reply.
 * Per model, the cost range runs from prompts only (no run can cost less) to prompts plus every
 * reply at its full `max_tokens` (no run can cost more, up to tokenizer differences).
 * Multi-turn pipelines see empty earlier replies, so their later prompts are counted without them.
 */
export async function estimateRun(options: EstimateOptions): Promise<RunEstimate> {
  const totals = new EstimateTotals(options.models);
  const models = await Promise.all(
    options.models.map(async (m) => ({
      client: countingModel(m.model, await loadTokenCounter(m.model), (count) => totals.add(m.model, count)),
      concurrency: 64,
      price: m.price,
      priceSource: m.source,
    })),
  );
  let samples = 0;
  let rejected = 0;
  await lastValueFrom(
    evaluate({ ...options, models }).pipe(
      tap((event) => {
        if (event.type === "sample-read") samples++;
        else if (event.type === "reject") rejected++;
        options.onEvent?.(event);
      }),
    ),
    { defaultValue: undefined },
  );
  return { samples, rejected, models: totals.build() };
}
