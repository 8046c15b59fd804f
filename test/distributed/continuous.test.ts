import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys } from "../../src/queue/queue-keys.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { datasetPath } from "../support/datasets.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";
import { startCli, until } from "./worker-processes.js";

let redisServer: RedisServer;
let redis: Redis;
let sim: SimServer;
let dir: string;
let lines: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-queue-continuous-"));
  redisServer = await startRedis();
  redis = redisServer.client();
  sim = await startSim({ port: 0, answerKeyFile: datasetPath("gsm8k_test.jsonl"), accuracy: 0.5, seed: 2, latencyMs: 10 });
  lines = (await readFile(datasetPath("gsm8k_test.jsonl"), "utf8")).split("\n").filter(Boolean).slice(40, 70);
});
afterAll(async () => {
  await sim?.close();
  await redisServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a continuous queue: a producer keeps appending, workers wait for more, collect --follow windows all workers' results", { timeout: 120_000 }, () => {
  it("results of samples from enqueue and from a producer's own XADD come out once each, with count windows and an alert over them; SIGTERM ends both with exit 0", async () => {
    const queue = redisServer.url("traffic");
    const first = join(dir, "first.jsonl");
    await writeFile(first, `${lines.slice(0, 20).join("\n")}\n`);
    const env = { OPENAI_API_KEY: "k" };
    const enq = await runCli(["enqueue", first, "-t", "gsm8k", "-m", "m1", "--base-url", sim.url, "--queue", queue, "--continuous", "--window", "10", "--alert", "exact_match,strict-match < 0.99", "--retain", "25"], { env });
    expect(enq.code, enq.stderr).toBe(0);
    expect(enq.stderr).toContain("continuous");
    const workers = [0, 1].map(() => startCli(["worker", "--queue", queue, "-c", "3", "--claim-after", "5"], env));
    const follow = startCli(["collect", "--queue", queue, "--follow"]);
    const keys = queueKeys("traffic");
    const recorded = async () => Number((await redis.hget(keys.meta, "results")) ?? 0);
    await until(async () => (await recorded()) >= 20, 60_000, "the enqueued samples");
    // Production traffic: a program appends lines itself.
    for (const line of lines.slice(20)) await redis.xadd(keys.samples, "*", "text", line);
    await until(async () => (await recorded()) >= 30, 60_000, "the appended samples");
    // The queue is never finished: the workers are still waiting for more.
    await new Promise((r) => setTimeout(r, 300));
    for (const w of workers) expect(w.child.exitCode).toBeNull();
    await until(() => follow.stdout().trim().split("\n").filter(Boolean).length >= 30, 30_000, "collect --follow to write every line");
    follow.child.kill("SIGTERM");
    for (const w of workers) w.child.kill("SIGTERM");
    const [f, ...ws] = await Promise.all([follow.done, ...workers.map((w) => w.done)]);
    for (const w of ws) expect(w.code, w.stderr).toBe(0);
    expect(f.code, f.stderr).toBe(0);
    // Bounded in Redis: the samples every worker finished left the stream, the results beyond --retain 25 left too.
    expect(await redis.xlen(keys.samples)).toBe(0);
    expect(await redis.xlen(keys.results)).toBe(25);
    expect(await redis.hlen(keys.done)).toBe(25);
    const status = JSON.parse((await runCli(["status", "--queue", queue, "--json"])).stdout) as { samples: { done: number } };
    expect(status.samples.done).toBe(30);
    const out = f.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
    expect(out).toHaveLength(30);
    expect(new Set(out.map((l) => l.id)).size).toBe(30);
    const events = f.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { type: string; models?: Record<string, { n?: number }>; state?: string });
    const windows = events.filter((e) => e.type === "window");
    expect(windows.length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.type === "alert" && e.state === "firing")).toBe(true);
  });
});
