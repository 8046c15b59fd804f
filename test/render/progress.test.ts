import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { duration, Progress } from "../../src/render/progress.js";
import type { ResultLine } from "../../src/types.js";

function fakeClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, epochMs: () => c.t, sleep: async () => {} };
  return c;
}

const line = (ok: boolean, score = 1): ResultLine => ({
  id: "x", task: "t", model: "m", repeat: 0, status: ok ? "ok" : "error", input: "",
  ...(ok ? { scores: { "exact_match,strict-match": score }, cost_usd: 0.001, timing: { e2e_ms: 1, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 2 } } : { error: { type: "x", message: "", attempts: 1 } }),
});

describe("Progress", () => {
  it("shows done/total, rate, ETA, the running metric, cost, errors and retries", () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const p = new Progress({ total: 10, tty: false, write: (s) => lines.push(s), clock, intervalMs: 1000 });
    clock.t = 1000;
    p.add({ type: "result", line: line(true, 1) });
    clock.t = 2000;
    p.add({ type: "result", line: line(true, 0) });
    p.add({ type: "result", line: line(false) });
    expect(lines).toHaveLength(2);
    const last = p.line(2000);
    expect(last).toContain("3/10 30.0%");
    expect(last).toContain("1.5/s");
    expect(last).toContain("eta 5s");
    expect(last).toContain("exact_match,strict-match 0.500");
    expect(last).toContain("$0.0020");
    expect(last).toContain("errors 1");
    expect(last).toContain("retries 2");
  });

  it("without a total says how many are done, and redraws in place on a TTY", () => {
    const clock = fakeClock();
    const out: string[] = [];
    const p = new Progress({ tty: true, write: (s) => out.push(s), clock });
    p.add({ type: "result", line: line(true) });
    expect(out[0]?.startsWith("\r\u001b[2K1 done")).toBe(true);
    p.finish();
    expect(out.at(-1)).toMatch(/\n$/);
  });

  it("formats durations", () => {
    expect(duration(5)).toBe("5s");
    expect(duration(65)).toBe("1m05s");
    expect(duration(3 * 3600 + 120)).toBe("3h02m");
    expect(duration(Number.POSITIVE_INFINITY)).toBe("?");
  });
});
