import { lastValueFrom, tap } from "rxjs";
import { loadTokenCounter } from "./cost/count-tokens.js";
import { countingModel } from "./cost/counting-model.js";
import { EstimateTotals, type ModelEstimate } from "./cost/estimate-totals.js";
import type { ResolvedPrice } from "./cost/resolve-prices.js";
import type { EvalEvent } from "./events.js";
import type { ImageTokenRule } from "./media/image-tokens.js";
import type { SourcePosition } from "./types.js";
import { type EvaluateOptions, evaluate } from "./run.js";

/** What `estimateRun` counts: the input, tasks and the models' names and prices (nothing is sent). */
export interface EstimateOptions extends Omit<EvaluateOptions, "models" | "judge" | "budget" | "stopSignal" | "abortSignal" | "window"> {
  /** The models to price, with their prices (see `resolvePrices`). */
  readonly models: readonly ResolvedPrice[];
  /** How each model bills images (the models file's `image_tokens`); a model without one: OpenAI's tile rule. */
  readonly imageRules?: ReadonlyMap<string, ImageTokenRule>;
  /** The judge of judge-graded tasks (`llm_judge`, mt_bench), with its price: its requests are counted too. */
  readonly judge?: ResolvedPrice;
  /** Warnings, rejects and other events as they happen (no result is a real one). */
  readonly onEvent?: (event: EvalEvent) => void;
}

/** A sample the estimate could not count on a model (a hook that raised, a prompt that failed to build …). */
export interface EstimateFailure {
  readonly id: string;
  readonly model: string;
  /** Where the sample was read; absent if it was read too long before its failure to be remembered. */
  readonly at?: SourcePosition;
  readonly message: string;
}

/** A pre-flight estimate: requests and tokens per model, and the cost where prices are known. */
export interface RunEstimate {
  /** Samples read (before expansion over models and repeats). */
  readonly samples: number;
  readonly rejected: number;
  /** Sample × model × repeat results that could not be counted: the estimate leaves them out. */
  readonly failed: number;
  /** The first few of them (at most MAX_LISTED_FAILURES), for the user to fix. */
  readonly failures: readonly EstimateFailure[];
  readonly models: readonly ModelEstimate[];
  /**
   * The judge's requests, when a task is graded by one: its prompts as the task's judge templates make them,
   * with each answer it reads assumed `assumed_answer_tokens` long (answers are not known before the run).
   */
  readonly judge?: ModelEstimate & { readonly assumed_answer_tokens: number };
}

/**
 * The length assumed for each answer a judge reads, in tokens (the estimate's models answer nothing). A
 * typical free-form answer; long answers (reasoning, code) make the real judge prompts longer.
 */
export const ASSUMED_ANSWER_TOKENS = 256;

/**
 * What the counting judge answers: a verdict every scale reads (`[[PASS]]` on pass_fail, `[[5]]` on 1-10
 * and MT-Bench, `[[B]]` on letter grades), so every judged sample counts as graded.
 */
const COUNTING_VERDICT = "[[PASS]] [[5]] [[B]]";

/** Failures listed in full; the rest are counted only (memory stays bounded whatever fails). */
export const MAX_LISTED_FAILURES = 20;
/**
 * Where the latest samples were read. A sample fails while in flight, and the run keeps at most its
 * demand window in flight, far under this.
 */
const REMEMBERED_POSITIONS = 16_384;

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
      client: countingModel(m.model, await loadTokenCounter(m.model), (count) => totals.add(m.model, count), "", options.imageRules?.get(m.model)),
      concurrency: 64,
      price: m.price,
      priceSource: m.source,
    })),
  );
  const judgeTotals = options.judge ? new EstimateTotals([options.judge]) : undefined;
  const judge = options.judge
    ? {
        client: countingModel(options.judge.model, await loadTokenCounter(options.judge.model), (count) => judgeTotals!.add(options.judge!.model, { ...count, promptTokens: count.promptTokens + ASSUMED_ANSWER_TOKENS }), COUNTING_VERDICT, options.imageRules?.get(options.judge.model)),
        concurrency: 64,
        price: options.judge.price,
        priceSource: options.judge.source,
      }
    : undefined;
  let samples = 0;
  let rejected = 0;
  let failed = 0;
  const failures: EstimateFailure[] = [];
  const positions = new Map<string, SourcePosition>();
  await lastValueFrom(
    evaluate({ ...withoutJudge(options), models, ...(judge ? { judge } : {}) }).pipe(
      tap((event) => {
        if (event.type === "sample-read") {
          samples++;
          positions.set(event.id, event.at);
          if (positions.size > REMEMBERED_POSITIONS) positions.delete(positions.keys().next().value as string);
        } else if (event.type === "reject") rejected++;
        else if (event.type === "result" && event.line.status === "error") {
          failed++;
          const { id, model, error } = event.line;
          const at = positions.get(id);
          if (failures.length < MAX_LISTED_FAILURES) failures.push({ id, model, ...(at ? { at } : {}), message: error?.message ?? "failed" });
        }
        options.onEvent?.(event);
      }),
    ),
    { defaultValue: undefined },
  );
  const judged = judgeTotals?.build()[0];
  return { samples, rejected, failed, failures, models: totals.build(), ...(judged ? { judge: { ...judged, assumed_answer_tokens: ASSUMED_ANSWER_TOKENS } } : {}) };
}

function withoutJudge(options: EstimateOptions): Omit<EstimateOptions, "judge"> {
  const { judge: _judge, ...rest } = options;
  return rest;
}
