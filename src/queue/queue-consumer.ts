import type { QueueClient } from "./queue-client.js";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { SourceLine } from "../io/read-lines.js";
import type { Reject, SourcePosition } from "../types.js";
import { GROUP, type QueueKeys } from "./queue-keys.js";
import { runScript } from "./queue-scripts.js";

/** What a delivered line is, as the worker's run will see it: a sample (its key and result count), or a line to set aside. */
export type Identified = { readonly key: string; readonly expected: number } | { readonly reject: Reject };

export interface QueueConsumerOptions {
  /** For commands and scripts. */
  readonly redis: QueueClient;
  /** A connection of its own for XREADGROUP … BLOCK (a blocked connection answers nothing else). */
  readonly blocking: QueueClient;
  readonly keys: QueueKeys;
  /** This worker's consumer name in the group (unique: host, pid and a random part). */
  readonly consumer: string;
  /** Entries idle this long in another worker's hands are claimed (that worker is taken for dead). */
  readonly claimAfterMs: number;
  /** A continuous queue never finishes: workers wait for more entries until they are stopped. */
  readonly continuous: boolean;
  /** Which sample a line is (its key: task and id), and how many results finish it. */
  readonly identify: (line: SourceLine) => Identified;
  /** Entries read at once (default 8): what one worker holds beyond what its run asked for. */
  readonly batch?: number;
  /** Longest wait in one XREADGROUP (default 1000 ms, at most a third of claimAfterMs). */
  readonly blockMs?: number;
  readonly clock?: Clock;
}

interface Held {
  readonly entries: string[];
  remaining: number;
}

/**
 * One worker's end of the queue's consumer group. `lines()` yields the samples delivered to it — new
 * entries (XREADGROUP `>`) and entries claimed from workers that went silent (XAUTOCLAIM after
 * `claimAfterMs` idle) — one at a time, as the run asks for them. `settle` counts a sample's results
 * as the run records them, and acknowledges its entry (XACK) when the last one is recorded: the
 * entry stays pending, and is claimed by another worker, until every result it makes is in Redis.
 *
 * `heartbeat()` (every few seconds) tells the queue the worker is alive and resets the idle time of
 * the entries it holds (read ahead included), so a slow sample is not taken from a live worker.
 * `handBack()` (on a stop) marks what it still holds as idle for a week, so whichever worker looks
 * next (at least every second) claims it at once, whatever its --claim-after.
 *
 * `lines()` ends when the queue is sealed (enqueue finished), nothing is left to deliver, and no other
 * worker holds a pending entry (it could die, and its entries would need claiming); or on `signal`.
 */
export class QueueConsumer {
  readonly #o: QueueConsumerOptions;
  readonly #clock: Clock;
  /** Sample key → its entries and the results still to come. */
  readonly #held = new Map<string, Held>();
  /** Where each held sample was read from (file:line), for rejects the run makes (a template's missing field). */
  readonly #byPosition = new Map<string, string>();
  #claimCursor = "0-0";
  #lastClaim = Number.NEGATIVE_INFINITY;
  #delivered = 0;
  #acked = 0;
  #report: Readonly<Record<string, unknown>> = {};

  constructor(options: QueueConsumerOptions) {
    if (!(options.claimAfterMs > 0)) throw new RangeError(`Expected \`claimAfterMs\` to be a number > 0, got ${options.claimAfterMs}`);
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Samples held now (delivered, results not all recorded). */
  get holding(): number {
    return this.#held.size;
  }
  /** Samples finished (acknowledged) by this worker. */
  get acked(): number {
    return this.#acked;
  }
  get delivered(): number {
    return this.#delivered;
  }

  /** Creates the consumer group if the queue has none yet (idempotent). */
  async ensureGroup(): Promise<void> {
    await ensureGroup(this.#o.redis, this.#o.keys);
  }

  async *lines(signal: AbortSignal): AsyncGenerator<SourceLine, void, undefined> {
    const { redis, keys, consumer } = this.#o;
    const batch = this.#o.batch ?? 8;
    const blockMs = Math.max(1, Math.min(this.#o.blockMs ?? 1000, Math.floor(this.#o.claimAfterMs / 3)));
    // Claiming is cheap (the pending list is scanned from a cursor): at least every second, and whenever nothing new came.
    const claimEvery = Math.min(1000, Math.max(50, this.#o.claimAfterMs / 4));
    // Lines read and not yet yielded: already held (the heartbeat keeps them from being claimed).
    const buffer: SourceLine[] = [];
    while (!signal.aborted) {
      if (buffer.length === 0 && this.#clock.now() - this.#lastClaim >= claimEvery) {
        this.#lastClaim = this.#clock.now();
        const reply = (await redis.xautoclaim(keys.samples, GROUP, consumer, Math.ceil(this.#o.claimAfterMs), this.#claimCursor, "COUNT", batch)) as [string, Entry[], string[]?];
        this.#claimCursor = reply[0];
        for (const [entry, line] of entriesToLines(reply[1], keys.samples)) if (await this.#take(entry, line)) buffer.push(line);
      }
      if (buffer.length === 0) {
        // Sealed is read before the read: a queue sealed then has delivered everything once `>` is empty.
        const sealed = !this.#o.continuous && (await redis.hget(keys.meta, "sealed")) === "1";
        const reply = (await this.#o.blocking.xreadgroup("GROUP", GROUP, consumer, "COUNT", batch, "BLOCK", blockMs, "STREAMS", keys.samples, ">"));
        const read = (reply ?? []).flatMap(([, entries]) => entriesToLines(entries, keys.samples));
        for (const [entry, line] of read) if (await this.#take(entry, line)) buffer.push(line);
        if (read.length === 0) {
          if (await this.#stopped()) return;
          if (sealed && (await this.#othersPending()) === 0) return;
          this.#lastClaim = Number.NEGATIVE_INFINITY;
          continue;
        }
      }
      const line = buffer.shift();
      if (line) yield line;
    }
  }

  /** A delivered entry: a new sample is held and passed on; one already held here waits for the same results; a bad line is set aside and acknowledged. */
  async #take(entry: string, line: SourceLine): Promise<boolean> {
    this.#delivered++;
    const id = this.#o.identify(line);
    if ("reject" in id) {
      await this.#setAside(id.reject);
      await this.#o.redis.xack(this.#o.keys.samples, GROUP, entry);
      return false;
    }
    const held = this.#held.get(id.key);
    if (held) {
      held.entries.push(entry);
      return false;
    }
    this.#held.set(id.key, { entries: [entry], remaining: id.expected });
    this.#byPosition.set(positionKey(line), id.key);
    return true;
  }

  /** One result of sample `key` is recorded; the sample's entries are acknowledged with its last. */
  async settle(key: string): Promise<void> {
    const held = this.#held.get(key);
    if (!held) return;
    held.remaining--;
    if (held.remaining > 0) return;
    this.#held.delete(key);
    await this.#o.redis.xack(this.#o.keys.samples, GROUP, ...held.entries);
    this.#acked++;
  }

  /** The run set a held line aside (the task cannot use it): kept with the queue's rejects, and acknowledged. */
  async rejected(reject: Reject): Promise<void> {
    const key = this.#byPosition.get(positionKey(reject.at));
    await this.#setAside(reject);
    if (key === undefined) return;
    this.#byPosition.delete(positionKey(reject.at));
    const held = this.#held.get(key);
    if (!held) return;
    this.#held.delete(key);
    await this.#o.redis.xack(this.#o.keys.samples, GROUP, ...held.entries);
  }

  async #setAside(reject: Reject): Promise<void> {
    const { redis, keys } = this.#o;
    await redis.rpush(keys.rejects, JSON.stringify({ file: reject.at.file, line: reject.at.line, reason: reject.reason, raw: reject.raw }));
    await redis.hincrby(keys.meta, "rejected", 1);
  }

  /**
   * Tells the queue this worker is alive (for `ttlMs`, on Redis's clock), resets the idle time of the
   * entries it holds, and reports its figures to `status`.
   */
  async heartbeat(ttlMs: number, report: Readonly<Record<string, unknown>>): Promise<void> {
    const { redis, keys, consumer } = this.#o;
    const now = await runScript<number>(redis, "seHeartbeat", [keys.alive, keys.meta], [consumer, Math.ceil(ttlMs)]);
    const ids = this.#entries();
    for (let i = 0; i < ids.length; i += 500) await redis.call("XCLAIM", keys.samples, GROUP, consumer, 0, ...ids.slice(i, i + 500), "JUSTID");
    this.#report = { ...report, holding: this.#held.size, done: this.#acked, seen_ms: now };
    await redis.hset(keys.workers, consumer, JSON.stringify(this.#report));
  }

  /**
   * On a stop: what this worker still holds is made idle past `claimAfterMs` at once, so another
   * worker claims it without waiting; the worker then leaves the group if it holds nothing. `report`
   * is its last word to `status` (else the last heartbeat's).
   */
  async handBack(report: Readonly<Record<string, unknown>> = this.#report): Promise<number> {
    const { redis, keys, consumer } = this.#o;
    const ids = this.#entries();
    for (let i = 0; i < ids.length; i += 500) {
      await redis.call("XCLAIM", keys.samples, GROUP, consumer, 0, ...ids.slice(i, i + 500), "IDLE", HANDED_BACK_IDLE_MS, "JUSTID");
    }
    this.#held.clear();
    this.#byPosition.clear();
    await redis.hdel(keys.alive, consumer);
    await redis.hset(keys.workers, consumer, JSON.stringify({ ...this.#report, ...report, holding: 0, done: this.#acked, handed_back: ids.length, stopped: true }));
    const mine = (await redis.xpending(keys.samples, GROUP, "-", "+", 1, consumer));
    if (mine.length === 0) await redis.xgroup("DELCONSUMER", keys.samples, GROUP, consumer);
    return ids.length;
  }

  #entries(): string[] {
    return [...this.#held.values()].flatMap((h) => h.entries);
  }

  /** The shared budget is used up (by any worker): no more samples are taken. */
  async #stopped(): Promise<boolean> {
    return (await this.#o.redis.hexists(this.#o.keys.budget, "exhausted")) === 1;
  }

  /** Pending entries held by other workers. */
  async #othersPending(): Promise<number> {
    const summary = (await this.#o.redis.xpending(this.#o.keys.samples, GROUP)) as [number, string | null, string | null, [string, string][] | null];
    const total = Number(summary[0]);
    const mine = Number(summary[3]?.find(([name]) => name === this.#o.consumer)?.[1] ?? 0);
    return total - mine;
  }
}

/** The idle time a stopping worker gives what it hands back: past any worker's --claim-after, so the next XAUTOCLAIM takes it. */
const HANDED_BACK_IDLE_MS = 7 * 24 * 3600 * 1000;

/** Creates the queue's consumer group, reading from the stream's start (creating the stream if need be). */
export async function ensureGroup(redis: QueueClient, keys: QueueKeys): Promise<void> {
  try {
    await redis.xgroup("CREATE", keys.samples, GROUP, "0", "MKSTREAM");
  } catch (error) {
    if (!/BUSYGROUP/.test((error as Error).message)) throw error;
  }
}

/** A stream entry as QueueClient returns it: its id and its fields as [name, value, …]. */
type Entry = [string, string[] | null];

function entriesToLines(entries: readonly Entry[], stream: string): [string, SourceLine][] {
  const out: [string, SourceLine][] = [];
  for (const [id, fields] of entries) {
    if (!fields) continue; // deleted (trimmed) while pending
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
    // A producer may write bare `text` entries: their position is the entry itself.
    out.push([id, { text: f.text ?? "", file: f.file ?? stream, line: f.line ? Number(f.line) : entrySequence(id) }]);
  }
  return out;
}

/** An entry id's milliseconds part, as a line number for entries without one. */
function entrySequence(id: string): number {
  return Number(id.split("-")[0]);
}

function positionKey(at: SourcePosition): string {
  return `${at.file}\0${at.line}`;
}
