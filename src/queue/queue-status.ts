import type { QueueClient } from "./queue-client.js";
import type { BudgetState } from "../cost/budget.js";
import { GROUP, type QueueKeys } from "./queue-keys.js";
import { readBudgetState } from "./shared-budget.js";

/** One worker as `status` shows it. */
export interface WorkerStatus {
  readonly name: string;
  /** Entries delivered to it and not acknowledged (in flight or read ahead). */
  readonly pending: number;
  /** Since it last read or touched an entry (its heartbeat touches what it holds). */
  readonly idle_ms: number;
  /** Its heartbeat is current. */
  readonly alive: boolean;
  /** Its last report: samples done, delivered, host, pid. */
  readonly report: Readonly<Record<string, unknown>> | null;
}

/** Progress across every worker of a queue. */
export interface QueueStatus {
  readonly queue: string;
  readonly run: string | null;
  readonly continuous: boolean;
  /** Enqueue has finished: no more samples will come. */
  readonly sealed: boolean;
  readonly samples: {
    /** Samples added to the stream. */
    readonly enqueued: number;
    /** Samples acknowledged: every result of theirs is recorded. */
    readonly done: number;
    /** Delivered to a worker and not acknowledged yet. */
    readonly in_flight: number;
    /** Not yet delivered to any worker. */
    readonly waiting: number;
    readonly rejected: number;
  };
  /** Result lines recorded (one per sample × model × repeat), ok and error. */
  readonly results: { readonly total: number; readonly ok: number; readonly error: number };
  readonly workers: readonly WorkerStatus[];
  readonly budget: BudgetState | null;
  /** Why the workers stopped (the budget's message), when they did. */
  readonly stopped: string | null;
}

/** Reads the queue's progress (XINFO GROUPS/CONSUMERS, the counters, the workers' reports). */
export async function queueStatus(redis: QueueClient, keys: QueueKeys, display: string): Promise<QueueStatus> {
  const [meta, defText, length, workersHash, aliveHash, budget, exhausted, time] = await Promise.all([
    redis.hgetall(keys.meta),
    redis.get(keys.definition),
    redis.xlen(keys.samples),
    redis.hgetall(keys.workers),
    redis.hgetall(keys.alive),
    readBudgetState(redis, keys),
    redis.hget(keys.budget, "exhausted"),
    redis.time(),
  ]);
  const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
  const exists = length > 0 || (await redis.exists(keys.samples)) === 1;
  const group = exists ? await groupInfo(redis, keys) : undefined;
  // Entries ever added (Redis 7): what workers finished is trimmed from the stream, so its length is no count.
  const added = exists ? Number(record((await redis.xinfo("STREAM", keys.samples)) as unknown[])["entries-added"] ?? length) : 0;
  const consumers = group ? ((await redis.xinfo("CONSUMERS", keys.samples, GROUP)) as unknown[][]).map(record) : [];
  const def = defText ? (JSON.parse(defText) as { run: string; continuous: boolean }) : null;
  const names = new Set([...consumers.map((c) => String(c.name)), ...Object.keys(workersHash)]);
  const workers = [...names].sort().map((name): WorkerStatus => {
    const c = consumers.find((x) => String(x.name) === name);
    const deadline = aliveHash[name];
    return {
      name,
      pending: Number(c?.pending ?? 0),
      idle_ms: Number(c?.idle ?? 0),
      alive: deadline !== undefined && Number(deadline) >= now,
      report: workersHash[name] ? (JSON.parse(workersHash[name]) as Record<string, unknown>) : null,
    };
  });
  const enqueued = Number(meta.enqueued ?? 0);
  const inFlight = Number(group?.pending ?? 0);
  const waiting = Number(group?.lag ?? Math.max(0, added - Number(group?.["entries-read"] ?? 0)));
  return {
    queue: display,
    run: def?.run ?? null,
    continuous: def?.continuous ?? false,
    sealed: meta.sealed === "1",
    samples: { enqueued, done: Math.max(0, added - inFlight - waiting), in_flight: inFlight, waiting, rejected: Number(meta.rejected ?? 0) },
    results: { total: Number(meta.results ?? 0), ok: Number(meta.ok ?? 0), error: Number(meta.errors ?? 0) },
    workers,
    budget,
    stopped: exhausted,
  };
}

/** The finished state of a batch queue: sealed, everything delivered and acknowledged. */
export function isFinished(status: QueueStatus): boolean {
  return status.sealed && status.samples.waiting === 0 && status.samples.in_flight === 0;
}

async function groupInfo(redis: QueueClient, keys: QueueKeys): Promise<Record<string, unknown> | undefined> {
  const groups = ((await redis.xinfo("GROUPS", keys.samples)) as unknown[][]).map(record);
  return groups.find((g) => g.name === GROUP);
}

/** XINFO's [name, value, name, value …] as an object. */
function record(fields: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = fields[i + 1];
  return out;
}
