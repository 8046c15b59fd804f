/**
 * `npm run bench`: the core benchmarks, printed as tables. Figures are medians of several runs;
 * each speed figure is set beside a bare openai-SDK loop on the same simulator in the same run.
 * Options: BENCH_RUNS (default 3), BENCH_N (default 5000).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, datasets, gsm8kLines, median, printTable, root, startSimProcess, timed } from "./lib.js";

// `npm run bench:soak` (or `npm run bench -- --soak`): the continuous-mode soak only (bench/soak.ts; minutes, not seconds).
if (process.argv.includes("--soak")) {
  await import("./soak.js");
  process.exit();
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_ONLY=speed,memory,instrumentation,resume,faults runs only those parts (default: all). */
const only = process.env.BENCH_ONLY?.split(",");
const part = (name: string) => only === undefined || only.includes(name);
const n = Number(process.env.BENCH_N ?? 5000);
const c = 64;
const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-"));
const input = await gsm8kLines(n, join(tmp, "gsm8k.jsonl"));
const tsx = join(root, "node_modules/.bin/tsx");

async function speed(latencyMs: number): Promise<(string | number)[]> {
  const sim = await startSimProcess(["--latency-ms", String(latencyMs), "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
  try {
    const harness: number[] = [];
    const evaluation: number[] = [];
    const bare: number[] = [];
    const bareLoop: number[] = [];
    for (let i = 0; i < runs; i++) {
      const b = await timed(tsx, [join(root, "bench/bare-sdk.ts"), sim.url, String(n), String(c)]);
      if (b.code !== 0) throw new Error(`bare loop failed: ${b.stderr}`);
      bare.push(b.wall_s);
      bareLoop.push(Number(b.stdout.trim())); // the loop's own seconds, as it prints them
      const summary = join(tmp, `summary-${latencyMs}-${i}.json`);
      const h = await timed(process.execPath, [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--summary", summary, "--store", join(tmp, `store-${latencyMs}-${i}`)]);
      if (h.code !== 0) throw new Error(`harness run failed (${h.code}): ${h.stderr}`);
      harness.push(h.wall_s);
      // The evaluation's own wall time (first line read to last result), without process start-up.
      evaluation.push((JSON.parse(await readFile(summary, "utf8")) as { wall_s: number }).wall_s);
    }
    const hm = median(harness);
    const em = median(evaluation);
    const bm = median(bare);
    const lm = median(bareLoop);
    const ideal = (n / c) * (latencyMs / 1000);
    return [
      `${latencyMs} ms`,
      n,
      c,
      hm,
      bm,
      em,
      lm,
      em / lm,
      ideal > 0 ? em / ideal : "-",
      ideal > 0 ? lm / ideal : "-",
      n / em,
      n / lm,
    ];
  } finally {
    await sim.stop();
  }
}

async function memory(lines: number): Promise<{ n: number; peak_rss_mb: number; wall_s: number; per_s: number }> {
  const child = spawn(tsx, [join(root, "bench/memory-child.ts"), String(lines)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`memory child failed (${code})`);
  return JSON.parse(out) as { n: number; peak_rss_mb: number; wall_s: number; per_s: number };
}

const header = [
  "sim latency", "samples", "-c", "harness process s", "bare process s", "harness evaluation s", "bare loop s",
  "evaluation/loop", "evaluation/ideal", "loop/ideal", "harness samples/s", "bare req/s",
];
if (part("speed")) printTable(`Speed (median of ${runs} runs; process s: spawn to exit, start-up included; evaluation s: the summary's wall_s; loop s: the bare loop's own)`, [header, await speed(50), await speed(0)]);

if (part("memory")) {
  const small = await memory(100_000);
  const large = await memory(1_000_000);
  printTable("Bounded memory: the whole evaluation with an in-process function model", [
    ["input lines", "peak RSS MB", "wall s", "samples/s"],
    [small.n, small.peak_rss_mb, small.wall_s, small.per_s],
    [large.n, large.peak_rss_mb, large.wall_s, large.per_s],
    ["1M / 100k RSS", large.peak_rss_mb / small.peak_rss_mb, "", ""],
  ]);
}

// Instrumentation overhead (bench/instrumentation.ts): everything on against everything off.
if (part("instrumentation")) await import("./instrumentation.js");
// Checkpoint benchmarks: resume with 100,000 recorded samples; the cost of the store at latency 0.
if (part("resume")) await import("./resume.js");
// Fault soak (bench/fault-soak.ts): 5,000 samples through injected faults and an outage.
if (part("faults")) await import("./fault-soak.js");
