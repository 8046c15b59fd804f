import type { ResultLine } from "../../src/types.js";
import type { WindowReport } from "../../src/continuous/window-report.js";
import type { WindowScope } from "../../src/continuous/window-stats.js";

export const KEY = "exact_match,strict-match";
export const scope: WindowScope = { tasks: [{ name: "t", aggregations: new Map([["exact_match", "mean"]]) }], models: ["m"] };

/** An ok result scoring `score`, with an end-to-end latency and a cost. */
export function ok(id: string, score: number, extra: { e2e?: number; cost?: number | null; model?: string } = {}): ResultLine {
  return {
    id, task: "t", model: extra.model ?? "m", repeat: 0, status: "ok", input: "q", response: "r",
    scores: { [KEY]: score }, usage: { prompt_tokens: 10, completion_tokens: 5 },
    cost_usd: extra.cost === undefined ? 0.001 : extra.cost,
    timing: { e2e_ms: extra.e2e ?? 100, ttft_ms: null, tpot_ms: null, queue_ms: 1, attempts: 1 },
  };
}

export function failed(id: string, type = "timeout"): ResultLine {
  return { id, task: "t", model: "m", repeat: 0, status: "error", input: "q", error: { type, message: "x", attempts: 3 } };
}

/** What the marble tests compare: a report's bounds, counts and first metric. */
export function brief(r: WindowReport) {
  const m = r.models.m!;
  return {
    index: r.index,
    start: Date.parse(r.start),
    end: Date.parse(r.end),
    partial: r.partial,
    total: r.samples.total,
    error: r.samples.error,
    value: m.metrics[KEY]?.value ?? null,
  };
}
