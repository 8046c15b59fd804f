import { describe, expect, it } from "vitest";
import type { ResultLine } from "../../src/types.js";
import { ReliabilityStats } from "../../src/reliability/reliability-stats.js";

const line = (model: string, extra: Partial<ResultLine> = {}): ResultLine => ({ id: "x", task: "t", model, repeat: 0, status: "ok", input: "", ...extra });

describe("ReliabilityStats", () => {
  it("folds attempts, retries by cause, breaker trips and open time, fallbacks and failures per model", () => {
    const s = new ReliabilityStats();
    for (let i = 0; i < 5; i++) s.add({ type: "request-start", model: "a", id: `s${i}`, attempt: 1 });
    s.add({ type: "retry", model: "a", id: "s1", attempt: 1, cause: "rate_limit", delay_ms: 10 });
    s.add({ type: "retry", model: "a", id: "s2", attempt: 1, cause: "server_error", delay_ms: 10 });
    s.add({ type: "retry", model: "a", id: "s2", attempt: 2, cause: "rate_limit", delay_ms: 10 });
    s.add({ type: "breaker-open", endpoint: "e", trips: 1, models: ["a", "b"] });
    s.add({ type: "breaker-close", endpoint: "e", open_ms: 2500, models: ["a", "b"] });
    s.add({ type: "concurrency-change", model: "a", limit: 4, reason: "decrease" });
    s.add({ type: "concurrency-change", model: "a", limit: 1, reason: "restart" });
    s.add({ type: "concurrency-change", model: "a", limit: 2, reason: "increase" });
    s.add({ type: "result", line: line("a", { served_by: "backup" }) });
    s.add({ type: "result", line: line("a", { status: "error" }) });
    s.add({ type: "result", line: line("a", { status: "error" }), resumed: true });
    expect(s.forModel("a")).toEqual({
      attempts: 5,
      retries: { total: 3, by_cause: { rate_limit: 2, server_error: 1 } },
      breaker: { trips: 1, open_s: 2.5 },
      fallbacks: 1,
      failed: 1,
      min_concurrency: 1,
    });
    expect(s.forModel("b").breaker).toEqual({ trips: 1, open_s: 2.5 });
    expect(s.forModel("unseen")).toMatchObject({ attempts: 0, min_concurrency: null });
  });
});
