import { CostLedger } from "./cost/cost-ledger.js";
import type { RunAccounting } from "./cost/run-accounting.js";
import { foldOf, type ResultEvent } from "./events.js";
import { SeqSet } from "./store/seq-set.js";
import { SummaryBuilder, type SummaryBuilderOptions } from "./summary/summary-builder.js";
import type { ResultFold } from "./types.js";

/** What a summary snapshot needs of the checkpoint (RunStore fits). */
export interface SnapshotStore {
  readSnapshot(): Promise<unknown>;
  saveSnapshot(snapshot: unknown): Promise<void>;
  foldsBySeq(seqs: readonly number[]): Promise<(string | undefined)[]>;
}

/** The saved form (part `s` of the run in the store). */
interface Saved {
  readonly v: 1;
  /** What folding depends on besides the lines: the tasks' metric aggregations (`identityOf`). */
  readonly identity: string;
  /** The sequence numbers of the records folded (`SeqSet.toBase64`). */
  readonly seqs: string;
  readonly summary: unknown;
  readonly cost: unknown;
}

/** A snapshot read back and checked. */
interface SavedParts {
  readonly seqs: SeqSet;
  readonly summary: unknown;
  readonly cost: unknown;
}

/** Records re-read at a time when folds left to the end are folded (a fallback, or what a snapshot lacks). */
const REREAD_BATCH = 1000;

/**
 * A summary snapshot: the folds of a run's stored records, as a resume folds them (`resumed`), saved with the set
 * of their sequence numbers (store layout 2), so a later resume that reuses those records merges the saved
 * folds instead of decoding and folding each one (a 100,000-record resume spent a quarter of its main thread
 * there).
 *
 * Exact by construction: a record is never rewritten under its sequence number (a new result takes a new one,
 * a prune deletes the snapshot), so a snapshot whose set is within the records this run resumes holds exactly
 * their folds. While the run goes, a resumed record stored at or below the snapshot's highest number is not
 * folded (`deferred`: its number goes into a set, one bit each); at the end, when the snapshot's set is within
 * it, the snapshot is merged and only the rest is read back by number and folded; otherwise every one of them
 * is (the same figures as without a snapshot, a little slower). The summary equals a fresh fold's up to the
 * order floating-point sums were added in (a mean's stderr, cost in micro-dollars: last digits).
 *
 * Saved at the end of a run (a graceful stop included) when every resumed line it folded had a sequence number
 * and none came twice: the resumed records' folds and, folded a second time as resumed, those of the ok lines
 * this run recorded. Off (today's path) for runs with Python aggregations, hooks or routing, whose folds or
 * records it cannot stand for; a snapshot that does not read back, or was made under other aggregations, is
 * ignored.
 */
export class SummarySnapshot {
  readonly #store: SnapshotStore;
  readonly #options: SummaryBuilderOptions;
  readonly #identity: string;
  readonly #prices: ConstructorParameters<typeof CostLedger>[0];
  readonly #saved: SavedParts | undefined;
  /** Resumed records folded here (R) and their numbers; resumed records left to the end (D). */
  readonly #resumed: SummaryBuilder;
  readonly #resumedCost: CostLedger;
  readonly #folded = new SeqSet();
  readonly #deferred = new SeqSet();
  /** Ok lines this run recorded, folded as resumed (N), and their numbers. */
  readonly #made: SummaryBuilder;
  readonly #madeCost: CostLedger;
  readonly #madeSeqs = new SeqSet();
  /** Set when a folded line cannot be named by a number once: no snapshot is saved. */
  #unsaveable = false;

  private constructor(store: SnapshotStore, options: SummaryBuilderOptions, identity: string, prices: ConstructorParameters<typeof CostLedger>[0], saved: SavedParts | undefined) {
    this.#store = store;
    this.#options = options;
    this.#identity = identity;
    this.#prices = prices;
    this.#saved = saved;
    this.#resumed = new SummaryBuilder(options);
    this.#resumedCost = new CostLedger(prices);
    this.#made = new SummaryBuilder(options);
    this.#madeCost = new CostLedger(prices);
  }

  /** Reads the run's snapshot (ignored unless it reads back whole and was made under `identity`). */
  static async open(store: SnapshotStore, options: SummaryBuilderOptions, identity: string, prices: ConstructorParameters<typeof CostLedger>[0]): Promise<SummarySnapshot> {
    return new SummarySnapshot(store, options, identity, prices, checked(await store.readSnapshot().catch(() => undefined), options, identity, prices));
  }

  /** The highest sequence number the snapshot covers (0: none): `EvaluateOptions.deferFoldsUpTo`. */
  get deferUpTo(): number {
    return this.#saved?.seqs.max ?? 0;
  }

  /** Takes a result event's fold; false when the summary should fold it as usual (this may still note it). */
  add(event: ResultEvent): boolean {
    const seq = event.seq;
    if (!event.resumed) {
      if (seq !== undefined) {
        const fold = foldOf(event);
        this.#made.addResult(fold, true);
        this.#madeCost.addResult(fold);
        if (!this.#madeSeqs.add(seq)) this.#unsaveable = true;
      }
      return false;
    }
    if (seq === undefined) {
      this.#unsaveable = true;
      return false;
    }
    if (event.deferred && this.#deferred.add(seq)) return true;
    this.#fold(foldOf(event));
    if (event.deferred || !this.#folded.add(seq)) this.#unsaveable = true;
    return true;
  }

  #fold(fold: ResultFold): void {
    this.#resumed.addResult(fold, true);
    this.#resumedCost.addResult(fold);
  }

  /**
   * At the end of the run: folds what was left to the end (merging the snapshot when it covers part of it),
   * adds the resumed records' folds to `builder` and `accounting`, and saves the new snapshot.
   */
  async finish(builder: SummaryBuilder, accounting: RunAccounting): Promise<void> {
    const saved = this.#saved;
    let rest = this.#deferred;
    let merged = false;
    if (saved !== undefined && this.#deferred.size > 0 && saved.seqs.isSubsetOf(this.#deferred)) {
      this.#resumed.mergeState(saved.summary);
      this.#resumedCost.mergeState(saved.cost);
      merged = true;
      rest = new SeqSet();
      this.#deferred.forEach((seq) => saved.seqs.has(seq) || rest.add(seq));
    }
    await this.#reread(rest);
    builder.mergeState(this.#resumed.state());
    accounting.mergeResults(this.#resumedCost.state());
    // Nothing new to say: the snapshot stands as it is.
    if (this.#unsaveable || (merged && rest.size === 0 && this.#folded.size === 0 && this.#madeSeqs.size === 0)) return;
    const seqs = new SeqSet();
    seqs.addAll(this.#deferred);
    seqs.addAll(this.#folded);
    seqs.addAll(this.#madeSeqs);
    if (seqs.size === 0) return;
    const summary = new SummaryBuilder(this.#options);
    summary.mergeState(this.#resumed.state());
    summary.mergeState(this.#made.state());
    const cost = new CostLedger(this.#prices);
    cost.mergeState(this.#resumedCost.state());
    cost.mergeState(this.#madeCost.state());
    const out: Saved = { v: 1, identity: this.#identity, seqs: seqs.toBase64(), summary: summary.state(), cost: cost.state() };
    await this.#store.saveSnapshot(out);
  }

  /** Reads back the folds of `seqs` and folds them, a batch at a time. */
  async #reread(seqs: SeqSet): Promise<void> {
    let batch: number[] = [];
    for (let from = 1; batch.length > 0 || from <= seqs.max; ) {
      batch = seqs.batch(from, REREAD_BATCH);
      if (batch.length === 0) break;
      from = (batch[batch.length - 1] as number) + 1;
      const folds = await this.#store.foldsBySeq(batch);
      for (let i = 0; i < folds.length; i++) {
        const text = folds[i];
        // The lookups read these records from the same snapshot of the store: one missing is a broken store.
        if (text === undefined) throw new Error(`checkpoint store: record ${batch[i]} was resumed but cannot be read back`);
        this.#fold(JSON.parse(text) as ResultFold);
      }
    }
  }
}

/** What folding a record depends on besides the record: each task's metric aggregations. */
export function identityOf(options: SummaryBuilderOptions): string {
  return JSON.stringify(options.tasks.map((t) => [t.name, [...t.aggregations]]));
}

/** A saved snapshot when it reads back whole and was made under `identity`; else undefined (it is ignored). */
function checked(value: unknown, options: SummaryBuilderOptions, identity: string, prices: ConstructorParameters<typeof CostLedger>[0]): SavedParts | undefined {
  const saved = value as Partial<Saved> | null | undefined;
  if (saved === null || typeof saved !== "object" || saved.v !== 1 || saved.identity !== identity) return undefined;
  const seqs = SeqSet.fromBase64(saved.seqs);
  if (seqs === undefined || seqs.size === 0) return undefined;
  // Merged into throwaway folds first: a snapshot that does not merge whole is not merged at all.
  if (!new SummaryBuilder(options).mergeState(saved.summary) || !new CostLedger(prices).mergeState(saved.cost)) return undefined;
  return { seqs, summary: saved.summary, cost: saved.cost };
}
