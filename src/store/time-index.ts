import type { BatchOperation } from "level";
import type { Db, JsonSublevel } from "./json-sublevel.js";

type Op = BatchOperation<Db, string, unknown>;
type Sub = JsonSublevel;

/** Which records a prune keeps: those recorded within the last `maxAgeMs`, or the newest `maxCount`. */
export type RetentionRule = { readonly maxAgeMs: number } | { readonly maxCount: number };

/** What a prune takes out: the work keys, the index's own deletes, and whether more are due. */
export interface Expired {
  readonly keys: string[];
  readonly ops: Op[];
  /** More records are due than `max`: prune again soon. */
  readonly more: boolean;
}

/** Time keys sort as text: the time is zero-padded to a fixed width (ms since 1970 fit in 16 digits). */
const timeKey = (time: number, key: string) => `${String(time).padStart(16, "0")} ${key}`;
const keyOf = (entry: string) => entry.slice(17);

/**
 * The records of a run by the time they were recorded, so the oldest can be pruned (`--retain`):
 * - `t`: `<time, 16 digits> <work key>` → 0, in time order;
 * - `k`: work key → its time, so a key recorded again (an error retried, a repeated id) moves in
 *   `t` rather than leaving a stale entry that would prune its newer record.
 * Both are written in the batch that writes the record. The callers serialize `indexOps` and
 * `expired` with the batches they feed (RunStore does), or the count drifts.
 */
export class TimeIndex {
  readonly #byTime: Sub;
  readonly #timeOf: Sub;
  /** Keys in the index: counted once, at the first count-based prune, then kept up to date. */
  #count: number | undefined;

  constructor(byTime: Sub, timeOf: Sub) {
    this.#byTime = byTime;
    this.#timeOf = timeOf;
  }

  /** The ops that index `keys` as recorded at `now` (ms), moving keys recorded before. */
  async indexOps(keys: readonly string[], now: number): Promise<Op[]> {
    const before = await this.#timeOf.getMany<string, number | undefined>(keys as string[], {});
    const ops: Op[] = [];
    const added = new Set<string>();
    keys.forEach((key, i) => {
      const previous = before[i];
      if (previous === undefined) added.add(key);
      else if (previous !== now) ops.push({ type: "del", sublevel: this.#byTime, key: timeKey(previous, key) });
      ops.push({ type: "put", sublevel: this.#byTime, key: timeKey(now, key), value: 0 });
      ops.push({ type: "put", sublevel: this.#timeOf, key, value: now });
    });
    if (this.#count !== undefined) this.#count += added.size;
    return ops;
  }

  /**
   * The oldest keys `rule` lets go at `now`, at most `max` (oldest first), with the ops that take
   * them out of the index. The caller deletes their records in the same batch.
   */
  async expired(rule: RetentionRule, now: number, max: number): Promise<Expired> {
    let entries: string[];
    let more: boolean;
    if ("maxAgeMs" in rule) {
      entries = await this.#byTime.keys({ lt: timeKey(Math.max(0, now - rule.maxAgeMs), ""), limit: max + 1 }).all();
      more = entries.length > max;
      if (more) entries = entries.slice(0, max);
    } else {
      this.#count ??= await this.#countKeys();
      const excess = this.#count - rule.maxCount;
      if (excess <= 0) return { keys: [], ops: [], more: false };
      entries = await this.#byTime.keys({ limit: Math.min(excess, max) }).all();
      more = excess > max;
    }
    const keys = entries.map(keyOf);
    const ops: Op[] = [];
    for (let i = 0; i < entries.length; i++) {
      ops.push({ type: "del", sublevel: this.#byTime, key: entries[i] as string });
      ops.push({ type: "del", sublevel: this.#timeOf, key: keys[i] as string });
    }
    if (this.#count !== undefined) this.#count -= keys.length;
    return { keys, ops, more };
  }

  async #countKeys(): Promise<number> {
    let n = 0;
    for await (const _ of this.#timeOf.keys()) n++;
    return n;
  }
}
