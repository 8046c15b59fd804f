import { z } from "../zod.js";
import type { MetricFactory, MetricFn } from "./types.js";

/**
 * Metrics that lm-evaluation-harness computes from loglikelihoods, not from a text answer: the
 * multiple_choice, loglikelihood and loglikelihood_rolling pipelines score them from the model's
 * logprobs (see src/pipelines/multiple-choice-scores.ts and loglikelihood-scores.ts). They are listed
 * here so that `metric_list` can name them, with the harness's aggregation and direction, and so that a
 * task naming one for an output type that cannot produce it fails when it is loaded.
 *
 * Their `create` accepts no options; the returned function must never be called on a text prediction.
 */
function fromLogprobs<A extends string>(name: string, aggregation: A, higherIsBetter: boolean, outputTypes: MetricFactory["outputTypes"]): MetricFactory<A> {
  return {
    aggregation,
    higherIsBetter,
    outputTypes,
    scoredFromLogprobs: true,
    create(options): MetricFn {
      z.strictObject({}).parse(options);
      return () => {
        throw new Error(`\`${name}\` is scored from loglikelihoods by its pipeline, not from a text prediction`);
      };
    },
  };
}

/** multiple_choice: 1 when the likeliest choice is the gold one. loglikelihood: 1 when the continuation is the greedy one. */
export const acc = fromLogprobs("acc", "mean", true, ["multiple_choice", "loglikelihood"]);
/** multiple_choice: 1 when the likeliest choice, each loglikelihood divided by its choice's length in characters, is the gold one. */
export const accNorm = fromLogprobs("acc_norm", "mean", true, ["multiple_choice"]);
/** multiple_choice: as acc_norm, each loglikelihood divided by its choice's length in UTF-8 bytes. */
export const accBytes = fromLogprobs("acc_bytes", "mean", true, ["multiple_choice"]);
/** loglikelihood: the continuation's loglikelihood per sample, aggregated as exp(−mean). */
export const perplexity = fromLogprobs("perplexity", "perplexity", false, ["loglikelihood"]);
/** loglikelihood_rolling: the text's loglikelihood, weighted by its word count: exp(−Σll / Σwords). */
export const wordPerplexity = fromLogprobs("word_perplexity", "weighted_perplexity", false, ["loglikelihood_rolling"]);
/** loglikelihood_rolling: exp(−Σll / Σbytes), bytes of UTF-8. */
export const bytePerplexity = fromLogprobs("byte_perplexity", "weighted_perplexity", false, ["loglikelihood_rolling"]);
/** loglikelihood_rolling: −Σll / Σbytes / ln 2. */
export const bitsPerByte = fromLogprobs("bits_per_byte", "bits_per_byte", false, ["loglikelihood_rolling"]);
