/**
 * A map from 53-bit integer keys (such as `hash53` of an id) to integers 0 ≤ value < 2^53, kept in typed
 * arrays at 9 bytes an entry, sorted by key, in blocks of 65,536 (so growing never copies them): a key's top 16
 * bits are where it is (a directory of 65,537 entry numbers: where each top-16-bit prefix starts), its low 32
 * bits in a Uint32Array, bits 32–36 in a Uint8Array, the value in a Uint32Array; a key is found by binary search
 * among the entries of its prefix (about n / 65,536 of them). The latest entries wait in a small run (with an
 * open-addressing index over it) that is sorted and merged into the blocks, from the back, in place, when it
 * fills. A million keys take 9.7 MB, the run included. (Keys as Float64 beside the values took 12.3 MB; entries in
 * insertion order under an index of 4-byte entry numbers, 20 MB and 21 MB while the index doubled; a
 * `Map<number, number>` over 100 MB: bench/source-memory.ts.) A value of 2^32 − 1 or more is kept in a Map beside
 * the table (the duplicate detector packs its positions to fit 32 bits, so that is rare).
 *
 * No deletion: the duplicate detector only adds, and drops a whole table when it forgets.
 */
export class HashTable {
  /** Merged keys' low 32 bits in ascending key order, by position, in blocks of BLOCK (the first grows up to BLOCK). */
  readonly #lows: Uint32Array[];
  /** Merged keys' bits 32–36, in blocks like #lows. */
  readonly #mids: Uint8Array[];
  /** Values by position, in blocks like #lows; LARGE: the value is in #large. */
  readonly #values: Uint32Array[];
  /** How many entries the blocks hold. */
  #merged = 0;
  /** Merged entries whose key's top 16 bits are below p, by p (PREFIXES + 1 of them); made at the first merge. */
  #starts: Uint32Array | undefined;
  /** The latest entries, not merged yet, in insertion order. */
  #runKeys: Float64Array;
  #runValues: Uint32Array;
  #runSize = 0;
  /** Run entry number + 1 by slot (0: empty), open addressing with linear probing, at most half full. */
  #runIndex: Uint32Array;
  /** The run sorted when it is merged (kept, so that merging allocates nothing). */
  #sortedKeys: Float64Array;
  #sortedValues: Uint32Array;
  /** The radix sort's counts of each digit. */
  readonly #counts = new Uint32Array(RADIX);
  /** Values too large for #values, by key. */
  readonly #large = new Map<number, number>();

  constructor(initialCapacity = 1024) {
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(Math.min(initialCapacity, BLOCK))));
    this.#lows = [new Uint32Array(capacity)];
    this.#mids = [new Uint8Array(capacity)];
    this.#values = [new Uint32Array(capacity)];
    const run = Math.min(capacity, MAX_RUN);
    this.#runKeys = new Float64Array(run);
    this.#runValues = new Uint32Array(run);
    this.#runIndex = new Uint32Array(run * 2);
    this.#sortedKeys = new Float64Array(run);
    this.#sortedValues = new Uint32Array(run);
  }

  get size(): number {
    return this.#merged + this.#runSize;
  }

  /** Bytes of typed arrays the table holds (not counting the side map of large values). */
  get byteLength(): number {
    let bytes = this.#runKeys.byteLength + this.#runValues.byteLength + this.#runIndex.byteLength + this.#sortedKeys.byteLength + this.#sortedValues.byteLength + (this.#starts?.byteLength ?? 0);
    for (let b = 0; b < this.#lows.length; b++) bytes += this.#lows[b]!.byteLength + this.#mids[b]!.byteLength + this.#values[b]!.byteLength;
    return bytes;
  }

  /** The value stored for `key` (an integer 0 ≤ key < 2^53), or undefined. */
  get(key: number): number | undefined {
    let v: number;
    const r = this.#findInRun(key);
    if (r >= 0) v = this.#runValues[r]!;
    else {
      const at = this.#findMerged(key);
      if (at < 0) return undefined;
      v = this.#values[at >>> BLOCK_BITS]![at & BLOCK_MASK]!;
    }
    return v === LARGE ? this.#large.get(key) : v;
  }

  /** Stores `value` for `key`, replacing an earlier value. */
  set(key: number, value: number): void {
    checkEntry(key, value);
    if (value >= LARGE) this.#large.set(key, value);
    else if (this.#large.size > 0) this.#large.delete(key);
    const small = Math.min(value, LARGE);
    const r = this.#findInRun(key);
    if (r >= 0) {
      this.#runValues[r] = small;
      return;
    }
    const at = this.#findMerged(key);
    if (at >= 0) {
      this.#values[at >>> BLOCK_BITS]![at & BLOCK_MASK] = small;
      return;
    }
    this.#append(key, small);
  }

  /**
   * Stores `value` for a `key` that `get` has just found absent, without looking for it again (the duplicate
   * detector's every new id: half its lookups). A key already in the table must go through `set` instead.
   */
  setAbsent(key: number, value: number): void {
    checkEntry(key, value);
    if (value >= LARGE) this.#large.set(key, value);
    this.#append(key, Math.min(value, LARGE));
  }

  /** A new entry in the run (merged into the blocks when the run is full). */
  #append(key: number, small: number): void {
    const entry = this.#runSize++;
    this.#runKeys[entry] = key;
    this.#runValues[entry] = small;
    const index = this.#runIndex;
    const mask = index.length - 1;
    let i = slotOf(key, mask);
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = entry + 1;
    if (this.#runSize === this.#runKeys.length) this.#merge();
  }

  /** The run entry number holding `key`, or -1. */
  #findInRun(key: number): number {
    const index = this.#runIndex;
    const mask = index.length - 1;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === 0) return -1;
      if (this.#runKeys[e - 1] === key) return e - 1;
    }
  }

  /** The low 37 bits of the key of merged entry `at`. */
  #restAt(at: number): number {
    const b = at >>> BLOCK_BITS;
    const o = at & BLOCK_MASK;
    return this.#mids[b]![o]! * 2 ** 32 + this.#lows[b]![o]!;
  }

  /** The position of `key` among the merged entries (binary search among those of its prefix), or -1. */
  #findMerged(key: number): number {
    const starts = this.#starts;
    if (starts === undefined) return -1;
    const prefix = Math.floor(key / PREFIX_UNIT);
    const rest = key - prefix * PREFIX_UNIT;
    let lo = starts[prefix]!;
    let hi = starts[prefix + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.#restAt(mid);
      if (r < rest) lo = mid + 1;
      else if (r > rest) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /**
   * Sorts the run and merges it into the blocks, from the back so that nothing is overwritten before it is read:
   * the entries between two new keys all move up by the same distance (how many new keys are below them), so
   * each stretch moves with copyWithin, a memmove, rather than entry by entry.
   */
  #merge(): void {
    const m = this.#runSize;
    const { keys: sorted, values } = this.#sortRun(m);
    const n = this.#merged;
    this.#room(n + m);
    const starts = (this.#starts ??= new Uint32Array(PREFIXES + 1));
    // Merged entries at or past `end` have moved already; those below it are where `starts` says.
    let end = n;
    for (let j = m - 1; j >= 0; j--) {
      const key = sorted[j]!;
      const prefix = Math.floor(key / PREFIX_UNIT);
      const rest = key - prefix * PREFIX_UNIT;
      // The first merged entry of a larger key (none is equal: `set` updates those in place).
      let lo = Math.min(starts[prefix]!, end);
      let hi = Math.min(starts[prefix + 1]!, end);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.#restAt(mid) < rest) lo = mid + 1;
        else hi = mid;
      }
      this.#move(lo, lo + j + 1, end - lo);
      const w = lo + j;
      const wb = w >>> BLOCK_BITS;
      const wo = w & BLOCK_MASK;
      this.#lows[wb]![wo] = rest >>> 0;
      this.#mids[wb]![wo] = Math.floor(rest / 2 ** 32);
      this.#values[wb]![wo] = values[j]!;
      end = lo;
    }
    // Each prefix now starts later by the run's keys below it (of a smaller prefix).
    let q = 0;
    for (let j = 0; j < m; j++) {
      const prefix = Math.floor(sorted[j]! / PREFIX_UNIT);
      for (; q <= prefix; q++) starts[q] = starts[q]! + j;
    }
    for (; q <= PREFIXES; q++) starts[q] = starts[q]! + m;
    this.#merged = n + m;
    this.#runSize = 0;
    // A longer run once the blocks are large, so that merging (which moves the entries after each new key) stays cheap.
    const run = this.#runKeys.length;
    if (run < MAX_RUN && this.#merged >= run * 16) {
      this.#runKeys = new Float64Array(run * 2);
      this.#runValues = new Uint32Array(run * 2);
      this.#runIndex = new Uint32Array(run * 4);
      this.#sortedKeys = new Float64Array(run * 2);
      this.#sortedValues = new Uint32Array(run * 2);
    } else this.#runIndex.fill(0);
  }

  /**
   * The run's `m` entries sorted by key: a least-significant-digit radix sort, 11 bits a pass (five passes over
   * the 53 bits, see `digit`), each key carrying its value, between the run's arrays and the sorting space. Linear, whatever
   * the keys (the builtin sort took most of a merge); it leaves the run's arrays scrambled, which the merge resets.
   */
  #sortRun(m: number): { keys: Float64Array; values: Uint32Array } {
    let keys = this.#runKeys;
    let values = this.#runValues;
    let toKeys = this.#sortedKeys;
    let toValues = this.#sortedValues;
    const counts = this.#counts;
    for (let pass = 0; pass < RADIX_PASSES; pass++) {
      counts.fill(0);
      for (let j = 0; j < m; j++) counts[digit(keys[j]!, pass)]!++;
      // Skip a pass that would not move anything (every key has the same digit there).
      if (counts[digit(keys[0]!, pass)] === m) continue;
      for (let d = 0, at = 0; d < RADIX; d++) {
        const c = counts[d]!;
        counts[d] = at;
        at += c;
      }
      for (let j = 0; j < m; j++) {
        const key = keys[j]!;
        const to = counts[digit(key, pass)]!++;
        toKeys[to] = key;
        toValues[to] = values[j]!;
      }
      [keys, toKeys] = [toKeys, keys];
      [values, toValues] = [toValues, values];
    }
    return { keys, values };
  }

  /** Moves `count` merged entries from position `from` up to `to` (> from), the last first, a block's stretch at a time. */
  #move(from: number, to: number, count: number): void {
    // A run's keys land a few entries apart (the table's size over the run's): such a stretch moves entry by entry,
    // cheaper than three copyWithin calls.
    if (count <= SHORT_MOVE) {
      for (let left = count; left > 0; left--) {
        const src = from + left - 1;
        const dst = to + left - 1;
        const sb = src >>> BLOCK_BITS;
        const so = src & BLOCK_MASK;
        const db = dst >>> BLOCK_BITS;
        const dO = dst & BLOCK_MASK;
        this.#lows[db]![dO] = this.#lows[sb]![so]!;
        this.#mids[db]![dO] = this.#mids[sb]![so]!;
        this.#values[db]![dO] = this.#values[sb]![so]!;
      }
      return;
    }
    for (let left = count; left > 0; ) {
      const src = from + left - 1;
      const dst = to + left - 1;
      const sb = src >>> BLOCK_BITS;
      const db = dst >>> BLOCK_BITS;
      // The stretch ending at src and dst that lies in one block of each.
      const se = (src & BLOCK_MASK) + 1;
      const de = (dst & BLOCK_MASK) + 1;
      const len = Math.min(left, se, de);
      if (sb === db) {
        this.#lows[db]!.copyWithin(de - len, se - len, se);
        this.#mids[db]!.copyWithin(de - len, se - len, se);
        this.#values[db]!.copyWithin(de - len, se - len, se);
      } else {
        this.#lows[db]!.set(this.#lows[sb]!.subarray(se - len, se), de - len);
        this.#mids[db]!.set(this.#mids[sb]!.subarray(se - len, se), de - len);
        this.#values[db]!.set(this.#values[sb]!.subarray(se - len, se), de - len);
      }
      left -= len;
    }
  }

  /** Makes room for `count` merged entries: the first block grows by doubling up to BLOCK, then whole blocks are added. */
  #room(count: number): void {
    const first = this.#lows[0]!;
    if (first.length < BLOCK && count > first.length) {
      let length = first.length;
      while (length < count && length < BLOCK) length *= 2;
      const lows = new Uint32Array(length);
      const mids = new Uint8Array(length);
      const values = new Uint32Array(length);
      lows.set(first);
      mids.set(this.#mids[0]!);
      values.set(this.#values[0]!);
      this.#lows[0] = lows;
      this.#mids[0] = mids;
      this.#values[0] = values;
    }
    while (this.#lows.length * BLOCK < count) {
      this.#lows.push(new Uint32Array(BLOCK));
      this.#mids.push(new Uint8Array(BLOCK));
      this.#values.push(new Uint32Array(BLOCK));
    }
  }
}

/** The longest stretch `#move` moves entry by entry. */
const SHORT_MOVE = 16;

/** A slot's value is in the side map. */
const LARGE = 2 ** 32 - 1;

/** Entries a block holds: 2^16 (576 KB of keys and values). */
const BLOCK_BITS = 16;
const BLOCK = 2 ** BLOCK_BITS;
const BLOCK_MASK = BLOCK - 1;

/** A key's top 16 bits (its prefix) are its value divided by this, 2^37; its other 37 bits are stored. */
const PREFIX_UNIT = 2 ** 37;
const PREFIXES = 2 ** 16;

/** The longest run of unmerged entries (1 MB with its index and sorting space); a run starts at the table's initial capacity. */
const MAX_RUN = 2 ** 15;

/** The run is sorted 11 bits at a time: bits 0–10, 11–21, 22–31 of a key's low 32, then 0–10, 11–20 of its high 21. */
const RADIX = 2 ** 11;
const RADIX_PASSES = 5;

/** The digit of `key` (an integer below 2^53) that radix pass `pass` sorts by. */
function digit(key: number, pass: number): number {
  if (pass < 3) return ((key >>> 0) >>> (11 * pass)) & (RADIX - 1);
  return (Math.floor(key / 2 ** 32) >>> (11 * (pass - 3))) & (RADIX - 1);
}

/** The key's home slot: its low 32 bits mixed (the keys are hashes already; this spreads sequences). */
function slotOf(key: number, mask: number): number {
  return (Math.imul((key >>> 0) ^ Math.floor(key / 4294967296), 0x9e3779b1) >>> 0) & mask;
}

/** A key and a value the table can hold: integers from 0 to 2^53 - 1 (a RangeError otherwise). */
function checkEntry(key: number, value: number): void {
  if (!Number.isInteger(key) || key < 0 || key >= 2 ** 53) throw new RangeError(`Expected a key to be an integer from 0 to 2^53 - 1, got ${key}`);
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 53) throw new RangeError(`Expected a value to be an integer from 0 to 2^53 - 1, got ${value}`);
}
