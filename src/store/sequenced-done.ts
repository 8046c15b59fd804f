import { countKeys, type DonePart, type DoneView, type DoneWrites, type Op, type TextSub } from "./done-part.js";
import type { Db } from "./json-sublevel.js";

/** A sequence number as a key: fixed-width base 36, so text order is number order (36^8: 2.8 × 10^12 records). */
const seqKey = (seq: number) => seq.toString(36).padStart(8, "0");

/**
 * Store layout 2: a run's records in the order they are made, each under a sequence number (part `r` of the
 * records LevelDB), and part `i` of the main LevelDB, work key → sequence number, saying which are done.
 *
 * Why: records keyed by work key arrive in an order unrelated to their sorted order, so on a long run every
 * memtable LevelDB flushes spans the whole key range and each compaction merges it with most of the store —
 * reading its tables through mmap, pages that sit in the process's RSS while they merge. Records keyed in
 * the order they are made never overlap: LevelDB moves their tables down without reading them. What still
 * compacts is the index, a tenth of the bytes. It lives in another LevelDB because a table of one that
 * held both would span from its records to its index keys and overlap every table in between.
 *
 * Two LevelDBs cannot share a batch, so a commit writes the records first and the index that refers to
 * them second (DoneWrites): a crash between leaves records nothing refers to, which no reader sees.
 */
export class SequencedDone implements DonePart {
  readonly layout = 2;
  readonly #db: Db;
  readonly #recordsDb: Db;
  readonly #index: TextSub;
  readonly #records: TextSub;
  /** The next sequence number: one past the highest in the records part, read at the first write. */
  #next: number | undefined;
  /** The last sequence number written, for `syncOps`. */
  #last: string | undefined;

  constructor(db: Db, index: TextSub, recordsDb: Db, records: TextSub) {
    this.#db = db;
    this.#index = index;
    this.#recordsDb = recordsDb;
    this.#records = records;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.#index.keys({ limit: 1 }).all()).length === 0;
  }

  async view(): Promise<DoneView | undefined> {
    // The records' snapshot first: every record the index's snapshot names is in it.
    const records = this.#recordsDb === this.#db ? undefined : this.#recordsDb.snapshot();
    const main = this.#db.snapshot();
    const close = async () => {
      await main.close();
      await records?.close();
    };
    if ((await this.#index.keys({ limit: 1, snapshot: main }).all()).length > 0) return { main, records, close };
    await close();
    return undefined;
  }

  async get(keys: readonly string[], view: DoneView, numbers?: (number | undefined)[]): Promise<(string | undefined)[]> {
    const seqs = await this.#index.getMany<string, string | undefined>(keys as string[], { snapshot: view.main });
    const found: string[] = [];
    for (const s of seqs) if (s !== undefined) found.push(s);
    if (numbers) for (let i = 0; i < seqs.length; i++) numbers[i] = seqs[i] === undefined ? undefined : Number.parseInt(seqs[i] as string, 36);
    if (found.length === 0) return seqs;
    const texts = await this.#records.getMany<string, string | undefined>(found, { snapshot: view.records ?? view.main });
    let at = 0;
    return seqs.map((s) => (s === undefined ? undefined : texts[at++]));
  }

  async has(keys: readonly string[]): Promise<boolean[]> {
    const options = { fillCache: false, valueEncoding: "utf8" } as const;
    return (await this.#index.getMany(keys as string[], options)).map((v) => v !== undefined);
  }

  async puts(keys: readonly string[], texts: readonly string[], mayHave: (key: string) => boolean): Promise<DoneWrites> {
    // A key twice in one commit: its last text is the one kept.
    const last = new Map<string, number>();
    keys.forEach((key, i) => last.set(key, i));
    const known = [...last.keys()].filter(mayHave);
    const before: Op[] = [];
    const main: Op[] = [];
    const after = await this.#unreferenced(known);
    let next = (this.#next ??= await this.#nextSeq());
    const numbers = new Map<string, number>();
    for (const [key, i] of last) {
      numbers.set(key, next);
      const seq = seqKey(next++);
      before.push({ type: "put", sublevel: this.#records, key: seq, value: texts[i] });
      main.push({ type: "put", sublevel: this.#index, key, value: seq });
      this.#last = seq;
    }
    this.#next = next;
    return { before, main, after, seqs: numbers };
  }

  async deletes(keys: readonly string[]): Promise<DoneWrites> {
    return { before: [], main: keys.map((key) => ({ type: "del", sublevel: this.#index, key })), after: await this.#unreferenced(keys) };
  }

  /** Deletes of the records `keys` refer to now (written after the index stops referring to them). */
  async #unreferenced(keys: readonly string[]): Promise<Op[]> {
    if (keys.length === 0) return [];
    const seqs = await this.#index.getMany<string, string | undefined>(keys as string[], {});
    const ops: Op[] = [];
    for (const seq of seqs) if (seq !== undefined) ops.push({ type: "del", sublevel: this.#records, key: seq });
    return ops;
  }

  async #nextSeq(): Promise<number> {
    const [highest] = await this.#records.keys({ reverse: true, limit: 1 }).all();
    return highest === undefined ? 1 : Number.parseInt(highest as string, 36) + 1;
  }

  /**
   * A write that makes the records LevelDB fsync its log: the delete of a key just past the last record
   * written, which sorts below the next one (`~` after every base-36 digit), so tables still never overlap.
   */
  syncOps(): Op[] {
    return this.#last === undefined ? [] : [{ type: "del", sublevel: this.#records, key: `${this.#last}~` }];
  }

  /** The stored texts of records by sequence number (undefined where none), from the view's snapshot. */
  async bySeq(seqs: readonly number[], view: DoneView): Promise<(string | undefined)[]> {
    return this.#records.getMany<string, string | undefined>(seqs.map(seqKey), { snapshot: view.records ?? view.main });
  }

  async *texts(): AsyncGenerator<string> {
    const entries = this.#index.iterator({});
    try {
      for (let batch = await entries.nextv(1000, {}); batch.length > 0; batch = await entries.nextv(1000, {})) {
        const seqs = batch.map(([, seq]) => seq as string);
        const texts = await this.#records.getMany<string, string | undefined>(seqs, {});
        for (const text of texts) if (text !== undefined) yield text;
      }
    } finally {
      await entries.close();
    }
  }

  count(): Promise<number> {
    return countKeys(this.#index);
  }
}
