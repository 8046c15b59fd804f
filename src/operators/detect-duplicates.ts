import { defer, map, type MonoTypeOperatorFunction } from "rxjs";
import type { EventOf } from "../events.js";
import type { Sample, SourceItem, SourcePosition } from "../types.js";
import { hash53, hash53Pair } from "../stats/hash53.js";
import { HashTable } from "./hash-table.js";
import { checkSample, isUnchecked } from "./parse.js";

export { hash53 };

export interface DetectDuplicatesOptions {
  /**
   * Called, synchronously and before the item goes on, for every sample whose id (within its task)
   * was seen before in this subscription, with a ready `duplicate-id` event naming both positions.
   * A throw from it errors the stream.
   */
  readonly onDuplicate: (event: EventOf<"duplicate-id">) => void;
  /**
   * Most distinct ids remembered (default 2,000,000, about 20 MB at worst). Past it, new ids are
   * not remembered, so a later repeat of one of them goes unreported; the ones remembered still are.
   * Keeps an endless (`--continuous`) input bounded.
   */
  readonly maxIds?: number;
  /** Called once when `maxIds` is reached, to warn that detection is partial from then on. */
  readonly onCapacity?: (maxIds: number) => void;
  /**
   * Give a repeated id's later line an id of its own, `id@file:line` (reported as the event's `as`).
   * Work is keyed by id — shared `n`-choice requests, repeats waiting for each other, checkpoint
   * records — so two lines under one id would share them: the later line would get the earlier
   * one's answers, or its record on resume.
   */
  readonly distinctIds?: boolean;
  /**
   * Forget the oldest ids instead of remembering no new ones (for `--continuous`): ids are kept in
   * two generations of up to maxIds / 2 each, and the older is dropped when the newer fills. So a
   * repeat is reported when its first occurrence is among the last maxIds / 2 (at least) distinct
   * ids, however long the input; `onCapacity` is not called.
   */
  readonly forget?: boolean;
}

export const DEFAULT_MAX_IDS = 2_000_000;

type SampleItem = SourceItem & { readonly kind: "sample" };

/** Packed positions below this fit the HashTable's 32-bit values. */
const COMPACT = 2 ** 32 - 1;

/** The table's value for an id whose first line was found bad (parse's `checkLater`): as if absent. pack never makes it. */
const VOID = COMPACT - 1;
/** VOID entries kept at most (9 bytes each): past them, every line is checked when it comes. */
const MAX_VOIDS = 65_536;

/**
 * Passes every item through in order, and reports each sample whose `(task, id)` was seen before
 * through `onDuplicate`. Duplicates are reported, never dropped or merged: the later line is evaluated
 * too (under an id of its own with `distinctIds`; otherwise unchanged). Rejects pass untouched.
 * Completes and errors with the source.
 *
 * Reporting by callback rather than in the stream keeps the item type `SourceItem`; the callback gets
 * a finished `EvalEvent`, so the run can push it into its event stream as it is.
 *
 * Memory: per distinct id, one 53-bit hash of `task + id` and the packed first position (file index,
 * line, packed into 32 bits) in a HashTable: about 9 bytes each, whatever the ids' length, up to `maxIds`.
 * State is per subscription. Two different ids share a hash with probability about n²/2^54 (n = 1M:
 * ~6e-5); that would only report a false duplicate, never drop a sample. Positions are exact for
 * lines below 2^32 in fewer than 2^21 files.
 *
 * ```ts
 * items$.pipe(detectDuplicates({ onDuplicate: (e) => events.next(e) }))
 * ```
 */
export function detectDuplicates(options: DetectDuplicatesOptions): MonoTypeOperatorFunction<SourceItem> {
  const { onDuplicate, onCapacity, forget = false, distinctIds = false } = options;
  const maxIds = options.maxIds ?? DEFAULT_MAX_IDS;
  if (typeof onDuplicate !== "function") {
    throw new TypeError(`Expected \`onDuplicate\` to be a function, got ${typeof onDuplicate}`);
  }
  if (!Number.isInteger(maxIds) || maxIds < 1) {
    throw new TypeError(`Expected \`maxIds\` to be an integer >= 1, got ${String(maxIds)}`);
  }
  if (onCapacity !== undefined && typeof onCapacity !== "function") {
    throw new TypeError(`Expected \`onCapacity\` to be a function, got ${typeof onCapacity}`);
  }

  return (source) =>
    defer(() => {
      let firstSeen = new HashTable();
      // With `forget`: the generation before `firstSeen`, looked up too, dropped when `firstSeen` fills.
      let older = new HashTable();
      const generation = Math.max(1, Math.ceil(maxIds / 2));
      const files = new Map<string, number>();
      const fileNames: string[] = [];
      // Positions packed to fit the table's 32-bit values: file k's lines are numbered on from `bases[k]`
      // (the files are read one after another, so each starts past the lines of the ones before).
      const bases: number[] = [];
      let nextBase = 0;
      let full = false;

      const pack = (at: SourcePosition): number => {
        let index = files.get(at.file);
        if (index === undefined) {
          index = fileNames.push(at.file) - 1;
          files.set(at.file, index);
          bases.push(nextBase);
        }
        const compact = (bases[index] as number) + at.line;
        const nextFile = bases[index + 1];
        if (compact < VOID && (nextFile === undefined || compact < nextFile)) {
          if (compact >= nextBase) nextBase = compact + 1;
          return compact;
        }
        // A line beyond its file's room (files read interleaved, or past 2^32 lines): exact, in the table's side map.
        return COMPACT + index * 2 ** 32 + at.line;
      };
      const unpack = (packed: number): SourcePosition => {
        if (packed >= COMPACT) {
          const exact = packed - COMPACT;
          return { file: fileNames[Math.floor(exact / 2 ** 32)] ?? "?", line: exact % 2 ** 32 };
        }
        // The last file whose base is at most `packed`.
        let lo = 0;
        for (let hi = bases.length - 1; lo < hi; ) {
          const mid = (lo + hi + 1) >> 1;
          if ((bases[mid] as number) <= packed) lo = mid;
          else hi = mid - 1;
        }
        return { file: fileNames[lo] ?? "?", line: packed - (bases[lo] as number) };
      };

      // First lines of their id not checked yet (parse's `checkLater`), in input order from `head`, with their packed
      // positions: each claims its id in `firstSeen` when it comes, as any line, but a line found bad claims none (it
      // is a reject), so its entry is then made VOID, as if absent: when it is settled downstream (checked, or found
      // done by resumeRecorded: both in input order, swept from the oldest), or at once when a later line's fate
      // depends on it (the same id again; the table at capacity, which counts good lines only).
      let pendingItems: (SampleItem | undefined)[] = [];
      let pendingAt: number[] = [];
      let head = 0;
      // Whether pendingAt rises (files read one after another): then a position is found in it by bisection.
      let rising = true;
      let voids = 0;
      const keyOf = (sample: Sample) => hash53Pair(sample.task ?? "", sample.id);
      /** Where the unchecked first line at `packed` waits in `pendingItems`, or -1. */
      const pendingAtIndex = (packed: number): number => {
        let lo = head;
        let hi = pendingAt.length - 1;
        if (!rising) {
          for (; lo <= hi; lo++) if (pendingAt[lo] === packed) return lo;
          return -1;
        }
        if (lo > hi || packed < (pendingAt[lo] as number) || packed > (pendingAt[hi] as number)) return -1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((pendingAt[mid] as number) < packed) lo = mid + 1;
          else hi = mid;
        }
        return pendingAt[lo] === packed ? lo : -1;
      };
      /** Voids the entry of a first line found bad, unless a later line has taken its id since. */
      const drop = (item: SampleItem, packed: number) => {
        const key = keyOf(item.sample);
        if (firstSeen.get(key) !== packed) return;
        firstSeen.set(key, VOID);
        voids++;
      };
      /** Settles the oldest unchecked first lines already checked downstream (`all`: checks every one now). */
      const sweep = (all = false) => {
        for (let item = pendingItems[head]; item !== undefined && (all || !isUnchecked(item.sample)); item = pendingItems[head]) {
          if (checkSample(item).kind !== "sample") drop(item, pendingAt[head] as number);
          pendingItems[head++] = undefined;
        }
        if (head === pendingItems.length) {
          pendingItems = [];
          pendingAt = [];
          head = 0;
          rising = true;
        } else if (head >= 4096 && head * 2 >= pendingItems.length) {
          pendingItems = pendingItems.slice(head);
          pendingAt = pendingAt.slice(head);
          head = 0;
        }
      };
      /** Claims `key` for a first line (replacing a VOID); an unchecked one waits in `pendingItems`. */
      const claim = (key: number, item: SampleItem, replace: boolean) => {
        const packed = pack(item.sample.at);
        if (replace) firstSeen.set(key, packed);
        else firstSeen.setAbsent(key, packed);
        if (!isUnchecked(item.sample)) return;
        if (pendingAt.length > head && packed <= (pendingAt[pendingAt.length - 1] as number)) rising = false;
        pendingItems.push(item);
        pendingAt.push(packed);
      };

      return source.pipe(
        map((item): SourceItem => {
          if (item.kind !== "sample") return item;
          // Forgetting keeps generations by arrival, and VOID entries would be past counting: a line is checked
          // when it comes. So it is past MAX_VOIDS bad lines.
          if (isUnchecked(item.sample) && (forget || voids >= MAX_VOIDS)) {
            const checked = checkSample(item);
            if (checked.kind !== "sample") return checked;
          }
          if (head < pendingItems.length) sweep();
          const { id, at } = item.sample;
          const key = keyOf(item.sample);
          let first = firstSeen.get(key) ?? (forget ? older.get(key) : undefined);
          // The id's first line was bad (VOID), or is not checked yet: whether this one repeats it depends on it.
          const freed = first === VOID;
          let taken = false;
          if (first !== undefined && !freed && head < pendingItems.length) {
            const p = pendingAtIndex(first);
            taken = p >= 0 && checkSample(pendingItems[p] as SampleItem).kind !== "sample";
          }
          if (freed || taken) first = undefined;
          if (first !== undefined) {
            // A repeat is reported only of a good line (a bad one is a reject).
            if (isUnchecked(item.sample)) {
              const checked = checkSample(item);
              if (checked.kind !== "sample") return checked;
            }
            if (!distinctIds) {
              onDuplicate({ type: "duplicate-id", id, at, first: unpack(first) });
              return item;
            }
            const as = `${id}@${at.file}:${at.line}`;
            onDuplicate({ type: "duplicate-id", id, at, first: unpack(first), as });
            return { ...item, sample: { ...item.sample, id: as } };
          } else if (forget) {
            if (firstSeen.size >= generation) {
              older = firstSeen;
              firstSeen = new HashTable();
            }
            firstSeen.setAbsent(key, pack(at));
          } else if (taken) {
            // The place of the id's bad first line, granted when it came (counted as good): this line's now.
            claim(key, item, true);
          } else if (firstSeen.size - voids < maxIds || (sweep(true), firstSeen.size - voids < maxIds)) {
            if (freed) voids--;
            claim(key, item, freed);
          } else if (!full) {
            // The table is full of good lines: whether this one would have been remembered depends on it.
            if (isUnchecked(item.sample)) {
              const checked = checkSample(item);
              if (checked.kind !== "sample") return checked;
            }
            full = true;
            onCapacity?.(maxIds);
          }
          return item;
        }),
      );
    });
}
