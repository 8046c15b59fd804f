import { type QueueClient, primariesOf } from "./queue-client.js";
import { GROUP, type QueueKeys } from "./queue-keys.js";

/** How long a continuous queue keeps its results: an age, or the newest N (as `--retain` says it). */
export type ResultsRetention = { readonly maxAgeMs: number } | { readonly maxCount: number };

/**
 * Deletes the samples every worker is done with from the queue's stream (XTRIM MINID): every entry
 * before the oldest one still pending and before the next one not yet delivered is acknowledged, so
 * the stream holds only what is in flight or waiting. Safe to run from any worker at any time: reads
 * and acks only move those two marks forward. Returns the entries deleted.
 */
export async function trimDelivered(redis: QueueClient, keys: QueueKeys): Promise<number> {
  if (!(await redis.exists(keys.samples))) return 0;
  const [pending, groups] = await Promise.all([
    redis.xpending(keys.samples, GROUP) as Promise<[number, string | null, string | null, unknown]>,
    redis.xinfo("GROUPS", keys.samples) as Promise<unknown[][]>,
  ]);
  const group = groups.map(record).find((g) => g.name === GROUP);
  const delivered = (group?.["last-delivered-id"] as string | undefined) ?? "0-0";
  if (delivered === "0-0") return 0;
  const next = nextId(delivered);
  const oldestPending = pending[1];
  const keepFrom = oldestPending && compareIds(oldestPending, next) < 0 ? oldestPending : next;
  return Number(await redis.xtrim(keys.samples, "MINID", keepFrom));
}

/**
 * A continuous queue's results, trimmed to `retention` (older than the age, on Redis's clock, or
 * beyond the newest N), with the marks that counted them: a queue that never ends stays bounded in
 * memory. A sample delivered again after its result was trimmed would be counted again: keep the
 * retention longer than a sample can take. Returns the results deleted.
 */
export async function trimResults(redis: QueueClient, keys: QueueKeys, retention: ResultsRetention): Promise<number> {
  let deleted: number;
  if ("maxCount" in retention) deleted = Number(await redis.xtrim(keys.results, "MAXLEN", retention.maxCount));
  else {
    const [s, us] = await redis.time();
    const cutoff = Number(s) * 1000 + Math.floor(Number(us) / 1000) - retention.maxAgeMs;
    deleted = Number(await redis.xtrim(keys.results, "MINID", `${Math.max(0, cutoff)}-0`));
  }
  if (deleted === 0) return 0;
  // The done marks that point before the first result kept.
  const first = (await redis.xrange(keys.results, "-", "+", "COUNT", 1))[0]?.[0];
  let cursor = "0";
  do {
    const [nextCursor, flat] = await redis.hscan(keys.done, cursor, "COUNT", 1000);
    cursor = nextCursor;
    const stale: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const mark = flat[i + 1] as string;
      const id = mark.slice(mark.indexOf("|") + 1);
      if (first === undefined || compareIds(id, first) < 0) stale.push(flat[i] as string);
    }
    if (stale.length) await redis.hdel(keys.done, ...stale);
  } while (cursor !== "0");
  // Lines set aside: the newest 10 000 are kept.
  await redis.ltrim(keys.rejects, -10_000, -1);
  return deleted;
}

/** Deletes every key of the queue (they share its hash tag, so they are on one node of a cluster). Returns how many. */
export async function dropQueue(redis: QueueClient, keys: QueueKeys): Promise<number> {
  const pattern = keys.definition.replace(/definition$/, "*").replace(/([*?{}[\]\\])(?!$)/g, "\\$1");
  let deleted = 0;
  for (const node of primariesOf(redis)) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      if (found.length) deleted += await redis.del(...found);
    } while (cursor !== "0");
  }
  return deleted;
}

function nextId(id: string): string {
  const [ms, seq] = id.split("-") as [string, string];
  return `${ms}-${BigInt(seq) + 1n}`;
}

export function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

/** XINFO's [name, value, name, value …] as an object. */
function record(fields: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = fields[i + 1];
  return out;
}
