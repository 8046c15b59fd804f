import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WindowReport } from "../../src/continuous/window-report.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { gsmLine, startContinuous } from "./continuous-child.js";

const KEY = "exact_match,strict-match";
const ALERT = `${KEY} < 0.5`;
let sim: SimServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-continuous-metrics-"));
  sim = await startSim({ port: 0, accuracy: 1, answerKey: (prompt) => /ANSWER=(\d+)/.exec(prompt)?.[1] });
});
afterAll(async () => {
  await sim.close();
});

type Sample = { labels: Record<string, string>; value: number };

/** Every sample of `metric` in a Prometheus text scrape. */
function samples(text: string, metric: string): Sample[] {
  const out: Sample[] = [];
  for (const row of text.split("\n")) {
    const m = /^([a-z0-9_]+)(?:\{(.*)\})? (\S+)$/.exec(row);
    if (!m || m[1] !== metric) continue;
    out.push({ labels: Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])), value: Number(m[3]) });
  }
  return out;
}

/** The one sample of `metric` with exactly these labels (undefined when there is none). */
function value(text: string, metric: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples(text, metric).filter((s) => JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  expect(hits.length).toBeLessThanOrEqual(1);
  return hits[0]?.value;
}

/** The window gauges of `text` equal the window line `w` (task gsm8k, model sim). */
function expectGaugesEqual(text: string, w: WindowReport): void {
  const s = w.models.sim!;
  const cell = { task: "gsm8k", model: "sim" };
  expect(value(text, "streameval_window_index")).toBe(w.index);
  expect(value(text, "streameval_window_end_seconds")).toBe(Date.parse(w.end) / 1000);
  for (const [metric, v] of Object.entries(s.metrics)) {
    expect(value(text, "streameval_window_metric", { ...cell, metric })).toBeCloseTo(v.value, 12);
    if (v.stderr === null) expect(value(text, "streameval_window_metric_stderr", { ...cell, metric })).toBeUndefined();
    else expect(value(text, "streameval_window_metric_stderr", { ...cell, metric })).toBeCloseTo(v.stderr, 12);
    expect(value(text, "streameval_window_metric_n", { ...cell, metric })).toBe(v.n);
  }
  expect(value(text, "streameval_window_samples", { ...cell, status: "ok" })).toBe(s.samples.ok);
  expect(value(text, "streameval_window_samples", { ...cell, status: "error" })).toBe(s.samples.error);
  expect(value(text, "streameval_window_error_rate", cell)).toBe(s.error_rate);
  for (const latency of ["ttft", "tpot", "e2e", "queue"] as const) {
    const pct = s.latency_ms[latency];
    for (const [key, quantile] of [["p50", "0.5"], ["p90", "0.9"], ["p99", "0.99"], ["max", "1"]] as const) {
      const got = value(text, "streameval_window_latency_seconds", { ...cell, latency, quantile });
      if (pct[key] === null) expect(got).toBeUndefined();
      else expect(got).toBeCloseTo(pct[key] / 1000, 12);
    }
  }
  expect(s.latency_ms.e2e.n).toBeGreaterThan(0);
  expect(value(text, "streameval_window_cost_usd", cell)).toBe(s.cost_usd ?? undefined);
  expect(value(text, "streameval_window_cost_per_hour_usd", cell)).toBe(s.cost_per_hour_usd ?? undefined);
}

describe("streameval run --continuous --metrics-port (child process, scraped over HTTP)", () => {
  it("serves the last window's values, equal to its window line, and 1 for an alert while it fires", async () => {
    const run = startContinuous(sim.url, ["--continuous", "--window", "4", "--alert", ALERT, "--metrics-port", "0", "--store", join(dir, "store")]);
    await run.until(() => run.stderr.some((l) => l.startsWith("metrics: ")));
    const url = run.stderr.find((l) => l.startsWith("metrics: "))!.slice("metrics: ".length);
    const scrape = async () => (await fetch(url)).text();

    // Before the first window ends: no window series yet (the run's own counters are there).
    const before = await scrape();
    expect(samples(before, "streameval_window_metric")).toEqual([]);
    expect(samples(before, "streameval_alert_firing")).toEqual([]);

    // Window 0: three right, one wrong (ids are distinct; the model always says the question's number).
    run.write(gsmLine("a1", 1, 1) + gsmLine("a2", 2, 2) + gsmLine("a3", 3, 4) + gsmLine("a4", 4, 4));
    await run.until(() => run.windows.length >= 1);
    const first = await scrape();
    expectGaugesEqual(first, run.windows[0]!);
    expect(value(first, "streameval_window_metric", { task: "gsm8k", model: "sim", metric: KEY })).toBe(0.75);
    expect(value(first, "streameval_alert_firing", { alert: ALERT, task: "gsm8k", model: "sim" })).toBe(0);

    // Window 1, all wrong: the alert fires, and the gauges move to window 1.
    run.write(gsmLine("b1", 5, 6) + gsmLine("b2", 6, 7) + gsmLine("b3", 7, 8) + gsmLine("b4", 8, 9));
    await run.until(() => run.alerts.length >= 1);
    const second = await scrape();
    expectGaugesEqual(second, run.windows[1]!);
    expect(value(second, "streameval_window_metric", { task: "gsm8k", model: "sim", metric: KEY })).toBe(0);
    expect(value(second, "streameval_alert_firing", { alert: ALERT, task: "gsm8k", model: "sim" })).toBe(1);

    run.child.kill("SIGTERM");
    const [code] = await run.exit;
    expect(code).toBe(0);
  }, 90_000);
});
