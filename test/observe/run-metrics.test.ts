import { spawnSync } from "node:child_process";
import dc from "node:diagnostics_channel";
import type { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { startMetricsServer, type MetricsServer } from "../../src/observe/metrics-server.js";
import { createRunMetrics } from "../../src/observe/run-metrics.js";
import { createProcessMeter, type ProcessProbe } from "../../src/observe/process-meter.js";
import type { ResultLine } from "../../src/types.js";

const line = (over: Partial<ResultLine>): ResultLine => ({
  id: "1", task: "gsm8k", model: "m", repeat: 0, status: "ok", input: "q",
  usage: { prompt_tokens: 10, completion_tokens: 20 }, cost_usd: 0.001,
  timing: { e2e_ms: 300, ttft_ms: 100, tpot_ms: 10, queue_ms: 2, attempts: 1 },
  ...over,
});

/** The value of one sample in the text exposition, e.g. value(text, 'streameval_samples_total{task="gsm8k",model="m",status="ok"}'). */
function value(text: string, sample: string): number | undefined {
  const row = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return row === undefined ? undefined : Number(row.slice(sample.length + 1));
}

const MB = 1048576;

describe("createRunMetrics", () => {
  it("exposes each task × model × metric's running mean and standard error, resumed results included", async () => {
    const m = createRunMetrics();
    const scores = [1, 0, 1, 1];
    scores.forEach((s, i) => m.add({ type: "result", line: line({ id: String(i), scores: { "exact_match,strict-match": s } }), ...(i === 0 ? { resumed: true } : {}) }));
    m.add({ type: "result", line: line({ id: "e", status: "error", error: { type: "timeout", message: "t", attempts: 1 } }) });
    m.add({ type: "result", line: line({ id: "o", model: "other", scores: { "exact_match,strict-match": 1 } }) });
    const text = await m.registry.metrics();
    const labels = '{task="gsm8k",model="m",metric="exact_match,strict-match"}';
    expect(value(text, `streameval_metric_value${labels}`)).toBe(0.75);
    // Sample standard deviation of 1,0,1,1 is 0.5; over √4.
    expect(value(text, `streameval_metric_stderr${labels}`)).toBeCloseTo(0.25, 12);
    expect(value(text, 'streameval_metric_value{task="gsm8k",model="other",metric="exact_match,strict-match"}')).toBe(1);
    // One score has no standard error yet.
    expect(value(text, 'streameval_metric_stderr{task="gsm8k",model="other",metric="exact_match,strict-match"}')).toBeUndefined();
  });

  it("counts samples by status, requests by code and error type, tokens and cost", async () => {
    const m = createRunMetrics();
    const events: EvalEvent[] = [
      { type: "request-start", model: "m", id: "1", attempt: 1 },
      { type: "request-end", model: "m", id: "1", attempt: 1, ok: false, errorType: "rate_limit", status: 429 },
      { type: "request-start", model: "m", id: "1", attempt: 2 },
      { type: "request-end", model: "m", id: "1", attempt: 2, ok: true, status: 200 },
      { type: "result", line: line({ timing: { e2e_ms: 300, ttft_ms: 100, tpot_ms: 10, queue_ms: 2, attempts: 2 } }) },
      { type: "request-start", model: "m", id: "2", attempt: 1 },
      { type: "request-end", model: "m", id: "2", attempt: 1, ok: false, errorType: "timeout" },
      { type: "result", line: line({ id: "2", status: "error", usage: undefined, cost_usd: null, error: { type: "timeout", message: "t", attempts: 1 } }) },
      { type: "result", line: line({ id: "3" }), resumed: true },
      { type: "reject", reject: { at: { file: "f", line: 3 }, reason: "bad", raw: "" } },
    ];
    for (const e of events) m.add(e);
    const text = await m.registry.metrics();
    expect(value(text, 'streameval_samples_total{task="gsm8k",model="m",status="ok"}')).toBe(2);
    expect(value(text, 'streameval_samples_total{task="gsm8k",model="m",status="error"}')).toBe(1);
    expect(value(text, 'streameval_samples_resumed_total{task="gsm8k",model="m"}')).toBe(1);
    expect(value(text, 'streameval_requests_total{model="m",outcome="error",code="429",error_type="rate_limit"}')).toBe(1);
    expect(value(text, 'streameval_requests_total{model="m",outcome="ok",code="200",error_type=""}')).toBe(1);
    expect(value(text, 'streameval_requests_total{model="m",outcome="error",code="none",error_type="timeout"}')).toBe(1);
    // Resumed results were paid for in an earlier process: counted as samples, not as tokens or cost.
    expect(value(text, 'streameval_tokens_total{model="m",type="prompt"}')).toBe(10);
    expect(value(text, 'streameval_tokens_total{model="m",type="completion"}')).toBe(20);
    expect(value(text, 'streameval_cost_usd_total{model="m"}')).toBe(0.001);
    expect(value(text, 'streameval_in_flight_requests{model="m"}')).toBe(0);
    expect(value(text, "streameval_rejected_total")).toBe(1);
  });

  it("keeps a row per label set, whichever labels two sets share", async () => {
    const m = createRunMetrics();
    const sets = [["t1", "a"], ["t1", "b"], ["t2", "a"], ["t2", "b"], ["t1", "a"], ["t1\u0000a", ""], ["t1", "a\u0000"]] as const;
    for (const [task, model] of sets) m.add({ type: "result", line: line({ task, model }) });
    const text = await m.registry.metrics();
    const count = (task: string, model: string) => value(text, `streameval_samples_total{task="${task}",model="${model}",status="ok"}`);
    expect([count("t1", "a"), count("t1", "b"), count("t2", "a"), count("t2", "b"), count("t1\u0000a", ""), count("t1", "a\u0000")]).toEqual([2, 1, 1, 1, 1, 1]);
    // Rows are shown in the order their label sets first came.
    const rows = text.split("\n").filter((l) => l.startsWith("streameval_samples_total{"));
    expect(rows.map((r) => r.slice(0, r.lastIndexOf(" ")))).toEqual([...new Set(sets.map(([t, mo]) => `streameval_samples_total{task="${t}",model="${mo}",status="ok"}`))]);
  });

  it("counts a sample's judge cost under the judge model's name", async () => {
    const m = createRunMetrics();
    m.add({ type: "result", line: line({ judge: { model: "gpt-4", cost_usd: 0.002 } }) });
    const text = await m.registry.metrics();
    expect(value(text, 'streameval_cost_usd_total{model="m"}')).toBe(0.001);
    expect(value(text, 'streameval_cost_usd_total{model="gpt-4"}')).toBe(0.002);
  });

  it("observes TTFT, TPOT, E2E and queue of ok results in seconds, and skips a null TTFT", async () => {
    const m = createRunMetrics();
    m.add({ type: "result", line: line({}) });
    m.add({ type: "result", line: line({ id: "2", timing: { e2e_ms: 2000, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 1 } }) });
    const text = await m.registry.metrics();
    expect(value(text, 'streameval_ttft_seconds_count{model="m"}')).toBe(1);
    expect(value(text, 'streameval_ttft_seconds_sum{model="m"}')).toBe(0.1);
    expect(value(text, 'streameval_ttft_seconds_bucket{le="0.1",model="m"}')).toBe(1);
    expect(value(text, 'streameval_tpot_seconds_sum{model="m"}')).toBe(0.01);
    expect(value(text, 'streameval_e2e_seconds_count{model="m"}')).toBe(2);
    expect(value(text, 'streameval_e2e_seconds_sum{model="m"}')).toBe(2.3);
    expect(value(text, 'streameval_e2e_seconds_bucket{le="0.5",model="m"}')).toBe(1);
    expect(value(text, 'streameval_queue_seconds_count{model="m"}')).toBe(2);
  });

  it("tracks requests in flight and the breaker state from breaker events", async () => {
    const m = createRunMetrics();
    m.add({ type: "request-start", model: "m", id: "1", attempt: 1 });
    m.add({ type: "request-start", model: "m", id: "2", attempt: 1 });
    m.add({ type: "breaker-open", endpoint: "http://x/v1", trips: 1 });
    let text = await m.registry.metrics();
    expect(value(text, 'streameval_in_flight_requests{model="m"}')).toBe(2);
    expect(value(text, 'streameval_breaker_state{target="http://x/v1"}')).toBe(1);
    m.add({ type: "breaker-half-open", endpoint: "http://x/v1" });
    expect(value(await m.registry.metrics(), 'streameval_breaker_state{target="http://x/v1"}')).toBe(2);
    m.add({ type: "breaker-close", endpoint: "http://x/v1", open_ms: 5000 });
    m.add({ type: "request-end", model: "m", id: "1", attempt: 1, ok: true });
    text = await m.registry.metrics();
    expect(value(text, 'streameval_breaker_state{target="http://x/v1"}')).toBe(0);
    expect(value(text, 'streameval_in_flight_requests{model="m"}')).toBe(1);
  });

  it("shows the process meter's readings under prom-client's names, only when given one (no default collectors)", async () => {
    let t = 0;
    let reads = 0;
    const probe: ProcessProbe = {
      read: () => {
        reads++;
        return { rssBytes: (100 + 50 * reads) * MB, heapUsedBytes: 40 * MB, heapTotalBytes: 64 * MB, cpuUserMicros: reads * 400_000, cpuSystemMicros: reads * 100_000 };
      },
      loopDelay: () => ({ p50Nanos: 2e6, p99Nanos: 9e6, maxNanos: 12e6, meanNanos: 3e6 }),
      close: () => {},
    };
    const meter = createProcessMeter({ now: () => t, every: () => () => {}, probe });
    const m = createRunMetrics({ process: meter });
    expect(value(await m.registry.metrics(), "process_resident_memory_bytes")).toBe(0);
    meter.start();
    t = 1000;
    meter.sample();
    const text = await m.registry.metrics();
    expect(value(text, "process_resident_memory_bytes")).toBe(200 * MB);
    expect(value(text, "process_resident_memory_peak_bytes")).toBe(meter.stats().rss_mb.peak * MB);
    expect(value(text, "nodejs_heap_size_used_bytes")).toBe(40 * MB);
    expect(value(text, "process_cpu_seconds_total")).toBeCloseTo(1.0, 9);
    expect(value(text, "process_cpu_user_seconds_total")).toBeCloseTo(0.8, 9);
    // 0.5 CPU seconds over 1 s of wall time: half a core.
    expect(value(text, "process_cpu_percent")).toBe(50);
    expect(value(text, "nodejs_eventloop_lag_p99_seconds")).toBeCloseTo(0.009, 9);
    // Only the meter's own figures: none of prom-client's default collectors.
    expect(text).not.toContain("process_start_time_seconds");
    expect(text).not.toContain("nodejs_gc_duration_seconds");
    expect(await createRunMetrics().registry.metrics()).not.toContain("process_resident_memory_bytes");
    meter.stop();
  });
});

describe("startMetricsServer", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the registry over HTTP on loopback at /metrics, and 404 elsewhere", async () => {
    const m = createRunMetrics();
    m.add({ type: "result", line: line({}) });
    server = await startMetricsServer({ registry: m.registry, port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(value(await res.text(), 'streameval_samples_total{task="gsm8k",model="m",status="ok"}')).toBe(1);
    expect((await fetch(server.url.replace("/metrics", "/nope"))).status).toBe(404);
  });

  it("serves scrapes off the run's thread, with the registry's values at the time of each scrape", async () => {
    // Node's HTTP server announces each request on this channel, in the thread that serves it.
    let servedHere = 0;
    const seen = () => servedHere++;
    dc.subscribe("http.server.request.start", seen);
    try {
      const m = createRunMetrics();
      server = await startMetricsServer({ registry: m.registry, port: 0 });
      const count = async () => value(await (await fetch(server!.url)).text(), 'streameval_samples_total{task="gsm8k",model="m",status="ok"}');
      expect(await count()).toBeUndefined();
      m.add({ type: "result", line: line({}) });
      m.add({ type: "result", line: line({ id: "2" }) });
      expect(await count()).toBe(2);
      expect(servedHere).toBe(0);
    } finally {
      dc.unsubscribe("http.server.request.start", seen);
    }
  });

  it("answers 500 when the registry fails, and frees its port on close (twice is once)", async () => {
    const failing = { metrics: () => Promise.reject(new Error("collect failed")), contentType: "text/plain" } as unknown as Registry;
    server = await startMetricsServer({ registry: failing, port: 0 });
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("collect failed");
    const { port } = server;
    await Promise.all([server.close(), server.close()]);
    server = await startMetricsServer({ registry: createRunMetrics().registry, port });
    expect(server.port).toBe(port);
  });

  it("keeps no process alive: a program that served a scrape on a kept-alive connection ends when its work does", () => {
    const program = `
      import { startMetricsServer } from ${JSON.stringify(new URL("../../src/observe/metrics-server.ts", import.meta.url).href)};
      import { createRunMetrics } from ${JSON.stringify(new URL("../../src/observe/run-metrics.ts", import.meta.url).href)};
      const server = await startMetricsServer({ registry: createRunMetrics().registry, port: 0 });
      const res = await fetch(server.url, { keepalive: true });
      console.log(res.status);
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("200");
    expect(r.status).toBe(0);
  });

  it("rejects a port that is taken, and a port out of range up front", async () => {
    const m = createRunMetrics();
    server = await startMetricsServer({ registry: m.registry, port: 0 });
    await expect(startMetricsServer({ registry: m.registry, port: server.port })).rejects.toThrow(/EADDRINUSE/);
    await expect(startMetricsServer({ registry: m.registry, port: 70000 })).rejects.toThrow("Expected `port` to be an integer from 0 to 65535, got 70000");
  });
});
