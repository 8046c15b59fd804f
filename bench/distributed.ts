/**
 * `npm run bench:distributed`: queue workers on one Redis against the simulator.
 * 1. Scaling: sim latency 200 ms, each worker at -c 8, with 1, 2 and 4 workers (processes). Throughput is
 *    measured once every worker is up (results recorded from then to the last, on Redis's clock), so the
 *    workers' start-up does not count; set beside the ideal, workers × 8 / 0.2 s.
 * 2. Overhead: sim latency 0, one worker at -c 8 against `run -c 8` on the same input: the evaluation's
 *    own wall time per sample (the summary's wall_s), so the difference is what the queue adds.
 * Options: BENCH_RUNS (default 3), BENCH_PER_WORKER (samples per worker, default 240), BENCH_N0 (default 2000).
 * Needs the build (`npm run build`, which `npm run bench:distributed` runs) and redis-server on PATH.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startRedis } from "../test/support/redis-server.js";
import { cli, gsm8kLines, median, printTable, root, startSimProcess, timed } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const perWorker = Number(process.env.BENCH_PER_WORKER ?? 240);
const n0 = Number(process.env.BENCH_N0 ?? 2000);
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

/** Samples per second over the stretch where every worker is up. */
async function throughput(workers: number, url: string, input: string): Promise<number> {
  const { queue, name } = await enqueue(input, url);
  const meta = `streameval:{${name}}:meta`;
  const alive = `streameval:{${name}}:alive`;
  const children = Array.from({ length: workers }, () => startWorker(queue));
  while ((await redis.hlen(alive)) < workers) await new Promise((r) => setTimeout(r, 20));
  const t0 = await redisNow();
  const r0 = Number((await redis.hget(meta, "results")) ?? 0);
  await Promise.all(children.map((child) => once(child, "exit")));
  const [results, last] = await redis.hmget(meta, "results", "last_result_ms");
  return (Number(results) - r0) / ((Number(last) - t0) / 1000);
}

async function scaling(): Promise<(string | number)[][]> {
  const sim = await startSimProcess(["--latency-ms", "200"]);
  const rows: (string | number)[][] = [["workers (-c 8 each)", "samples", "samples/s (median)", "ideal samples/s", "vs ideal", "vs 1 worker × N"]];
  let one = 0;
  try {
    for (const workers of [1, 2, 4]) {
      const input = await gsm8kLines(perWorker * workers, join(tmp, `scale-${workers}.jsonl`));
      const rates: number[] = [];
      for (let i = 0; i < runs; i++) rates.push(await throughput(workers, sim.url, input));
      const rate = median(rates);
      if (workers === 1) one = rate;
      const ideal = (workers * c) / 0.2;
      rows.push([workers, perWorker * workers, rate.toFixed(1), ideal, (rate / ideal).toFixed(2), (rate / (one * workers)).toFixed(2)]);
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
  try {
    for (let i = 0; i < runs; i++) {
      const summary = join(tmp, `local-${i}.json`);
      const r = await timed(process.execPath, [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--summary", summary, "--store", join(tmp, `store-${i}`)]);
      if (r.code !== 0) throw new Error(`run failed: ${r.stderr}`);
      local.push((JSON.parse(await readFile(summary, "utf8")) as { wall_s: number }).wall_s);
      const { queue } = await enqueue(input, sim.url);
      const w = startWorker(queue);
      await once(w, "exit");
      const qs = join(tmp, `queued-${i}.json`);
      const col = await timed(process.execPath, [cli, "collect", "--queue", queue, "-o", "/dev/null", "--summary", qs]);
      if (col.code !== 0) throw new Error(`collect failed: ${col.stderr}`);
      queued.push((JSON.parse(await readFile(qs, "utf8")) as { wall_s: number }).wall_s);
    }
  } finally {
    await sim.stop();
  }
  const [l, q] = [median(local), median(queued)];
  return [
    ["at sim latency 0, -c 8", "wall s (median)", "samples/s", "ms per sample"],
    [`run (local store), ${n0} samples`, l.toFixed(2), (n0 / l).toFixed(0), ((l * 1000) / n0).toFixed(2)],
    [`1 worker on the queue, ${n0} samples`, q.toFixed(2), (n0 / q).toFixed(0), ((q * 1000) / n0).toFixed(2)],
    ["overhead the queue adds per sample", "", "", (((q - l) * 1000) / n0).toFixed(2)],
  ];
}

try {
  printTable(`Scaling: sim latency 200 ms, ${runs} runs each`, await scaling());
  printTable(`Per-sample overhead: sim latency 0, ${runs} runs`, await overhead());
} finally {
  redis.disconnect();
  await redisServer.stop();
}
