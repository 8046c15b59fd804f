import { countKeys, type DonePart, type DoneView, type DoneWrites, type Snapshot, type TextSub } from "./done-part.js";
import type { Db } from "./json-sublevel.js";

/**
 * Store layout 1, as written before the second session of 2026-12: part `d` of the run, work key → stored
 * text. A run recorded so keeps it (see RunStore). Its keys arrive in an order unrelated to their sorted
 * order, so on a long run every LevelDB compaction merges (and maps into memory) most of the store.
 */
export class KeyedDone implements DonePart {
  readonly layout = 1;
  readonly #db: Db;
  readonly #done: TextSub;

  constructor(db: Db, done: TextSub) {
    this.#db = db;
    this.#done = done;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.#done.keys({ limit: 1 }).all()).length === 0;
  }

  async view(): Promise<DoneView | undefined> {
    const main: Snapshot = this.#db.snapshot();
    if ((await this.#done.keys({ limit: 1, snapshot: main }).all()).length > 0) return { main, records: undefined, close: () => main.close() };
    await main.close();
    return undefined;
  }

  get(keys: readonly string[], view: DoneView): Promise<(string | undefined)[]> {
    return this.#done.getMany<string, string | undefined>(keys as string[], { snapshot: view.main });
  }

  async has(keys: readonly string[]): Promise<boolean[]> {
    const options = { fillCache: false, valueEncoding: "buffer" } as const;
    const values = await this.#done.getMany(keys as string[], options);
    return values.map((v) => v !== undefined);
  }

  async puts(keys: readonly string[], texts: readonly string[]): Promise<DoneWrites> {
    return { before: [], main: keys.map((key, i) => ({ type: "put", sublevel: this.#done, key, value: texts[i] })), after: [] };
  }

  async deletes(keys: readonly string[]): Promise<DoneWrites> {
    return { before: [], main: keys.map((key) => ({ type: "del", sublevel: this.#done, key })), after: [] };
  }

  async *texts(): AsyncGenerator<string> {
    for await (const v of this.#done.values()) yield v as string;
  }

  count(): Promise<number> {
    return countKeys(this.#done);
  }
}
