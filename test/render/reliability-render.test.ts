import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { Progress } from "../../src/render/progress.js";
import { renderSummaryTable } from "../../src/render/summary-table.js";
import { SummaryBuilder } from "../../src/summary/summary-builder.js";

const clock: Clock = { now: () => 0, epochMs: () => 0, sleep: async () => {} };

describe("reliability in progress and the summary table", () => {
  it("progress shows an open breaker while it is open, then the trips", () => {
    const p = new Progress({ tty: false, write: () => {}, clock });
    p.add({ type: "breaker-open", endpoint: "http://api.test/v1", trips: 1 });
    expect(p.line(0)).toContain("breaker OPEN (http://api.test/v1; trips 1)");
    p.add({ type: "breaker-close", endpoint: "http://api.test/v1", open_ms: 5000 });
    expect(p.line(0)).toContain("breaker trips 1");
    expect(p.line(0)).not.toContain("OPEN");
  });

  it("the summary has a reliability section per model, and the table a line for it", () => {
    const b = new SummaryBuilder({ run: "r", tasks: [{ name: "t", aggregations: new Map() }], models: ["m"] });
    b.add({ type: "request-start", model: "m", id: "a", attempt: 1 });
    b.add({ type: "retry", model: "m", id: "a", attempt: 1, cause: "rate_limit", delay_ms: 1000 });
    b.add({ type: "request-start", model: "m", id: "a", attempt: 2 });
    b.add({ type: "breaker-open", endpoint: "e", trips: 1, models: ["m"] });
    b.add({ type: "breaker-close", endpoint: "e", open_ms: 2500, models: ["m"] });
    b.add({ type: "result", line: { id: "a", task: "t", model: "m", repeat: 0, status: "ok", input: "", served_by: "backup", timing: { e2e_ms: 1, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 2 } } });
    const summary = b.build(null, 1);
    expect(summary.models.m?.reliability).toEqual({
      attempts: 2,
      retries: { total: 1, by_cause: { rate_limit: 1 } },
      breaker: { trips: 1, open_s: 2.5 },
      fallbacks: 1,
      failed: 0,
      min_concurrency: null,
    });
    expect(renderSummaryTable(summary)).toContain("m reliability: retries rate_limit 1 · breaker trips 1 (open 2.5 s) · served by fallback 1");
  });
});
