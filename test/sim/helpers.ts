import OpenAI from "openai";
import type { SimServer } from "../../src/sim/index.js";
import { datasetPath } from "../support/datasets.js";

/** A real SDK client for the sim: no retries, quiet logs (malformed-stream tests make it log). */
export function clientFor(sim: SimServer, opts: { apiKey?: string; timeout?: number } = {}): OpenAI {
  return new OpenAI({ baseURL: sim.url, apiKey: opts.apiKey ?? "test", maxRetries: 0, timeout: opts.timeout ?? 10_000, logLevel: "off" });
}

export const GSM8K = datasetPath("gsm8k_test.jsonl");

/** lm-evaluation-harness's zero-shot GSM8K prompt. */
export const gsm8kPrompt = (question: string) => `Question: ${question}\nAnswer:`;
