import type { BatchOperation } from "level";
import type { Db } from "./json-sublevel.js";

export type Op = BatchOperation<Db, string, unknown>;
export type Snapshot = ReturnType<Db["snapshot"]>;
/** A part whose values are stored texts (done-record.ts), encoded and decoded by the caller. */
export type TextSub = ReturnType<Db["sublevel"]>;

/**
 * The writes of one commit: to the records LevelDB before the main batch (the records themselves), the main
 * batch (what says they are done), and to the records LevelDB after it (records no longer referenced).
 * In that order, a crash between two of them leaves only records nothing refers to, never a reference to
 * a missing record. When both are one LevelDB, the three go in one batch.
 */
export interface DoneWrites {
  readonly before: Op[];
  readonly main: Op[];
  readonly after: Op[];
  /** Layout 2: the sequence number each key's record is put under (the keys of `puts`, in its order). */
  readonly seqs?: ReadonlyMap<string, number>;
}

/** Snapshots of the LevelDBs a part reads, taken together. */
export interface DoneView {
  readonly main: Snapshot;
  readonly records: Snapshot | undefined;
  close(): Promise<void>;
}

/**
 * A run's done records, in one of the store's layouts (`store_layout` in the run's metadata): 1 keeps each
 * record under its work key (keyed-done.ts), 2 keeps them in the order they are made with a work key → record
 * index (sequenced-done.ts).
 */
export interface DonePart {
  readonly layout: 1 | 2;
  /** Whether the part holds no record. */
  isEmpty(): Promise<boolean>;
  /** Snapshots to read from, or undefined when the part holds no record. */
  view(): Promise<DoneView | undefined>;
  /**
   * The stored texts of `keys` (work keys), undefined where not done. Layout 2 also puts each found record's
   * sequence number in `seqs` (when given) at the key's place.
   */
  get(keys: readonly string[], view: DoneView, seqs?: (number | undefined)[]): Promise<(string | undefined)[]>;
  /** Which of `keys` are done, without reading their records into the cache. */
  has(keys: readonly string[]): Promise<boolean[]>;
  /** The writes that record `texts[i]` as done under `keys[i]`; `mayHave(key)` false says a key is surely not done yet. */
  puts(keys: readonly string[], texts: readonly string[], mayHave: (key: string) => boolean): Promise<DoneWrites>;
  /** The writes that delete the records of `keys`. */
  deletes(keys: readonly string[]): Promise<DoneWrites>;
  /** The stored texts in work-key order; memory stays flat however many. */
  texts(): AsyncGenerator<string>;
  /** Records done. */
  count(): Promise<number>;
}

/**
 * The keys of a part, counted a thousand at a time: `for await` over the keys takes an async step per key,
 * which made counting 5,000 records at the end of a run 4× slower (20 ms against 5).
 */
export async function countKeys(part: { keys(): { nextv(size: number): Promise<unknown[]>; close(): Promise<void> } }): Promise<number> {
  const keys = part.keys();
  try {
    let n = 0;
    for (let batch = await keys.nextv(1000); batch.length > 0; batch = await keys.nextv(1000)) n += batch.length;
    return n;
  } finally {
    await keys.close();
  }
}
