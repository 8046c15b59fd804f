/**
 * `npm run bench:distributed`: queue workers on one Redis against the simulator.
 * 1. Scaling: sim latency 200 ms, each worker at -c 8, with 1, 2 and 4 workers (processes). Throughput is
 *    measured once every worker is up (results recorded from then to the last, on Redis's clock), so the
 *    workers' start-up does not count; set beside the ideal, workers × 8 / 0.2 s.
 *    Beside it, the same samples as N independent `run -c 8` processes at once (no queue): what N processes
 *    get from this machine and simulator, so the queue's own cost shows apart from the machine's limits
 *    (workers / N runs near 1: the queue costs nothing; N runs / ideal below 1: the machine is the limit).
 *    CPU per sample: the workers' own (each reports it to `status`) and the runs' (their summaries).
 * 2. Overhead: sim latency 0, one worker at -c 8 against `run -c 8` on the same input: the evaluation's
 *    own wall time per sample (the summary's wall_s), so the difference is what the queue adds.
 * Options: BENCH_RUNS (default 3), BENCH_PER_WORKER (samples per worker, default 160), BENCH_N0 (default 1000).
 * Needs the build (`npm run build`, which `npm run bench:distributed` runs) and redis-server on PATH.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startRedis } from "../test/support/redis-server.js";
import { cli, gsm8kLines, median, printTable, root, startSimProcess, timed } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const perWorker = Number(process.env.BENCH_PER_WORKER ?? 160);
const n0 = Number(process.env.BENCH_N0 ?? 1000);
const c = 8;
const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-queue-"));
const redisServer = await startRedis();
const redis = new Redis({ port: redisServer.port, host: "127.0.0.1" });
let queues = 0;

function startWorker(queue: string): ChildProcess {
  return spawn(process.execPath, [cli, "worker", "--queue", queue, "-c", String(c), "--claim-after", "30"], { cwd: root, env: { ...process.env, OPENAI_API_KEY: "bench" }, stdio: ["ignore", "ignore", "inherit"] });
}

async function enqueue(input: string, url: string): Promise<{ queue: string; name: string }> {
  const name = `bench-${queues++}`;
  const queue = redisServer.url(name);
  const r = await timed(process.execPath, [cli, "enqueue", input, "-t", "gsm8k", "-m", "sim", "--base-url", url, "-c", String(c), "--queue", queue]);
  if (r.code !== 0) throw new Error(`enqueue failed: ${r.stderr}`);
  return { queue, name };
}

const redisNow = async () => {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Number(us) / 1000;
};

interface Measured {
  /** Samples per second. */
  readonly rate: number;
  /** CPU (user + system) per sample, ms, over the processes' evaluation (start-up left out). */
  readonly cpuMs: number;
}

/** Samples per second over the stretch where every worker is up, and the workers' CPU per sample. */
async function throughput(workers: number, url: string, input: string): Promise<Measured> {
  const { queue, name } = await enqueue(input, url);
  const meta = `streameval:{${name}}:meta`;
  const alive = `streameval:{${name}}:alive`;
  const children = Array.from({ length: workers }, () => startWorker(queue));
  while ((await redis.hlen(alive)) < workers) await new Promise((r) => setTimeout(r, 20));
  const t0 = await redisNow();
  const r0 = Number((await redis.hget(meta, "results")) ?? 0);
  await Promise.all(children.map((child) => once(child, "exit")));
  const [results, last] = await redis.hmget(meta, "results", "last_result_ms");
  // Each worker's last report says the CPU it used from its first sample on.
  const reports = Object.values(await redis.hgetall(`streameval:{${name}}:workers`)).map((r) => JSON.parse(r) as { cpu_s?: number });
  const cpu = reports.reduce((sum, r) => sum + (r.cpu_s ?? 0), 0);
  return { rate: (Number(results) - r0) / ((Number(last) - t0) / 1000), cpuMs: (cpu * 1000) / Number(results) };
}

/**
 * The same work without a queue: N independent `run -c 8` processes at once, each on its own share of
 * the input; samples/s over the slowest one's evaluation time. What N processes get on this machine.
 */
async function independentRuns(processes: number, url: string, input: string): Promise<Measured> {
  const lines = (await readFile(input, "utf8")).trim().split("\n");
  const share = Math.ceil(lines.length / processes);
  const parts = await Promise.all(
    Array.from({ length: processes }, async (_, p) => {
      const part = join(tmp, `part-${processes}-${p}.jsonl`);
      await writeFile(part, `${lines.slice(p * share, (p + 1) * share).join("\n")}\n`);
      const summary = join(tmp, `part-${processes}-${p}.json`);
      const r = await timed(process.execPath, [cli, "run", part, "-t", "gsm8k", "-m", "sim", "--base-url", url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--no-store", "--summary", summary]);
      if (r.code !== 0) throw new Error(`run failed: ${r.stderr}`);
      const s = JSON.parse(await readFile(summary, "utf8")) as { wall_s: number; process: { cpu_s: { user: number; system: number } } };
      return { wall: s.wall_s, cpu: s.process.cpu_s.user + s.process.cpu_s.system };
    }),
  );
  return { rate: lines.length / Math.max(...parts.map((p) => p.wall)), cpuMs: (parts.reduce((sum, p) => sum + p.cpu, 0) * 1000) / lines.length };
}

/** redis-server's CPU so far (user + system, seconds). */
async function redisCpu(): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return field("used_cpu_user") + field("used_cpu_sys");
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");

async function scaling(): Promise<(string | number)[][]> {
  const sim = await startSimProcess(["--latency-ms", "200"]);
  const rows: (string | number)[][] = [["workers (-c 8 each)", "samples", "workers samples/s", "N runs samples/s", "ideal samples/s", "workers / N runs", "workers / ideal", "N runs / ideal", "workers CPU ms/sample", "runs CPU ms/sample", "load avg (1 5 15 min)"]];
  try {
    for (const workers of [1, 2, 4]) {
      const input = await gsm8kLines(perWorker * workers, join(tmp, `scale-${workers}.jsonl`));
      const queued: Measured[] = [];
      const local: Measured[] = [];
      for (let i = 0; i < runs; i++) {
        queued.push(await throughput(workers, sim.url, input));
        local.push(await independentRuns(workers, sim.url, input));
      }
      const rate = median(queued.map((m) => m.rate));
      const alone = median(local.map((m) => m.rate));
      const ideal = (workers * c) / 0.2;
      rows.push([workers, perWorker * workers, rate.toFixed(1), alone.toFixed(1), ideal, (rate / alone).toFixed(2), (rate / ideal).toFixed(2), (alone / ideal).toFixed(2), median(queued.map((m) => m.cpuMs)).toFixed(2), median(local.map((m) => m.cpuMs)).toFixed(2), load()]);
    }
  } finally {
    await sim.stop();
  }
  return rows;
}

async function overhead(): Promise<(string | number)[][]> {
  const sim = await startSimProcess(["--latency-ms", "0"]);
  const input = await gsm8kLines(n0, join(tmp, "overhead.jsonl"));
  const local: number[] = [];
  const queued: number[] = [];
  const localCpu: number[] = [];
  const queuedCpu: number[] = [];
  const serverCpu: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const summary = join(tmp, `local-${i}.json`);
      const r = await timed(process.execPath, [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--summary", summary, "--store", join(tmp, `store-${i}`)]);
      if (r.code !== 0) throw new Error(`run failed: ${r.stderr}`);
      const ls = JSON.parse(await readFile(summary, "utf8")) as { wall_s: number; process: { cpu_s: { user: number; system: number } } };
      local.push(ls.wall_s);
      localCpu.push(ls.process.cpu_s.user + ls.process.cpu_s.system);
      const { queue, name } = await enqueue(input, sim.url);
      const redis0 = await redisCpu();
      const w = startWorker(queue);
      await once(w, "exit");
      serverCpu.push((await redisCpu()) - redis0);
      const [report] = Object.values(await redis.hgetall(`streameval:{${name}}:workers`));
      queuedCpu.push((JSON.parse(report ?? "{}") as { cpu_s?: number }).cpu_s ?? Number.NaN);
      const qs = join(tmp, `queued-${i}.json`);
      const col = await timed(process.execPath, [cli, "collect", "--queue", queue, "-o", "/dev/null", "--summary", qs]);
      if (col.code !== 0) throw new Error(`collect failed: ${col.stderr}`);
      queued.push((JSON.parse(await readFile(qs, "utf8")) as { wall_s: number }).wall_s);
    }
  } finally {
    await sim.stop();
  }
  const [l, q] = [median(local), median(queued)];
  const [lc, qc] = [median(localCpu), median(queuedCpu)];
  return [
    ["at sim latency 0, -c 8", "wall s (median)", "samples/s", "wall ms per sample", "CPU ms per sample"],
    [`run (its checkpoint store and cache), ${n0} samples`, l.toFixed(2), (n0 / l).toFixed(0), ((l * 1000) / n0).toFixed(2), ((lc * 1000) / n0).toFixed(2)],
    [`1 worker on the queue, ${n0} samples`, q.toFixed(2), (n0 / q).toFixed(0), ((q * 1000) / n0).toFixed(2), ((qc * 1000) / n0).toFixed(2)],
    ["what the queue adds per sample", "", "", (((q - l) * 1000) / n0).toFixed(2), (((qc - lc) * 1000) / n0).toFixed(2)],
    ["redis-server's own CPU per sample (while the worker ran)", "", "", "", ((median(serverCpu) * 1000) / n0).toFixed(2)],
    ["load average (1 5 15 min)", load(), "", "", ""],
  ];
}

try {
  console.log(`load average at the start (1, 5, 15 min): ${load()} on ${availableParallelism()} cores`);
  printTable(`Scaling: sim latency 200 ms, ${runs} runs each`, await scaling());
  printTable(`Per-sample overhead: sim latency 0, ${runs} runs`, await overhead());
  console.log(`\nload average at the end (1, 5, 15 min): ${load()}`);
} finally {
  redis.disconnect();
  await redisServer.stop();
}
