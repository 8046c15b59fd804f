import { describe, expect, it } from "vitest";
import { duration, LiveLatency } from "../../src/observe/live-latency.js";
import type { ResultLine } from "../../src/types.js";

const result = (timing: ResultLine["timing"], over: Partial<ResultLine> = {}, resumed = false) => ({
  type: "result" as const,
  line: { id: "1", task: "t", model: "m", repeat: 0, status: "ok" as const, input: "", timing, ...over },
  resumed,
});

describe("LiveLatency", () => {
  it("gives running TTFT, TPOT and E2E percentiles for the progress line", () => {
    const live = new LiveLatency();
    expect(live.parts()).toEqual([]);
    for (let i = 1; i <= 100; i++) live.add(result({ e2e_ms: i * 100, ttft_ms: 200, tpot_ms: 8.4, queue_ms: 0, attempts: 1 }));
    expect(live.parts()).toEqual(["ttft p50 200ms", "tpot p50 8.4ms", "e2e p50/p99 5.00s/9.90s"]);
  });

  it("leaves out errors, resumed results and a null TTFT", () => {
    const live = new LiveLatency();
    live.add(result({ e2e_ms: 50, ttft_ms: 10, tpot_ms: 1, queue_ms: 0, attempts: 1 }, { status: "error" }));
    live.add(result({ e2e_ms: 50, ttft_ms: 10, tpot_ms: 1, queue_ms: 0, attempts: 1 }, {}, true));
    live.add(result({ e2e_ms: 1500, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 1 }));
    expect(live.parts()).toEqual(["e2e p50/p99 1.50s/1.50s"]);
  });

  it("formats durations with the digits that matter", () => {
    expect([duration(8.44), duration(210.4), duration(1830), duration(61_000)]).toEqual(["8.4ms", "210ms", "1.83s", "61.0s"]);
  });
});
