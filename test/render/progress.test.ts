import { describe, expect, it, vi } from "vitest";
import type { Clock } from "../../src/clock.js";
import { duration, Progress } from "../../src/render/progress.js";
import type { ResultLine } from "../../src/types.js";
import type { ProcessMeter } from "../../src/observe/process-meter.js";

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
    // 1 and 0: mean 0.5, sample sd √0.5, stderr √0.5/√2 = 0.5.
    expect(last).toContain("exact_match,strict-match 0.500 ± 0.500");
    expect(last).toContain("$0.0020");
    expect(last).toContain("errors 1");
    expect(last).toContain("retries 2");
  });

  it("shows the process meter's latest RSS and CPU share, once it has a reading", () => {
    const clock = fakeClock();
    const meter: { now?: ReturnType<ProcessMeter["latest"]> } = {};
    const p = new Progress({ tty: false, write: () => {}, clock, process: { latest: () => meter.now } });
    expect(p.line(0)).not.toContain("rss");
    meter.now = { reading: { rssBytes: 123.4 * 1048576, heapUsedBytes: 0, heapTotalBytes: 0, cpuUserMicros: 0, cpuSystemMicros: 0 }, cpuPercent: 87.6 };
    expect(p.line(0)).toContain("rss 123 MB · cpu 88%");
    // One reading gives no CPU share yet.
    meter.now = { ...meter.now, cpuPercent: null };
    expect(p.line(0)).toMatch(/rss 123 MB$/);
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

  it("counts resumed results as done but not in the rate or retries, and says how many were resumed", () => {
    const clock = fakeClock();
    const p = new Progress({ total: 10, tty: false, write: () => {}, clock });
    for (let i = 0; i < 6; i++) p.add({ type: "result", line: line(true), resumed: true });
    clock.t = 2000;
    p.add({ type: "result", line: line(true) });
    p.add({ type: "result", line: line(true) });
    const text = p.line(2000);
    expect(text).toContain("8/10 80.0%");
    expect(text).toContain("1.0/s");
    expect(text).toContain("eta 2s");
    expect(text).toContain("retries 2");
    expect(text).toContain("resumed 6");
  });

  it("takes rejected lines off the total", () => {
    const clock = fakeClock();
    const p = new Progress({ total: 12, itemsPerSample: 2, tty: false, write: () => {}, clock });
    p.add({ type: "reject", reject: { at: { file: "f", line: 1 }, reason: "bad", raw: "" } });
    expect(p.line(0)).toContain("0/10");
    expect(p.line(0)).toContain("rejected 1");
  });

  it("the rate follows the current pace once the run has gone on a while", () => {
    const clock = fakeClock();
    const p = new Progress({ total: 100_000, tty: false, write: () => {}, clock, intervalMs: 1000 });
    // 10/s for 60 s, then 1/s for 60 s: the plain average would say 5.5/s
    for (let s = 1; s <= 120; s++) {
      clock.t = s * 1000;
      for (let i = 0; i < (s <= 60 ? 10 : 1); i++) p.add({ type: "result", line: line(true) });
      p.draw();
    }
    const rate = Number(/ (\d+\.\d)\/s/.exec(p.line(clock.t))?.[1]);
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(2.5);
  });

  it("start() draws a plain line every interval while nothing finishes, finish() stops it", () => {
    vi.useFakeTimers();
    try {
      const clock = fakeClock();
      const lines: string[] = [];
      const p = new Progress({ tty: false, write: (s) => lines.push(s), clock, intervalMs: 5000 });
      p.start();
      vi.advanceTimersByTime(15_000);
      expect(lines).toHaveLength(3);
      expect(lines.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
      p.finish();
      vi.advanceTimersByTime(15_000);
      expect(lines).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("cuts a TTY line to the terminal width, and shows a stop at once", () => {
    const clock = fakeClock();
    const out: string[] = [];
    const p = new Progress({ total: 10, tty: true, write: (s) => out.push(s), clock, columns: 30 });
    p.add({ type: "stopping", reason: "interrupted", message: "" });
    expect(out).toHaveLength(1);
    expect(out[0]!.replace("\r\x1b[2K", "").length).toBeLessThan(30);
    expect(p.line(0)).toContain("stopping (interrupted)");
  });
});
