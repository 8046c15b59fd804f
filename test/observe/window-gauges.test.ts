import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { WindowReport } from "../../src/continuous/window-report.js";
import type { WindowModelStats } from "../../src/continuous/window-stats.js";
import { registerWindowGauges, type WindowSource } from "../../src/observe/window-gauges.js";

const none = { p50: null, p90: null, p99: null, max: null, n: 0 };
const stats = (over: Partial<WindowModelStats>): WindowModelStats => ({
  samples: { total: 0, ok: 0, error: 0 },
  error_rate: null,
  metrics: {},
  usage: { prompt_tokens: 0, completion_tokens: 0 },
  cost_usd: null,
  cost_per_hour_usd: null,
  latency_ms: { ttft: none, tpot: none, e2e: none, queue: none },
  errors: {},
  ...over,
});

const busy = stats({
  samples: { total: 3, ok: 2, error: 1 },
  error_rate: 1 / 3,
  metrics: { "acc,none": { value: 0.5, stderr: 0.5, n: 2 }, "acc_norm,none": { value: 1, stderr: null, n: 1 } },
  cost_usd: 0.002,
  cost_per_hour_usd: 0.72,
  latency_ms: { ttft: none, tpot: none, e2e: { p50: 120, p90: 250, p99: 250, max: 250, n: 2 }, queue: none },
});
const report = (index: number): WindowReport => ({
  type: "window",
  index,
  kind: "time",
  start: "2026-01-01T00:00:00.000Z",
  end: "2026-01-01T00:00:10.000Z",
  duration_s: 10,
  partial: false,
  samples: { total: 3, ok: 2, error: 1 },
  error_rate: 1 / 3,
  cost_usd: 0.002,
  cost_per_hour_usd: 0.72,
  models: { m: busy },
  tasks: { t1: { models: { m: busy } }, t2: { models: { m: stats({}) } } },
});

async function scrape(source: WindowSource, alerts?: string[]): Promise<string> {
  const registry = new Registry();
  registerWindowGauges(registry, source, { alerts });
  return registry.metrics();
}
const rows = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("registerWindowGauges", () => {
  it("exports no per task × model series before the first window (window_end_seconds is 0 then)", async () => {
    expect(rows(await scrape({ latest: undefined, firing: () => [] }, ["acc < 0.5"]))).toEqual(["streameval_window_index 0", "streameval_window_end_seconds 0"]);
  });

  it("exports every task × model of the last window; nulls have no series; alerts are 1 while firing, else 0", async () => {
    const text = await scrape({ latest: report(7), firing: () => [{ alert: "acc < 0.5", task: "t1", model: "m" }] }, ["acc < 0.5"]);
    expect(rows(text)).toEqual([
      "streameval_window_index 7",
      "streameval_window_end_seconds 1767225610",
      'streameval_window_metric{task="t1",model="m",metric="acc,none"} 0.5',
      'streameval_window_metric{task="t1",model="m",metric="acc_norm,none"} 1',
      'streameval_window_metric_stderr{task="t1",model="m",metric="acc,none"} 0.5',
      'streameval_window_metric_n{task="t1",model="m",metric="acc,none"} 2',
      'streameval_window_metric_n{task="t1",model="m",metric="acc_norm,none"} 1',
      'streameval_window_samples{task="t1",model="m",status="ok"} 2',
      'streameval_window_samples{task="t1",model="m",status="error"} 1',
      'streameval_window_samples{task="t2",model="m",status="ok"} 0',
      'streameval_window_samples{task="t2",model="m",status="error"} 0',
      `streameval_window_error_rate{task="t1",model="m"} ${1 / 3}`,
      'streameval_window_latency_seconds{task="t1",model="m",latency="e2e",quantile="0.5"} 0.12',
      'streameval_window_latency_seconds{task="t1",model="m",latency="e2e",quantile="0.9"} 0.25',
      'streameval_window_latency_seconds{task="t1",model="m",latency="e2e",quantile="0.99"} 0.25',
      'streameval_window_latency_seconds{task="t1",model="m",latency="e2e",quantile="1"} 0.25',
      'streameval_window_cost_usd{task="t1",model="m"} 0.002',
      'streameval_window_cost_per_hour_usd{task="t1",model="m"} 0.72',
      'streameval_alert_firing{alert="acc < 0.5",task="t1",model="m"} 1',
      'streameval_alert_firing{alert="acc < 0.5",task="t2",model="m"} 0',
    ]);
  });

  it("follows the source: a later window replaces the earlier one's series, a resolved alert goes back to 0", async () => {
    let latest = report(1);
    let firing = [{ alert: "a", task: "t1", model: "m" }];
    const registry = new Registry();
    registerWindowGauges(registry, { get latest() { return latest; }, firing: () => firing }, { alerts: ["a"] });
    expect(await registry.metrics()).toContain('streameval_alert_firing{alert="a",task="t1",model="m"} 1');
    latest = { ...report(2), tasks: { t1: { models: { m: stats({}) } } } };
    firing = [];
    const text = await registry.metrics();
    expect(text).toContain("streameval_window_index 2");
    expect(text).not.toContain("streameval_window_metric{");
    expect(text).toContain('streameval_alert_firing{alert="a",task="t1",model="m"} 0');
  });
});
