/**
 * The transport under the SDK (run by `npm run bench` under BENCH_ONLY=transport, or alone: `npx tsx
 * bench/transport.ts`): 5,000 streamed requests at -c 32 against the simulator at 50 ms, through the global fetch
 * and through `httpFetch` (node:http), in alternation; CPU seconds of each process (/usr/bin/time), medians.
 * Options: BENCH_N (default 5000), BENCH_RUNS (default 3).
 */
import { compiled, datasets, measured, median, printTable, startSimProcess } from "./lib.js";

const n = Number(process.env.BENCH_N ?? 5000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const c = 32;
const child = await compiled("transport-child.ts");
const sim = await startSimProcess(["--latency-ms", "50", "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
const modes = ["fetch", "node-http", "node-http-own"] as const;
const cpu: Record<string, number[]> = { fetch: [], "node-http": [], "node-http-own": [] };
const wall: Record<string, number[]> = { fetch: [], "node-http": [], "node-http-own": [] };
try {
  for (let r = 0; r < runs; r++) {
    // Each round in another order, so a machine that speeds up or slows down favours none.
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
      const m = await measured(process.execPath, [child, mode, sim.url, String(n), String(c)]);
      if (m.code !== 0) throw new Error(`${mode} failed (${m.code}): ${m.stderr}`);
      cpu[mode]!.push(m.cpu_s);
      wall[mode]!.push(m.wall_s);
    }
  }
} finally {
  await sim.stop();
}
const base = median(cpu.fetch!);
printTable(`The transport: ${n} streamed requests through the SDK, -c ${c}, latency 50 ms (medians of ${runs})`, [
  ["transport, reader", "CPU s", "CPU ms / request", "CPU vs fetch", "wall s"],
  ...modes.map((mode) => [`${mode === "fetch" ? "global fetch, SDK's Stream (the bare loop)" : mode === "node-http" ? "httpFetch, SDK's Stream" : "httpFetch, sseJsonBatches on the Node stream (streameval)"}`, median(cpu[mode]!), (1000 * median(cpu[mode]!)) / n, median(cpu[mode]!) / base, median(wall[mode]!)]),
]);
