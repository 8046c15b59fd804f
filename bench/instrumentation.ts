/**
 * Instrumentation overhead: the same evaluation at simulator latency 0 (where the client's CPU is
 * the bottleneck, so any overhead shows) with everything on — run observer, process sampler,
 * Prometheus metrics fed and served and scraped each second, live latency — against everything off.
 * Runs alternate (off, on, off, on …) in fresh processes; the figure is the ratio of the medians.
 * Target: under 3% slower. Usage: tsx bench/instrumentation.ts (BENCH_RUNS, default 5; BENCH_N, default 5000).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gsm8kLines, median, printTable, root, startSimProcess } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const n = Number(process.env.BENCH_N ?? 5000);
const c = 64;
const tsx = join(root, "node_modules/.bin/tsx");
/** Failed samples over all runs: a loaded machine can drop loopback connections; they skew the figure. */
let errors = 0;

async function once_(mode: "on" | "off", url: string, file: string): Promise<number> {
  const child = spawn(tsx, [join(root, "bench/instrumentation-child.ts"), mode, url, file, String(c)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`instrumentation child (${mode}) failed (${code})`);
  const r = JSON.parse(out) as { wall_s: number; samples: number; errors: number };
  if (r.samples !== n) throw new Error(`expected ${n} results, got ${r.samples}`);
  errors += r.errors;
  return r.wall_s;
}

const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-obs-"));
const file = await gsm8kLines(n, join(tmp, "gsm8k.jsonl"));
const sim = await startSimProcess(["--latency-ms", "0", "--answer-key", `${root}../shared/datasets/gsm8k_test.jsonl`]);
try {
  const off: number[] = [];
  const on: number[] = [];
  await once_("off", sim.url, file); // warm the simulator and the disk cache; not counted
  for (let i = 0; i < runs; i++) {
    off.push(await once_("off", sim.url, file));
    on.push(await once_("on", sim.url, file));
  }
  const offM = median(off);
  const onM = median(on);
  printTable(`Instrumentation overhead at sim latency 0 (-c ${c}, ${n} samples, median of ${runs} alternating runs, in-process wall time)`, [
    ["instrumentation", "wall s", "samples/s", "runs (s)"],
    ["off", offM, n / offM, off.map((x) => x.toFixed(2)).join(" ")],
    ["on (observer, sampler, Prometheus + scrapes, live latency)", onM, n / onM, on.map((x) => x.toFixed(2)).join(" ")],
    ["on/off", onM / offM, `${(100 * (onM / offM - 1)).toFixed(1)}% slower (target < 3%)`, ""],
  ]);
  if (errors > 0) console.log(`\n(${errors} samples failed over all runs; the machine was too loaded for a clean figure)`);
} finally {
  await sim.stop();
}
