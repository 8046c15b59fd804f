import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { isBudgetExhaustedError } from "../../src/errors/budget-exhausted-error.js";
import type { QueueClient } from "../../src/queue/queue-client.js";
import { ensureGroup } from "../../src/queue/queue-consumer.js";
import { GROUP, queueKeys } from "../../src/queue/queue-keys.js";
import { queueStatus } from "../../src/queue/queue-status.js";
import { dropQueue, trimDelivered, trimResults } from "../../src/queue/queue-trim.js";
import { countedResults, QueueResults } from "../../src/queue/queue-results.js";
import { parseQueueUrl } from "../../src/queue/queue-url.js";
import { connectRedis } from "../../src/queue/redis-connection.js";
import { initSharedBudget, readBudgetState, SharedBudget } from "../../src/queue/shared-budget.js";
import { SharedRateLimiter } from "../../src/queue/shared-rate-limiter.js";
import { runScript } from "../../src/queue/queue-scripts.js";
import type { ResultLine } from "../../src/types.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";

let server: RedisServer;
let redis: QueueClient;
beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(parseQueueUrl(server.url("unit")));
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const line = (id: string, status: "ok" | "error", extra: Partial<ResultLine> = {}): ResultLine =>
  ({ id, task: "t", model: "m", repeat: 0, status, input: "", ...(status === "ok" ? { scores: { acc: 1 } } : { error: { type: "server_error", message: "x", attempts: 1 } }), ...extra });

describe("QueueResults (real Redis)", () => {
  it("counts each work key once: a second write of a key recorded ok is dropped, an error is replaced by a later ok and never by another error", async () => {
    const keys = queueKeys("records");
    const results = new QueueResults(redis, keys);
    await results.record(line("a", "ok", { response: "first" }));
    await results.record(line("a", "ok", { response: "second" })); // delivered twice: not counted again
    await results.record(line("b", "error", { response: "e1" }));
    await results.record(line("b", "error", { response: "e2" }));
    await results.record(line("b", "ok", { response: "retried" }));
    await results.record(line("c", "error"));
    await results.record(line("b", "error", { response: "late" }));
    const counted = [];
    for await (const l of countedResults(redis, keys, 2)) counted.push(l);
    expect(counted.map((l) => [l.id, l.status, l.response])).toEqual([
      ["a", "ok", "first"],
      ["b", "ok", "retried"],
      ["c", "error", undefined],
    ]);
    expect(await redis.hgetall(keys.meta)).toMatchObject({ results: "3", ok: "2", errors: "1" });
    const found = await results.lookup([JSON.stringify(["t", "a", "m", 0]), JSON.stringify(["t", "c", "m", 0]), JSON.stringify(["t", "z", "m", 0])]);
    expect(found.map((l) => l?.response)).toEqual(["first", undefined, undefined]);
  });
});

describe("SharedBudget (real Redis)", () => {
  const spend = (usd: number) => ({ usd, tokens: 0 });

  it("holds one limit for several workers: reservations wait while others are in flight, and the first that can never fit stops everyone", async () => {
    const keys = queueKeys("budget");
    await initSharedBudget(redis, keys, { usd: 1 });
    for (const w of ["w1", "w2"]) await runScript(redis, "seHeartbeat", [keys.alive, keys.meta], [w, 60_000]);
    const a = new SharedBudget(redis, keys, "w1", { usd: 1 });
    const b = new SharedBudget(redis, keys, "w2", { usd: 1 });
    const h1 = await a.reserve(spend(0.4));
    const h2 = await b.reserve(spend(0.4));
    // 0.4 + 0.4 held: another 0.4 waits until one settles.
    let granted = false;
    const waiting = a.reserve(spend(0.4)).then((h) => ((granted = true), h));
    await new Promise((r) => setTimeout(r, 100));
    expect(granted).toBe(false);
    h1.settle(spend(0.1));
    const h3 = await waiting;
    expect(granted).toBe(true);
    h2.settle(spend(0.3));
    h3.settle(spend(0.3));
    await a.flush();
    await b.flush();
    // 0.7 spent: 0.4 can never fit, whoever asks; both workers are refused from then on.
    await expect(b.reserve(spend(0.4))).rejects.toSatisfy(isBudgetExhaustedError);
    await expect(a.reserve(spend(0.01))).rejects.toThrow(/does not fit|spent/);
    const state = await readBudgetState(redis, keys);
    expect(state).toMatchObject({ exhausted: true, usd: { limit: 1, reserved: 0 } });
    expect(state?.usd?.spent).toBeCloseTo(0.7, 9);
  });

  it("charges a dead worker's reservations as spent (its requests may have been billed): the budget is never passed", async () => {
    const keys = queueKeys("budget-dead");
    await initSharedBudget(redis, keys, { usd: 1 });
    await runScript(redis, "seHeartbeat", [keys.alive, keys.meta], ["dead", 50]);
    await runScript(redis, "seHeartbeat", [keys.alive, keys.meta], ["live", 60_000]);
    await new SharedBudget(redis, keys, "dead", { usd: 1 }).reserve(spend(0.7));
    await new Promise((r) => setTimeout(r, 80)); // its heartbeat lapses (kill -9)
    const live = new SharedBudget(redis, keys, "live", { usd: 1 });
    await expect(live.reserve(spend(0.4))).rejects.toSatisfy(isBudgetExhaustedError);
    expect((await readBudgetState(redis, keys))?.usd?.spent).toBeCloseTo(0.7, 9);
  });
});

describe("SharedRateLimiter (real Redis, virtual time)", () => {
  /** A clock whose sleeps move time forward at once. */
  const selfAdvancing = (): Clock & { t: number } => {
    const c = { t: 0, now: () => c.t, epochMs: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
    return c;
  };

  it("three workers share one rpm: their grants together stay within the burst plus the rate, where separate buckets would allow three times as many", async () => {
    const keys = queueKeys("rate");
    const clock = selfAdvancing();
    const rpm = 600; // 10/s, a burst of 10
    const workers = [1, 2, 3].map(() => new SharedRateLimiter(redis, keys, "m", { rpm, clock, now: () => clock.t }));
    const grants: number[] = [];
    for (let i = 0; i < 60; i++) {
      await workers[i % 3]!.acquire(1);
      grants.push(clock.t);
    }
    for (const [i, t] of grants.entries()) expect(i + 1).toBeLessThanOrEqual(10 + Math.floor((t * rpm) / 60_000) + 1);
    // 60 requests at 10/s after a burst of 10: about 5 s of (virtual) time.
    expect(clock.t).toBeGreaterThanOrEqual(4_900);
    expect(clock.t).toBeLessThan(6_000);
  });

  it("tpm settles the estimate with the reported usage: tokens not used are given back", async () => {
    const keys = queueKeys("rate-tpm");
    const clock = selfAdvancing();
    const limiter = new SharedRateLimiter(redis, keys, "m", { tpm: 6_000, clock, now: () => clock.t }); // 100/s, burst 100
    const ticket = await limiter.acquire(100);
    ticket.settle(10);
    await new Promise((r) => setTimeout(r, 20));
    await limiter.acquire(90); // fits at once: 90 were given back
    expect(clock.t).toBe(0);
    await limiter.acquire(50);
    expect(clock.t).toBeGreaterThanOrEqual(500);
  });
});

describe("trimming and dropping a queue (real Redis)", () => {
  it("trimDelivered deletes only entries every worker is done with (before the oldest pending, before the next undelivered); status still counts them done", async () => {
    const keys = queueKeys("trim");
    await ensureGroup(redis, keys);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await redis.xadd(keys.samples, "*", "text", `{"id":"${i}"}`)) as string);
    await redis.xreadgroup("GROUP", GROUP, "w1", "COUNT", 6, "STREAMS", keys.samples, ">");
    await redis.xack(keys.samples, GROUP, ids[0]!, ids[1]!, ids[2]!, ids[4]!);
    expect(await trimDelivered(redis, keys)).toBe(3); // entry 3 is still pending: 4 stays behind it
    expect(await redis.xlen(keys.samples)).toBe(7);
    await redis.xack(keys.samples, GROUP, ids[3]!, ids[5]!);
    expect(await trimDelivered(redis, keys)).toBe(3);
    // Only the four never delivered are left; a worker still reads them.
    expect((await redis.xrange(keys.samples, "-", "+")).map(([id]) => id)).toEqual(ids.slice(6));
    const status = await queueStatus(redis, keys, "q");
    expect(status.samples).toMatchObject({ done: 6, in_flight: 0, waiting: 4 });
    const read = (await redis.xreadgroup("GROUP", GROUP, "w2", "COUNT", 10, "STREAMS", keys.samples, ">")) as [string, [string, string[]][]][];
    expect(read[0]![1].map(([id]) => id)).toEqual(ids.slice(6));
  });

  it("trimResults keeps a continuous queue's newest results (by count, or by age on Redis's clock) and the marks that counted them", async () => {
    const keys = queueKeys("retain");
    const results = new QueueResults(redis, keys);
    for (const id of ["a", "b", "c", "d", "e"]) await results.record(line(id, "ok"));
    expect(await trimResults(redis, keys, { maxCount: 2 })).toBe(3);
    const kept = [];
    for await (const l of countedResults(redis, keys)) kept.push(l.id);
    expect(kept).toEqual(["d", "e"]);
    expect(Object.keys(await redis.hgetall(keys.done)).map((k) => JSON.parse(k)[1])).toEqual(expect.arrayContaining(["d", "e"]));
    expect(await redis.hlen(keys.done)).toBe(2);
    // An age: nothing recorded in the last hour is older than it; a 1 ms age takes the rest.
    expect(await trimResults(redis, keys, { maxAgeMs: 3_600_000 })).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(await trimResults(redis, keys, { maxAgeMs: 1 })).toBe(2);
    expect(await redis.hlen(keys.done)).toBe(0);
  });

  it("dropQueue deletes every key of one queue and nothing of another", async () => {
    const a = queueKeys("drop-a");
    const b = queueKeys("drop-b");
    for (const k of [a, b]) {
      await redis.set(k.definition, "{}");
      await redis.hset(k.meta, "enqueued", 1);
      await redis.xadd(k.samples, "*", "text", "{}");
      await redis.hset(k.bucket("m", "rpm"), "level", 1);
    }
    expect(await dropQueue(redis, a)).toBe(4);
    expect(await redis.exists(a.definition, a.meta, a.samples, a.bucket("m", "rpm"))).toBe(0);
    expect(await redis.exists(b.definition, b.meta, b.samples, b.bucket("m", "rpm"))).toBe(4);
  });
});
