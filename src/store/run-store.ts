import type { BatchOperation } from "level";
import { asStoreError } from "../errors/store-error.js";
import type { ResultLine } from "../types.js";
import { workKeyString } from "../types.js";
import { kvConversationState } from "../work/conversation-state-kv.js";
import type { ConversationState } from "../work/conversation-state.js";
import { countChanges, type RecordCounts } from "./count-changes.js";
import { GroupCommit } from "./group-commit.js";
import { KeyFilter } from "./key-filter.js";
import { type Db, jsonSublevel, type JsonSublevel } from "./json-sublevel.js";
import { decodeDone, encodeDoneLine, type StoredRecord } from "./done-record.js";
import { countKeys, type DonePart, type DoneView, type DoneWrites, type TextSub } from "./done-part.js";
import { KeyedDone } from "./keyed-done.js";
import { SequencedDone } from "./sequenced-done.js";
import type { RunMeta } from "./run-meta.js";
import { type RetentionRule, TimeIndex } from "./time-index.js";

/** How a run's records are written: fsync interval, batch size, and the time index for pruning. */
export interface RunStoreOptions {
  /**
   * At most this long (ms, default 1000) between a record being written and an fsync of LevelDB's
   * log. 0 fsyncs every batch (safe against power loss, slower). See README "Checkpoints".
   */
  readonly syncIntervalMs?: number;
  /** Records in one LevelDB batch at most (default 1000). */
  readonly maxBatch?: number;
  /**
   * Index records by the time they are recorded (parts `t` and `k`, see TimeIndex), so `prune` can
   * let the oldest go: continuous runs. Default false (a batch run pays nothing for it).
   */
  readonly timeIndex?: boolean;
  /** Wall clock of the time index, in ms (default Date.now; injected in tests). */
  readonly now?: () => number;
  /**
   * Keys a new run counts as it records them (default 4,000,000; its filter takes about 1.3 bytes a key).
   * Past them, or for a run that had records when it began, `counts` scans the run's keys instead.
   */
  readonly maxCountedKeys?: number;
  /** The store folder, named by a StoreError when a write fails (a full disk, a read-only store). */
  readonly storeDir?: string;
}

/** Bounds on one prune of old records. */
export interface PruneOptions {
  /** Most records deleted by one prune (default 10,000): bounded work; `more` says when to go on. */
  readonly maxDeletes?: number;
}

type Op = BatchOperation<Db, string, unknown>;
type Sub = JsonSublevel;

/** A record on its way to a batch: the line and what it was made from. */
interface Pending {
  readonly line: ResultLine;
  readonly source: string | undefined;
  /** Layout 2: the sequence number its ok line was stored under, once committed. */
  seq?: number;
}

/**
 * One run's records, in its own sublevel `run:<name>` with these parts:
 * - the done records: the final ok ResultLine of each work key (`workKeyString`), with what it was made
 *   from when known (see done-record.ts). What resume skips. In store layout 2 (sequenced-done.ts) they are
 *   kept in the order they are made, in the records LevelDB (`records`, part `r` of `run:<name>`), with an
 *   index `i`: work key → record. A run recorded in layout 1 (part `d`: work key → record, keyed-done.ts)
 *   keeps that layout until it is cleared: its records are neither copied nor looked up twice.
 * - `e` (errors): work key → the last error ResultLine. Not done: a rerun retries it, and an ok
 *   result for the key deletes it in the same atomic batch.
 * - `c` (conversations): work key → the turns of a conversation so far (see `conversations`),
 *   deleted in the batch that records the conversation's ok result.
 * - `t` and `k`, with the `timeIndex` option: the records by time, for `prune` (see TimeIndex).
 *
 * Durability: `record` resolves once its batch is in LevelDB's write-ahead log (written with
 * write(2), so it survives the process dying, kill -9 included). The log is fsynced at most
 * `syncIntervalMs` later and on close, so an OS crash or power cut loses at most that last stretch
 * of records — those samples are simply done again — and LevelDB's checksummed log never replays a
 * torn record, so nothing is corrupted.
 */
export class RunStore {
  readonly #db: Db;
  readonly #runs: Sub;
  readonly #run: Sub;
  /** The part `d` of layout 1; the index `i` and the records `r` of layout 2. */
  readonly #keyed: TextSub;
  readonly #index: TextSub;
  readonly #records: TextSub;
  readonly #recordsDb: Db;
  /** The run's layout, found at the first read or write (see #findPart). */
  #part: Promise<DonePart> | undefined;
  /** Whether the records LevelDB has writes its log has not fsynced. */
  #recordsUnsynced = false;
  readonly #errors: Sub;
  readonly #conversations: Sub;
  /** Part `s`: the run's summary snapshot (summary-snapshot.ts). */
  readonly #snapshot: Sub;
  readonly #writer: GroupCommit<Pending>;
  readonly #timeIndex: TimeIndex | undefined;
  readonly #now: () => number;
  /** Commits and prunes one at a time: a prune must not delete a record a commit is writing. */
  #turn: Promise<unknown> = Promise.resolve();
  readonly #syncIntervalMs: number;
  #lastSync = 0;
  #syncTimer: NodeJS.Timeout | undefined;
  #unsynced = false;
  #view: Promise<DoneView | undefined> | undefined;
  /** Whether the errors part may hold a key (unknown until the first commit looks). */
  #errorsPossible: boolean | undefined;
  /** Commits started, and whether one is being written: see #write. */
  #commits = 0;
  #committing = false;
  /**
   * The records of the done and errors parts, kept by each commit while every key they hold was
   * committed through this handle: from the first commit of a run that had none (or a `clear`), until a
   * prune or `#recorded` is full. Undefined otherwise: `counts` scans.
   */
  #counts: RecordCounts | undefined;
  /** The keys committed while counting: a key it has never seen is in neither part, with no read. */
  #recorded: KeyFilter | undefined;
  /** The last scan's counts and how many commits there had been: while no commit or prune came since, they hold. */
  #scanned: { readonly commits: number; readonly counts: RecordCounts } | undefined;
  /** Whether the first commit has looked for a run with no records yet. */
  #countsLooked = false;
  readonly #storeDir: string;
  readonly #maxCountedKeys: number | undefined;

  constructor(
    readonly name: string,
    db: Db,
    runs: Sub,
    options: RunStoreOptions = {},
    /** Where layout 2 keeps the records: a LevelDB of their own (CheckpointStore gives one), by default `db`. */
    recordsDb: Db = db,
  ) {
    const syncIntervalMs = options.syncIntervalMs ?? 1000;
    if (!(syncIntervalMs >= 0)) throw new RangeError(`Expected \`syncIntervalMs\` to be a number >= 0, got ${syncIntervalMs}`);
    this.#syncIntervalMs = syncIntervalMs;
    this.#db = db;
    this.#runs = runs;
    const prefix = `run:${encodeName(name)}`;
    // All hang off the root, so one batch can write to them; clearing #run clears d, i, e and c too.
    this.#run = jsonSublevel(db, prefix);
    const text = (d: Db, part: string) => d.sublevel<string, string>([prefix, part], { valueEncoding: "utf8" }) as unknown as TextSub;
    this.#keyed = text(db, "d");
    this.#index = text(db, "i");
    this.#recordsDb = recordsDb;
    this.#records = text(recordsDb, "r");
    this.#errors = jsonSublevel(db, [prefix, "e"]);
    this.#conversations = jsonSublevel(db, [prefix, "c"]);
    this.#snapshot = jsonSublevel(db, [prefix, "s"]);
    this.#timeIndex = options.timeIndex ? new TimeIndex(jsonSublevel(db, [prefix, "t"]), jsonSublevel(db, [prefix, "k"])) : undefined;
    this.#now = options.now ?? Date.now;
    this.#storeDir = options.storeDir ?? "(the checkpoint store)";
    this.#maxCountedKeys = options.maxCountedKeys;
    this.#writer = new GroupCommit((lines) => this.#serial(() => this.#commit(lines)), { maxBatch: options.maxBatch });
  }

  async meta(): Promise<RunMeta | undefined> {
    return (await this.#runs.get(this.name)) as RunMeta | undefined;
  }

  /** Writes the run's metadata, fsynced. */
  async putMeta(meta: RunMeta): Promise<void> {
    await this.#write([{ type: "put", sublevel: this.#runs, key: this.name, value: meta }], true);
  }

  /** The run's store layout (`store_layout` in its metadata): 2 unless it has records in layout 1. */
  async layout(): Promise<1 | 2> {
    return (await this.#donePart()).layout;
  }

  #donePart(): Promise<DonePart> {
    return (this.#part ??= this.#findPart());
  }

  /** Layout 2 for a run with no records or an index; layout 1 for one with records in part `d` only. */
  async #findPart(): Promise<DonePart> {
    const sequenced = new SequencedDone(this.#db, this.#index, this.#recordsDb, this.#records);
    if (!(await sequenced.isEmpty())) return sequenced;
    const keyed = new KeyedDone(this.#db, this.#keyed);
    return (await keyed.isEmpty()) ? sequenced : keyed;
  }

  /**
   * A batch to LevelDB; a failure of the disk (full, read-only, damaged) becomes a StoreError naming the store.
   * A synced one fsyncs the records LevelDB's log first, when it has writes not fsynced.
   */
  async #write(ops: Op[], sync: boolean): Promise<void> {
    const started = performance.now();
    // A synced write fsyncs the log, and with it every write before it: nothing is left to sync, unless a
    // commit was written meanwhile (it may have gone into the log after this one).
    const commits = this.#committing ? -1 : this.#commits;
    if (sync && this.#recordsUnsynced) {
      const part = await this.#donePart();
      await this.#writeRecords(part instanceof SequencedDone ? part.syncOps() : [], true);
    }
    try {
      await this.#db.batch(ops, { sync });
    } catch (error) {
      throw asStoreError(error, this.#storeDir);
    }
    if (sync && commits === this.#commits) this.#synced(started);
  }

  /** A batch to the records LevelDB (when it is not the main one). */
  async #writeRecords(ops: Op[], sync: boolean): Promise<void> {
    if (ops.length === 0) return;
    this.#recordsUnsynced = !sync;
    try {
      await this.#recordsDb.batch(ops, { sync });
    } catch (error) {
      throw asStoreError(error, this.#storeDir);
    }
  }

  /** A commit's or prune's writes, in order (DoneWrites); one batch when the records share the main LevelDB. */
  async #writeDone(writes: DoneWrites, ops: Op[], sync: boolean): Promise<void> {
    if (this.#recordsDb === this.#db) return this.#write([...writes.before, ...ops, ...writes.after], sync);
    await this.#writeRecords(writes.before, sync);
    await this.#write(ops, sync);
    await this.#writeRecords(writes.after, false);
  }

  #synced(at: number): void {
    this.#lastSync = at;
    this.#unsynced = false;
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
  }

  /**
   * The stored ok results of `keys` (workKeyString each), undefined where a key is not done — as the
   * run stood at the first lookup: lookups read a snapshot taken then, so what this session records
   * is not seen (within one session a duplicate id is evaluated again, as it is without a store).
   * A run with no records then (a new run) answers without reading LevelDB at all.
   */
  async lookup(keys: readonly string[]): Promise<(ResultLine | undefined)[]> {
    const records = await this.lookupRecords(keys);
    return records.map((r) => (r === undefined ? undefined : (JSON.parse(r.json) as ResultLine)));
  }

  /**
   * `lookup`, with each record as stored: what it was made from (its source, when known) and its line's
   * JSON text, not parsed. The same snapshot as `lookup`.
   */
  async lookupRecords(keys: readonly string[]): Promise<(StoredRecord | undefined)[]> {
    const view = await (this.#view ??= this.#openView());
    if (keys.length === 0 || view === undefined) return keys.map(() => undefined);
    const seqs: (number | undefined)[] = [];
    const texts = await (await this.#donePart()).get(keys, view, seqs);
    const out = new Array<StoredRecord | undefined>(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i];
      if (text === undefined) continue;
      const record = decodeDone(text);
      if (seqs[i] !== undefined) record.seq = seqs[i];
      out[i] = record;
    }
    return out;
  }

  /**
   * The folds (`StoredRecord.fold`, else the whole line's JSON) of records by their sequence numbers, from the
   * lookups' snapshot; undefined where there is none (layout 1, or no such record).
   */
  async foldsBySeq(seqs: readonly number[]): Promise<(string | undefined)[]> {
    const view = await (this.#view ??= this.#openView());
    const part = await this.#donePart();
    if (view === undefined || !(part instanceof SequencedDone)) return seqs.map(() => undefined);
    return (await part.bySeq(seqs, view)).map((text) => {
      if (text === undefined) return undefined;
      const record = decodeDone(text);
      return record.fold ?? record.json;
    });
  }

  /**
   * The run's summary snapshot (summary-snapshot.ts), as saved; undefined when none. A run indexed by time has
   * none: a prune may delete its records and a later record take a freed sequence number.
   */
  async readSnapshot(): Promise<unknown> {
    if (this.#timeIndex) return undefined;
    try {
      return await this.#snapshot.get("summary");
    } catch {
      return undefined;
    }
  }

  /** Saves the run's summary snapshot (after every record it covers is written), in place of the one before. */
  async saveSnapshot(snapshot: unknown): Promise<void> {
    if (this.#timeIndex) return;
    await this.#writer.flush();
    await this.#write([{ type: "put", sublevel: this.#snapshot, key: "summary", value: snapshot }], false);
  }

  /** A snapshot of the run's done records, or undefined when there are none. */
  async #openView(): Promise<DoneView | undefined> {
    return (await this.#donePart()).view();
  }

  /**
   * Records a final result: an ok line as done (clearing an earlier error of its key), an error
   * line in the errors part. Resolves when durable as described above; batched with other records.
   */
  record(line: ResultLine, source?: string): Promise<number | undefined> {
    const pending: Pending = { line, source };
    return this.#writer.add(pending).then(() => pending.seq);
  }

  /** Resolves when every record made so far is durable (and fsynced). */
  async flush(): Promise<void> {
    await this.#writer.flush();
    await this.#sync();
  }

  /**
   * Resolves when every record made so far is in LevelDB's log, not yet fsynced: `flush` for a caller
   * whose next write is synced (`putMeta`), which fsyncs the log with them (one fsync at the end of a run, not two).
   */
  async settle(): Promise<void> {
    await this.#writer.flush();
  }

  /**
   * Conversations in progress (part `c`): each finished turn is put before the next request, so a
   * rerun continues a conversation at its next turn. Cleared with the run (`--fresh`).
   */
  conversations(): ConversationState {
    return kvConversationState(this.#conversations);
  }

  /** Done results in key order, then errors still standing; memory stays flat however many. */
  async *results(): AsyncGenerator<ResultLine> {
    for await (const v of (await this.#donePart()).texts()) yield JSON.parse(decodeDone(v).json) as ResultLine;
    for await (const v of this.#errors.values()) yield v as ResultLine;
  }

  /**
   * The records of the done and errors parts, as committed so far. A run that had no records when this
   * handle first committed is counted as it goes, so its end reads no records; otherwise the keys are
   * scanned, a thousand at a time — which reads the whole run through LevelDB's mapped files and block
   * cache, memory that grows with the run (docs/benchmarks.md).
   */
  counts(): Promise<RecordCounts> {
    return this.#serial(async () => {
      if (this.#counts) return { ...this.#counts };
      // A resumed run counts at its start and at its end: with nothing committed between, the one scan serves both.
      if (this.#scanned?.commits !== this.#commits) this.#scanned = { commits: this.#commits, counts: { ok: await (await this.#donePart()).count(), error: await countKeys(this.#errors) } };
      return { ...this.#scanned.counts };
    });
  }

  /**
   * The run's counts as its metadata saved them when its last session ended (after its last record): `counts`
   * gives them without reading the records, until this handle commits or prunes. Ignored once it has committed.
   */
  assumeCounts(counts: RecordCounts): void {
    if (this.#counts === undefined && this.#commits === 0) this.#scanned = { commits: 0, counts: { ok: counts.ok, error: counts.error } };
  }

  /**
   * Deletes the records (done, error and conversation) that `rule` lets go: those recorded more than
   * `maxAgeMs` ago, or all but the newest `maxCount`; at most `maxDeletes`, oldest first. Needs the
   * `timeIndex` option (records made without it are never pruned). Afterwards lookups read a new
   * snapshot, so the old one does not keep the deleted records on disk; it then also sees what this
   * session recorded. A count prune counts the index once per session (a key scan).
   */
  async prune(rule: RetentionRule, options: PruneOptions = {}): Promise<{ pruned: number; more: boolean }> {
    const index = this.#timeIndex;
    if (!index) throw new Error("prune needs a store opened with the `timeIndex` option");
    const maxDeletes = options.maxDeletes ?? 10_000;
    if (!Number.isInteger(maxDeletes) || maxDeletes < 1) throw new RangeError(`Expected \`maxDeletes\` to be an integer >= 1, got ${maxDeletes}`);
    const result = await this.#serial(async () => {
      const { keys, ops, more } = await index.expired(rule, this.#now(), maxDeletes);
      const done = await (await this.#donePart()).deletes(keys);
      ops.push(...done.main);
      for (const key of keys) for (const sublevel of [this.#errors, this.#conversations]) ops.push({ type: "del", sublevel, key });
      // A snapshot names records by sequence number: one that covered a pruned record would never match again.
      if (keys.length > 0) ops.push({ type: "del", sublevel: this.#snapshot, key: "summary" });
      if (ops.length > 0) await this.#writeDone(done, ops, false);
      return { pruned: keys.length, more };
    });
    if (result.pruned > 0) {
      // Which part each pruned key was in is not read: `counts` scans from now on.
      this.#stopCounting();
      this.#scanned = undefined;
      const view = this.#view;
      this.#view = undefined;
      await (await view)?.close();
    }
    return result;
  }

  /** Deletes the run's records and metadata (`--fresh`). */
  async clear(): Promise<void> {
    await this.close();
    await this.#run.clear();
    if (this.#recordsDb !== this.#db) await this.#records.clear();
    this.#part = undefined;
    this.#errorsPossible = undefined;
    this.#scanned = undefined;
    this.#startCounting();
    await this.#write([{ type: "del", sublevel: this.#runs, key: this.name }], true);
  }

  /** Flushes and fsyncs, and lets go of the lookup snapshot (the next lookup takes a new one). */
  async close(): Promise<void> {
    await this.flush();
    const view = this.#view;
    this.#view = undefined;
    await (await view)?.close();
  }

  async #commit(records: readonly Pending[]): Promise<void> {
    // Deleting a standing error costs as much as the put: skip it while the run has none.
    this.#errorsPossible ??= (await this.#errors.keys({ limit: 1 }).all()).length > 0;
    const part = await this.#donePart();
    if (!this.#countsLooked && !this.#errorsPossible && (await part.isEmpty())) this.#startCounting();
    this.#countsLooked = true;
    const lines = records.map((r) => r.line);
    const keys = lines.map(workKeyString);
    // A key the run's filter has never seen is not done: layout 2 then reads no index entry to replace.
    const recorded = this.#recorded;
    const mayHave = recorded ? (key: string) => recorded.mightHave(key) : () => true;
    const counted = this.#counts ? await this.#countChanges(lines, keys) : undefined;
    const ops: Op[] = this.#timeIndex ? await this.#timeIndex.indexOps(keys, this.#now()) : [];
    const doneKeys: string[] = [];
    const doneTexts: string[] = [];
    for (let i = 0; i < records.length; i++) {
      const { line, source } = records[i]!;
      const key = keys[i]!;
      if (line.status === "ok") {
        doneKeys.push(key);
        doneTexts.push(encodeDoneLine(line, source));
        if (this.#errorsPossible) ops.push({ type: "del", sublevel: this.#errors, key });
        // A finished conversation's turns go in the batch that records it: no crash can come between,
        // and a later line with the same id starts afresh instead of replaying them.
        if (Array.isArray(line.turns)) ops.push({ type: "del", sublevel: this.#conversations, key });
      } else {
        ops.push({ type: "put", sublevel: this.#errors, key, value: line });
        this.#errorsPossible = true;
      }
    }
    const done = await part.puts(doneKeys, doneTexts, mayHave);
    ops.push(...done.main);
    if (done.seqs) for (let i = 0; i < records.length; i++) if (records[i]!.line.status === "ok") records[i]!.seq = done.seqs.get(keys[i]!);
    const now = performance.now();
    const sync = this.#syncIntervalMs === 0 || now - this.#lastSync >= this.#syncIntervalMs;
    this.#commits++;
    this.#committing = true;
    try {
      await this.#writeDone(done, ops, sync);
    } finally {
      this.#committing = false;
    }
    if (counted && this.#counts && this.#recorded) {
      this.#counts.ok += counted.ok;
      this.#counts.error += counted.error;
      for (const key of keys) {
        if (this.#recorded.add(key)) continue;
        this.#stopCounting();
        break;
      }
    }
    if (sync) {
      this.#lastSync = now;
      this.#unsynced = false;
    } else {
      this.#unsynced = true;
      // A quiet stretch after the last batch still gets its fsync.
      this.#syncTimer ??= setTimeout(() => {
        this.#syncTimer = undefined;
        this.#sync().catch(() => undefined);
      }, this.#syncIntervalMs).unref();
    }
  }

  /**
   * How committing `lines` (under `keys`) changes the counts (see countChanges). A key `#recorded` has
   * never seen is in neither part; the few it may have seen (repeats, and ~1% by chance) are read.
   */
  async #countChanges(lines: readonly ResultLine[], keys: readonly string[]): Promise<RecordCounts> {
    const seen = [...new Set(keys.filter((key) => this.#recorded!.mightHave(key)))];
    const done = new Set<string>();
    const errors = new Set<string>();
    if (seen.length > 0) {
      const options = { fillCache: false, valueEncoding: "buffer" } as const;
      (await (await this.#donePart()).has(seen)).forEach((has, i) => has && done.add(seen[i]!));
      if (this.#errorsPossible) (await this.#errors.getMany(seen, options)).forEach((v, i) => v === undefined || errors.add(seen[i]!));
    }
    return countChanges(lines.map((l) => l.status), keys, done, errors);
  }

  #startCounting(): void {
    this.#counts = { ok: 0, error: 0 };
    this.#recorded = new KeyFilter({ maxKeys: this.#maxCountedKeys });
    this.#countsLooked = true;
  }

  #stopCounting(): void {
    this.#counts = undefined;
    this.#recorded = undefined;
  }

  /** Runs `fn` after the commit or prune before it has ended. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(fn);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** Fsyncs LevelDB's log when a batch went out without it (a synced put of a marker key). */
  async #sync(): Promise<void> {
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    if (!this.#unsynced) return;
    this.#unsynced = false;
    this.#lastSync = performance.now();
    await this.#write([{ type: "put", sublevel: this.#run, key: "synced", value: Date.now() }], true);
  }
}

/** Sublevel names allow bytes 0x23..0x7e only: keep letters, digits and `._-`, escape the rest as %XX. */
export function encodeName(name: string): string {
  return Array.from(new TextEncoder().encode(name), (b) =>
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e || b === 0x5f || b === 0x2d
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
}
