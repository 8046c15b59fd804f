import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgs } from "../support/cli.js";
import type { EvalEvent } from "../../src/events.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { startMetricsServer } from "../../src/observe/metrics-server.js";
import { createRunMetrics } from "../../src/observe/run-metrics.js";
import { createProcessMeter } from "../../src/observe/process-meter.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";
import { loadTask } from "../../src/tasks/load.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const docs = Array.from({ length: 8 }, (_, i) => ({ id: `q${i}`, question: `Tom has ${i} apples and buys 3 more. How many now?`, target: String(i + 3) }));

/** Sums the samples of one metric whose labels include every `where` pair. */
function total(text: string, metric: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const row of text.split("\n")) {
    const m = /^([a-z0-9_]+)(?:\{(.*)\})? (\S+)$/.exec(row);
    if (!m || m[1] !== metric) continue;
    const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(where).every(([k, v]) => labels[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

function expectMatchesSummary(text: string, summary: Summary): void {
  const m = summary.models.sim!;
  expect(total(text, "streameval_samples_total", { model: "sim", status: "ok" })).toBe(m.samples.ok);
  expect(total(text, "streameval_samples_total", { model: "sim", status: "error" })).toBe(m.samples.error);
  expect(total(text, "streameval_requests_total", { model: "sim" })).toBe(m.usage.requests);
  expect(total(text, "streameval_requests_total", { model: "sim", code: "200" })).toBe(m.samples.ok);
  expect(total(text, "streameval_tokens_total", { model: "sim", type: "prompt" })).toBe(m.usage.prompt_tokens);
  expect(total(text, "streameval_tokens_total", { model: "sim", type: "completion" })).toBe(m.usage.completion_tokens);
  expect(total(text, "streameval_cost_usd_total", { model: "sim" })).toBeCloseTo(m.cost_usd ?? 0, 12);
  expect(total(text, "streameval_e2e_seconds_count", { model: "sim" })).toBe(m.latency_ms.e2e.n);
  expect(total(text, "streameval_ttft_seconds_count", { model: "sim" })).toBe(m.latency_ms.ttft.n);
  expect(total(text, "streameval_in_flight_requests", { model: "sim" })).toBe(0);
}

describe("the Prometheus endpoint during a run", () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSim({ ttftMs: 20, itlMs: 2 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("is scraped over HTTP while the run lasts, and its counters match the summary at the end", async () => {
    // One meter of the process, read by the summary and by Prometheus.
    const processMeter = createProcessMeter();
    const metrics = createRunMetrics({ process: processMeter });
    const server = await startMetricsServer({ registry: metrics.registry, port: 0 });
    let midRun: Promise<string> | undefined;
    try {
      const summary = await runEvaluation({
        input: docsToLines(docs),
        tasks: [await loadTask("gsm8k")],
        models: [{ client: openAIChat({ model: "sim", apiKey: "test", baseURL: sim.url }), concurrency: 2, price: { input: 0.15, output: 0.6 } }],
        processMeter,
        onEvent: (e: EvalEvent) => {
          metrics.add(e);
          // The first result: a real scrape while the other samples are still to come.
          if (e.type === "result") midRun ??= fetch(server.url).then((r) => r.text());
        },
      });
      const during = await midRun!;
      const done = total(during, "streameval_samples_total");
      expect(done).toBeGreaterThanOrEqual(1);
      expect(done).toBeLessThan(docs.length);
      expect(during).toContain("process_resident_memory_bytes");
      const after = await (await fetch(server.url)).text();
      expect(summary.models.sim!.samples.ok).toBe(docs.length);
      expectMatchesSummary(after, summary);
      // The process figures are the summary's: one meter feeds both.
      expect(total(after, "process_resident_memory_peak_bytes")).toBe(summary.resources!.peak_rss_mb * 1048576);
      expect(Math.round((total(after, "process_resident_memory_bytes") / 1048576) * 10) / 10).toBe(summary.process!.rss_mb.last);
    } finally {
      await server.close();
    }
  });

  // A child process: start-up alone can take seconds on a loaded machine.
  it("is served by `streameval run --metrics-port` and scraped mid-run; its counters match the summary file", { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-metrics-"));
    const summaryPath = join(dir, "summary.json");
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [...cliArgs, "run", "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "--metrics-port", "0", "--price", "0.15/0.6",
        "--store", join(dir, "store"), "--summary", summaryPath, "--no-progress", "-c", "2"],
      { cwd: root, env: { ...process.env, OPENAI_API_KEY: "test" } },
    );
    try {
      let stderr = "";
      let results = 0;
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const onData = () => {
          const m = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr);
          if (m?.[1]) resolve(m[1]);
        };
        child.stderr.on("data", onData);
        child.once("exit", (code) => reject(new Error(`exited ${code} before serving metrics: ${stderr}`)));
      });
      let waiter: (() => void) | undefined;
      child.stdout.on("data", (d: Buffer) => {
        results += d.toString().split("\n").filter(Boolean).length;
        waiter?.();
      });
      const resultsSeen = (n: number) =>
        new Promise<void>((resolve) => {
          waiter = () => results >= n && resolve();
          waiter();
        });
      // stdin stays open, so the run is surely still going: feed half, scrape, feed the rest, scrape.
      const half = docs.length / 2;
      for (const d of docs.slice(0, half)) child.stdin.write(`${JSON.stringify(d)}\n`);
      await resultsSeen(half);
      const during = await (await fetch(url)).text();
      expect(total(during, "streameval_samples_total", { status: "ok" })).toBe(half);
      // The CLI's one process meter is on the endpoint too.
      expect(total(during, "process_resident_memory_bytes")).toBeGreaterThan(0);
      for (const d of docs.slice(half)) child.stdin.write(`${JSON.stringify(d)}\n`);
      await resultsSeen(docs.length);
      const last = await (await fetch(url)).text();
      child.stdin.end();
      const [code] = (await once(child, "exit")) as [number];
      expect(code, stderr).toBe(0);
      const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
      expect(summary.models.sim!.samples.ok).toBe(docs.length);
      expectMatchesSummary(last, summary);
      // The endpoint lives as long as the run.
      await expect(fetch(url)).rejects.toThrow();
      expect(stderr).toMatch(/throughput: [\d.]+ requests\/s/);
    } finally {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
