import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { gsmLine, startContinuous } from "./continuous-child.js";

const KEY = "exact_match,strict-match";
let sim: SimServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-continuous-"));
  // Always right: the answer is the number the question carries. A line is "bad" when its target is
  // not that number, and a question containing FAIL gets a permanent 400.
  sim = await startSim({
    port: 0,
    accuracy: 1,
    answerKey: (prompt) => /ANSWER=(\d+)/.exec(prompt)?.[1],
    faults: (req) => (JSON.stringify(req.body).includes("FAIL") ? { status: 400, body: { error: { message: "bad", type: "invalid_request_error" } } } : undefined),
  });
});
afterAll(async () => {
  await sim.close();
});

let n = 0;
/** One input line: right when `good`, wrong otherwise (the model says N, the target says N + 1). */
const line = (good: boolean, fail = false) => {
  const i = ++n;
  return gsmLine(`s${i}`, i, good ? i : i + 1, fail);
};

const start = (args: string[]) => startContinuous(sim.url, args);

/** By hand: mean and lm-eval's stderr (sample std / √n) of a window's scores. */
function byHand(lines: readonly ResultLine[]) {
  const xs = lines.filter((l) => l.status === "ok").map((l) => l.scores?.[KEY] as number);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  const e2e = lines.filter((l) => l.status === "ok").map((l) => l.timing!.e2e_ms).sort((a, b) => a - b);
  return {
    n: xs.length,
    mean,
    stderr: Math.sqrt(variance) / Math.sqrt(xs.length),
    prompt: lines.reduce((a, l) => a + (l.usage?.prompt_tokens ?? 0), 0),
    completion: lines.reduce((a, l) => a + (l.usage?.completion_tokens ?? 0), 0),
    e2eMedian: e2e[Math.ceil(e2e.length / 2) - 1]!,
    e2eMax: e2e[e2e.length - 1]!,
  };
}

describe("streameval run --continuous (child process fed over a pipe)", () => {
  it("writes a window line per 4 results with the values computed by hand, fires an alert on a bad stretch, and flushes the partial window on SIGTERM", async () => {
    const run = start(["--continuous", "--window", "4", "--alert", `${KEY} < 0.5`, "--store", join(dir, "store1")]);
    // Window 0: three right, one wrong.
    run.write(line(true) + line(true) + line(false) + line(true));
    await run.until(() => run.windows.length >= 1);
    const w0 = run.windows[0]!;
    const h0 = byHand(run.results.slice(0, 4));
    const m0 = w0.models.sim!;
    expect(w0).toMatchObject({ index: 0, kind: "count", partial: false, samples: { total: 4, ok: 4, error: 0 }, error_rate: 0, alerts: [] });
    expect(m0.metrics[KEY]!.n).toBe(h0.n);
    expect(m0.metrics[KEY]!.value).toBeCloseTo(h0.mean, 12);
    expect(m0.metrics[KEY]!.stderr).toBeCloseTo(h0.stderr, 12);
    expect(h0.mean).toBe(0.75);
    expect(m0.usage).toEqual({ prompt_tokens: h0.prompt, completion_tokens: h0.completion });
    // HDR histograms keep 3 significant digits.
    expect(Math.abs(m0.latency_ms.e2e.p50! - h0.e2eMedian)).toBeLessThanOrEqual(h0.e2eMedian * 0.002 + 0.002);
    expect(Math.abs(m0.latency_ms.e2e.max! - h0.e2eMax)).toBeLessThanOrEqual(h0.e2eMax * 0.002 + 0.002);
    expect(run.alerts).toEqual([]);

    // A bad stretch: window 1 is all wrong, and the alert fires on it.
    run.write(line(false) + line(false) + line(true, true) + line(false));
    await run.until(() => run.alerts.length >= 1);
    const w1 = run.windows[1]!;
    expect(w1).toMatchObject({ index: 1, samples: { total: 4, ok: 3, error: 1 }, error_rate: 0.25, alerts: [`${KEY} < 0.5`] });
    expect(w1.models.sim!.metrics[KEY]).toEqual({ value: 0, stderr: 0, n: 3 });
    expect(w1.models.sim!.errors).toEqual({ bad_request: 1 });
    expect(run.alerts[0]).toMatchObject({ type: "alert", state: "firing", alert: `${KEY} < 0.5`, task: "gsm8k", model: "sim", window: { index: 1 }, values: { [KEY]: 0 } });

    // Two more, then SIGTERM with stdin still open: the partial window is flushed and the run exits 0.
    run.write(line(true) + line(true));
    await run.until(() => run.results.length >= 10);
    run.child.kill("SIGTERM");
    const [code] = await run.exit;
    expect(code).toBe(0);
    const last = run.windows.at(-1)!;
    expect(run.windows).toHaveLength(3);
    expect(last).toMatchObject({ index: 2, partial: true, samples: { total: 2, ok: 2, error: 0 }, alerts: [] });
    expect(last.models.sim!.metrics[KEY]).toMatchObject({ value: 1, n: 2 });
    expect(run.alerts.at(-1)).toMatchObject({ state: "resolved", window: { index: 2 } });
    expect(Date.parse(last.start)).toBe(Date.parse(run.windows[1]!.end));
  }, 120_000);

  it("--exit-on-alert stops the run with exit 6 while the input is still open; --metrics-out gets the lines", async () => {
    const out = join(dir, "metrics.jsonl");
    const run = start(["--continuous", "--window", "2", "--alert", "error_rate >= 50%", "--exit-on-alert", "--metrics-out", out, "--store", join(dir, "store2")]);
    run.write(line(true) + line(true));
    // Windows close in completion order: the second pair is sent only once the first window is whole,
    // or a fast 400 could land in window 0.
    await run.until(() => run.results.length >= 2);
    run.write(line(true, true) + line(true));
    const [code] = await run.exit;
    expect(code).toBe(6);
    const lines = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { type: string; index?: number; error_rate?: number });
    expect(lines.map((l) => [l.type, l.error_rate])).toEqual([
      ["window", 0],
      ["window", 0.5],
      ["alert", undefined],
    ]);
    expect(run.stderr.join("\n")).toContain("alert firing: error_rate >= 50% (task gsm8k, model sim, window 1: error_rate=0.5000)");
    expect(run.windows).toEqual([]);
  }, 120_000);

  it("SIGTERM with a sample in flight lets it finish (output, in the partial window) and exits 0; a second one cancels it, exit 130", async () => {
    // A slow sim: each reply takes 2 s, and the test learns when a request has arrived.
    let arrived = () => undefined as void;
    let seen = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await startSim({ port: 0, accuracy: 1, latencyMs: 2000, answerKey: (prompt) => /ANSWER=(\d+)/.exec(prompt)?.[1], faults: () => void arrived() });
    try {
      const run = startContinuous(slow.url, ["--continuous", "--window", "100", "--store", join(dir, "store3")]);
      run.write(gsmLine("slow1", 1, 1));
      await seen;
      run.child.kill("SIGTERM");
      const [code] = await run.exit;
      expect(code).toBe(0);
      expect(run.stderr.join("\n")).toContain("stopping: no new samples are read; samples in flight get 30 s to finish");
      expect(run.results.map((r) => [r.id, r.status])).toEqual([["slow1", "ok"]]);
      expect(run.windows).toHaveLength(1);
      expect(run.windows[0]).toMatchObject({ index: 0, partial: true, samples: { total: 1, ok: 1, error: 0 } });
      expect(run.windows[0]!.models.sim!.metrics[KEY]).toMatchObject({ value: 1, n: 1 });

      // A second signal cancels the sample in flight: nothing is output for it, a count window with
      // no result has nothing to report, and the exit code is 130.
      seen = new Promise<void>((resolve) => (arrived = resolve));
      const again = startContinuous(slow.url, ["--continuous", "--window", "100", "--store", join(dir, "store3")]);
      again.write(gsmLine("slow2", 2, 2));
      await seen;
      again.child.kill("SIGTERM");
      await again.until(() => again.stderr.some((l) => l.startsWith("stopping: no new samples")));
      again.child.kill("SIGTERM");
      expect((await again.exit)[0]).toBe(130);
      expect(again.results).toEqual([]);
      expect(again.windows).toEqual([]);
    } finally {
      await slow.close();
    }
  }, 90_000);
});
