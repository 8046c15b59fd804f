import type { ResultLine } from "../src/types.js";

/**
 * The `i`-th of N GSM8K-shaped result lines, as the CLI records them (distinct ids, the test split's 1,319 questions
 * repeated): what the store benches (store-memory.ts, store-layouts.ts) write without a graph around them.
 */
export const gsm8kResultLine = (i: number): ResultLine =>
  ({
    id: `gsm8k-test-${i % 1319}-r${Math.floor(i / 1319)}`,
    task: "gsm8k",
    model: "sim",
    repeat: 0,
    status: "ok",
    input: `Question: question ${i % 1319} of the test split, as its prompt renders it, with its numbers and its words.\nAnswer:`,
    response: `Let me work it out step by step. Working through the numbers one step at a time gives the result. So the answer is ${i % 97}.\n#### ${i % 97}`,
    filtered: { "strict-match": String(i % 97), "flexible-extract": String(i % 97) },
    target: String(i % 89),
    scores: { "exact_match,strict-match": Number(i % 97 === i % 89), "exact_match,flexible-extract": Number(i % 97 === i % 89) },
    usage: { prompt_tokens: 73, completion_tokens: 33 },
    cost_usd: null,
    timing: { e2e_ms: Math.random() * 400, ttft_ms: Math.random() * 400, tpot_ms: 0.03, output_tokens_per_s: 83.68, queue_ms: Math.random() * 3, attempts: 1 },
    fingerprint: "sha256:fed17fd461718114a5109f8cd50eec0d",
    ended_at: new Date().toISOString(),
  }) as unknown as ResultLine;
