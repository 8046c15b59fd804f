import { describe, expect, it } from "vitest";
import { renderSummaryTable } from "../../src/render/summary-table.js";
import { SummaryBuilder } from "../../src/summary/summary-builder.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";

function summaryOf(lines: Partial<ResultLine>[], extra: Partial<Summary> = {}): Summary {
  const b = new SummaryBuilder({ run: "r", tasks: [{ name: "gsm8k", aggregations: new Map() }], models: ["m"] });
  lines.forEach((l, i) => b.addResult({ id: String(i), task: "gsm8k", model: "m", repeat: 0, status: "ok", input: "", ...l }));
  return { ...b.build(null, 2), ...extra };
}

describe("the timing breakdown in the final table", () => {
  it("shows queue, TTFT, TPOT and E2E percentiles and output tokens/s per model, then throughput and the process", () => {
    // Values under 2.048 ms are exact in the HDR histograms (µs, 3 significant digits).
    const timing = (i: number) => ({ e2e_ms: 1 + i / 2, ttft_ms: 0.8, tpot_ms: 0.1, output_tokens_per_s: 1.5, queue_ms: 0.2, attempts: 1 });
    const s = summaryOf([0, 1, 2].map((i) => ({ timing: timing(i) })), {
      throughput: { wall_s: 2, requests: 3, requests_per_s: 1.5, output_tokens: 300, output_tokens_per_s: 150, concurrency_mean: 1.49, concurrency_peak: 2, in_flight: 0, models: {} },
      process: {
        samples: 3, rss_mb: { peak: 140.2, last: 120 }, heap_used_mb: { peak: 40.6, last: 30 }, cpu_s: { user: 1.25, system: 0.25 },
        cpu_percent: { mean: 75, peak: 130 }, event_loop_delay_ms: { p50: 10.1, p99: 12.3, max: 40, mean: 10.5 },
      },
    });
    const text = renderSummaryTable(s);
    expect(text).toContain("timing, p50/p90/p99");
    const row = text.split("\n").find((l) => /^gsm8k\s+m\s+0\.2\//.test(l));
    expect(row?.split(/\s{2,}/)).toEqual(["gsm8k", "m", "0.2/0.2/0.2", "0.8/0.8/0.8", "0.1/0.1/0.1", "1.5/2.0/2.0", "1.5"]);
    expect(text).toContain("throughput: 1.50 requests/s · 150.0 output tokens/s · concurrency 1.49 mean, 2 peak");
    expect(text).toContain("process: peak RSS 140 MB · peak heap 41 MB · CPU 75% mean, 130% peak (user 1.3 s, system 0.3 s) · event-loop delay p99 12.3 ms, max 40.0 ms");
  });

  it("shows a dash for TTFT and TPOT of replies that were not streamed, and nothing when nothing was timed", () => {
    const s = summaryOf([{ timing: { e2e_ms: 1.5, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 1 } }]);
    const row = renderSummaryTable(s).split("\n").find((l) => /^gsm8k\s+m\s+0\.0\//.test(l));
    expect(row?.split(/\s{2,}/)).toEqual(["gsm8k", "m", "0.0/0.0/0.0", "-", "-", "1.5/1.5/1.5", "-"]);
    expect(renderSummaryTable(summaryOf([]))).not.toContain("timing,");
    expect(renderSummaryTable(summaryOf([]))).not.toContain("throughput:");
  });
});
