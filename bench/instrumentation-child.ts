/**
 * One instrumentation-overhead run: N GSM8K lines through the whole evaluation against the simulator
 * at URL, concurrency C, in this process. Usage: tsx bench/instrumentation-child.ts on|off URL FILE C.
 * `on`: the run observer (throughput, process sampler), the Prometheus metrics fed with every event
 * and served on loopback (its URL on stderr, for the parent to scrape), the live latency of the
 * progress line drawn every second. `off`: none of those. Prints JSON {mode, wall_s, cpu_s, samples,
 * errors}; cpu_s is this process's CPU time during the run.
 */
import { createSdkClient } from "../src/models/sdk-client.js";
import { openAIChat } from "../src/models/openai-chat.js";
import { openInputs } from "../src/io/open-inputs.js";
import { LiveLatency } from "../src/observe/live-latency.js";
import { startMetricsServer } from "../src/observe/metrics-server.js";
import { createRunMetrics } from "../src/observe/run-metrics.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { loadTask } from "../src/tasks/load.js";

const [mode, url, file, cText] = process.argv.slice(2);
if (mode !== "on" && mode !== "off") throw new Error(`mode must be on or off, got ${mode}`);
const on = mode === "on";
const sdk = createSdkClient({ baseURL: url, apiKey: "EMPTY" });
const task = await loadTask("gsm8k");
const metrics = on ? createRunMetrics() : undefined;
const server = metrics ? await startMetricsServer({ registry: metrics.registry, port: 0 }) : undefined;
const live = on ? new LiveLatency() : undefined;
// The parent scrapes the endpoint (as Prometheus would, from outside); the progress line is drawn.
if (server) process.stderr.write(`metrics: ${server.url}\n`);
const progress = live ? setInterval(() => live.parts(), 1000) : undefined;

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const summary = await runEvaluation({
  input: openInputs([file as string], process.stdin),
  tasks: [task],
  models: [{ client: openAIChat({ model: "sim", apiKey: "EMPTY", baseURL: url, sdk }), concurrency: Number(cText) }],
  instrument: on,
  onEvent: on
    ? (event) => {
        metrics?.add(event);
        live?.add(event);
      }
    : undefined,
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(progress);
await server?.close();
const counts = summary.models.sim?.samples;
console.log(JSON.stringify({ mode, wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, samples: counts?.total ?? 0, errors: counts?.error ?? 0 }));
