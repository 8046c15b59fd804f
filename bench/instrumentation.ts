/**
 * Instrumentation overhead: the same evaluation at simulator latency 0 (where the client's CPU is
 * the bottleneck, so any overhead shows) with everything on — run observer, process sampler,
 * Prometheus metrics fed and served, live latency — against everything off. The "on" runs come twice:
 * with the endpoint scraped every second from this process (as Prometheus would from outside), and
 * not scraped. Every run is fetched from once a second, the unscraped ones on the simulator's model
 * list: on two cores another process's work slows this one's, so the scraper's own fetches weigh on
 * every mode alike, and the scraped row differs only by the child serving the scrape. Runs alternate
 * (off, on, on scraped, off …) in fresh processes of the compiled child (as the other benches run
 * theirs: no TypeScript loader in the measured process); the figures are medians. Wall time is what
 * the target is about; the client's CPU time per sample says the same with less noise on a shared
 * machine. Target: under 3% slower.
 * Usage: tsx bench/instrumentation.ts (BENCH_RUNS, default 9; BENCH_N, default 5000).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiled, datasets, gsm8kLines, median, printTable, root, startSimProcess } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 9);
const n = Number(process.env.BENCH_N ?? 5000);
const c = 64;
/** Failed samples over all runs: a loaded machine can drop loopback connections; they skew the figure. */
let errors = 0;

interface Run {
  readonly wall_s: number;
  readonly cpu_s: number;
}

/** One run of the child; `scraped`: its metrics endpoint is what the scraper fetches (else the simulator's model list). */
async function one(script: string, mode: "on" | "off", url: string, file: string, scraped = false): Promise<Run> {
  const child = spawn(process.execPath, [script, mode, url, file, String(c)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let scraper: NodeJS.Timeout | undefined;
  const scrape = (target: string) => (scraper = setInterval(() => void fetch(target).then((r) => r.text()).catch(() => undefined), 1000));
  if (!scraped) scrape(`${url}/models`);
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    const m = /metrics: (\S+)/.exec(err);
    if (m?.[1] && scraped && !scraper) scrape(m[1]);
  });
  const [code] = (await once(child, "exit")) as [number];
  clearInterval(scraper);
  if (code !== 0) throw new Error(`instrumentation child (${mode}) failed (${code}): ${err}`);
  const r = JSON.parse(out) as Run & { samples: number; errors: number };
  if (r.samples !== n) throw new Error(`expected ${n} results, got ${r.samples}`);
  errors += r.errors;
  return r;
}

const script = await compiled("instrumentation-child.ts");
const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-obs-"));
const file = await gsm8kLines(n, join(tmp, "gsm8k.jsonl"));
const sim = await startSimProcess(["--latency-ms", "0", "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
try {
  const off: Run[] = [];
  const on: Run[] = [];
  const onScraped: Run[] = [];
  await one(script, "off", sim.url, file); // warm the simulator, the disk cache and this process's fetch; not counted
  for (let i = 0; i < runs; i++) {
    off.push(await one(script, "off", sim.url, file));
    on.push(await one(script, "on", sim.url, file));
    onScraped.push(await one(script, "on", sim.url, file, true));
  }
  const wall = (rs: Run[]) => median(rs.map((r) => r.wall_s));
  const cpuMs = (rs: Run[]) => (1000 * median(rs.map((r) => r.cpu_s))) / n;
  const slower = (a: number, b: number) => `${(100 * (a / b - 1)).toFixed(1)}%`;
  const row = (name: string, rs: Run[]) => [name, wall(rs), n / wall(rs), cpuMs(rs), rs.map((r) => r.wall_s.toFixed(2)).join(" ")];
  const versus = (name: string, rs: Run[]) => [name, `${slower(wall(rs), wall(off))} slower`, "", `${slower(cpuMs(rs), cpuMs(off))} more`, ""];
  printTable(`Instrumentation overhead at sim latency 0 (-c ${c}, ${n} samples, median of ${runs} alternating runs, in-process)`, [
    ["instrumentation", "wall s", "samples/s", "client CPU ms/sample", "wall of each run (s)"],
    row("off", off),
    row("on: observer, sampler, Prometheus fed and served, live latency", on),
    row("on, the endpoint scraped 1/s", onScraped),
    versus("on vs off (target: < 3% slower)", on),
    versus("on, scraped, vs off", onScraped),
  ]);
  if (errors > 0) console.log(`\n(${errors} samples failed over all runs; the machine was too loaded for a clean figure)`);
} finally {
  await sim.stop();
}
