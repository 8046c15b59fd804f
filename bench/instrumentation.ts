/**
 * Instrumentation overhead: the same evaluation at simulator latency 0 (where the client's CPU is
 * the bottleneck, so any overhead shows) with everything on — run observer, process sampler,
 * Prometheus metrics fed and served (scraped every second from this process, as Prometheus would
 * from outside), live latency — against everything off. Runs alternate (off, on, off, on …) in fresh
 * processes; the figures are medians. Wall time is what the target is about; the client's CPU time
 * per sample says the same with less noise on a shared machine. Target: under 3% slower.
 * Usage: tsx bench/instrumentation.ts (BENCH_RUNS, default 5; BENCH_N, default 5000).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datasets, gsm8kLines, median, printTable, root, startSimProcess } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const n = Number(process.env.BENCH_N ?? 5000);
const c = 64;
const tsx = join(root, "node_modules/.bin/tsx");
/** Failed samples over all runs: a loaded machine can drop loopback connections; they skew the figure. */
let errors = 0;

interface Run {
  readonly wall_s: number;
  readonly cpu_s: number;
}

async function one(mode: "on" | "off", url: string, file: string): Promise<Run> {
  const child = spawn(tsx, [join(root, "bench/instrumentation-child.ts"), mode, url, file, String(c)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let scraper: NodeJS.Timeout | undefined;
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    const m = /metrics: (\S+)/.exec(err);
    if (m?.[1] && !scraper) {
      const metricsUrl = m[1];
      scraper = setInterval(() => void fetch(metricsUrl).then((r) => r.text()).catch(() => undefined), 1000);
    }
  });
  const [code] = (await once(child, "exit")) as [number];
  clearInterval(scraper);
  if (code !== 0) throw new Error(`instrumentation child (${mode}) failed (${code}): ${err}`);
  const r = JSON.parse(out) as Run & { samples: number; errors: number };
  if (r.samples !== n) throw new Error(`expected ${n} results, got ${r.samples}`);
  errors += r.errors;
  return r;
}

const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-obs-"));
const file = await gsm8kLines(n, join(tmp, "gsm8k.jsonl"));
const sim = await startSimProcess(["--latency-ms", "0", "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
try {
  const off: Run[] = [];
  const on: Run[] = [];
  await one("off", sim.url, file); // warm the simulator and the disk cache; not counted
  for (let i = 0; i < runs; i++) {
    off.push(await one("off", sim.url, file));
    on.push(await one("on", sim.url, file));
  }
  const wall = (rs: Run[]) => median(rs.map((r) => r.wall_s));
  const cpuMs = (rs: Run[]) => (1000 * median(rs.map((r) => r.cpu_s))) / n;
  const slower = (a: number, b: number) => `${(100 * (a / b - 1)).toFixed(1)}%`;
  printTable(`Instrumentation overhead at sim latency 0 (-c ${c}, ${n} samples, median of ${runs} alternating runs, in-process)`, [
    ["instrumentation", "wall s", "samples/s", "client CPU ms/sample", "wall of each run (s)"],
    ["off", wall(off), n / wall(off), cpuMs(off), off.map((r) => r.wall_s.toFixed(2)).join(" ")],
    ["on: observer, sampler, Prometheus fed + scraped 1/s, live latency", wall(on), n / wall(on), cpuMs(on), on.map((r) => r.wall_s.toFixed(2)).join(" ")],
    ["on vs off (target: < 3% slower)", `${slower(wall(on), wall(off))} slower`, "", `${slower(cpuMs(on), cpuMs(off))} more`, ""],
  ]);
  if (errors > 0) console.log(`\n(${errors} samples failed over all runs; the machine was too loaded for a clean figure)`);
} finally {
  await sim.stop();
}
