import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { datasetPath } from "../support/datasets.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-server.js";
import { startCli } from "./worker-processes.js";

// A real three-primary cluster (three redis-server processes, a few seconds to form): the queue's keys
// share one hash slot, its Lua scripts run there, and the clients follow the cluster's redirections.
let cluster: RedisCluster;
let sim: SimServer;
let dir: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-cluster-"));
  cluster = await startRedisCluster();
  sim = await startSim({ port: 0, answerKeyFile: datasetPath("gsm8k_test.jsonl"), accuracy: 0.6, seed: 3, latencyMs: 20 });
  input = join(dir, "in.jsonl");
  const lines = (await readFile(datasetPath("gsm8k_test.jsonl"), "utf8")).split("\n").filter(Boolean).slice(100, 116);
  await writeFile(input, `${lines.join("\n")}\n`);
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a queue on a Redis Cluster (redis+cluster://)", { timeout: 120_000 }, () => {
  it("enqueue, two workers, status, collect and drop work through a seed node that does not hold the queue's slot", async () => {
    const seed = new Redis({ port: cluster.ports[0], host: "127.0.0.1" });
    let name = "";
    try {
      // A name whose slot the seed does not serve (redis-cli gives the first node slots 0-5460): every command is redirected.
      for (let i = 0; !name; i++) if (Number(await seed.cluster("KEYSLOT", `streameval:{c${i}}:meta`)) > 5460) name = `c${i}`;
    } finally {
      seed.disconnect();
    }
    const queue = cluster.url(name);
    const env = { OPENAI_API_KEY: "k" };
    const enq = await runCli(["enqueue", input, "-t", "gsm8k", "-m", "m1", "--base-url", sim.url, "--queue", queue, "--budget-usd", "5", "--price", "1/1", "--rpm", "6000"], { env });
    expect(enq.code, enq.stderr).toBe(0);
    expect(enq.stderr).toContain("enqueued 16 sample(s)");
    const workers = [0, 1].map(() => startCli(["worker", "--queue", queue, "-c", "2", "--claim-after", "5"], env));
    for (const w of await Promise.all(workers.map((x) => x.done))) expect(w.code, w.stderr).toBe(0);
    const status = JSON.parse((await runCli(["status", "--queue", queue, "--json"])).stdout) as { samples: Record<string, number>; results: Record<string, number>; budget: { usd: { spent: number } } };
    expect(status.samples).toMatchObject({ enqueued: 16, done: 16, in_flight: 0, waiting: 0 });
    expect(status.results).toEqual({ total: 16, ok: 16, error: 0 });
    expect(status.budget.usd.spent).toBeGreaterThan(0);
    const col = await runCli(["collect", "--queue", queue, "--drop"]);
    expect(col.code, col.stderr).toBe(0);
    const lines = col.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
    expect(new Set(lines.map((l) => l.id)).size).toBe(16);
    expect(col.stderr).toMatch(/dropped .*: \d+ key\(s\) deleted/);
    const after = await runCli(["status", "--queue", queue, "--json"]);
    expect(JSON.parse(after.stdout).run).toBeNull();
  });
});
