/**
 * A map from 53-bit integer keys (such as `hash53` of an id) to integers 0 ≤ value < 2^53, kept in typed
 * arrays at 12 bytes an entry: a Float64Array of keys and a Uint32Array of values, sorted by key, in blocks
 * of 65,536 (so growing never copies them), looked up by binary search; and a small run of the latest
 * entries (with an open-addressing index over it) that is sorted and merged into the blocks, from the back,
 * in place, when it fills. A million keys take 12.5 MB, and no more while they grow. (The table before this,
 * entries in insertion order under an index of 4-byte entry numbers, took 20 MB and 21 MB while its index
 * doubled; a `Map<number, number>` over 100 MB: bench/source-memory.ts.) A value of 2^32 − 1 or more is kept
 * in a Map beside the table (the duplicate detector packs its positions to fit 32 bits, so that is rare).
 *
 * No deletion: the duplicate detector only adds, and drops a whole table when it forgets.
 */
export class HashTable {
  /** Merged keys in ascending order, by position, in blocks of BLOCK (the first grows up to BLOCK). */
  readonly #keys: Float64Array[];
  /** Values by position, in blocks like #keys; LARGE: the value is in #large. */
  readonly #values: Uint32Array[];
  /** How many entries the blocks hold. */
  #merged = 0;
  /** The latest entries, not merged yet, in insertion order. */
  #runKeys: Float64Array;
  #runValues: Uint32Array;
  #runSize = 0;
  /** Run entry number + 1 by slot (0: empty), open addressing with linear probing, at most half full. */
  #runIndex: Uint32Array;
  /** The run sorted when it is merged (kept, so that merging allocates nothing). */
  #sortedKeys: Float64Array;
  #sortedValues: Uint32Array;
  /** The first key of each block. */
  #firsts = new Float64Array(16);
  /** Values too large for #values, by key. */
  readonly #large = new Map<number, number>();

  constructor(initialCapacity = 1024) {
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(Math.min(initialCapacity, BLOCK))));
    this.#keys = [new Float64Array(capacity)];
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
    let bytes = this.#runKeys.byteLength + this.#runValues.byteLength + this.#runIndex.byteLength + this.#sortedKeys.byteLength + this.#sortedValues.byteLength + this.#firsts.byteLength;
    for (let b = 0; b < this.#keys.length; b++) bytes += this.#keys[b]!.byteLength + this.#values[b]!.byteLength;
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
    if (!Number.isInteger(key) || key < 0 || key >= 2 ** 53) throw new RangeError(`Expected a key to be an integer from 0 to 2^53 - 1, got ${key}`);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** 53) throw new RangeError(`Expected a value to be an integer from 0 to 2^53 - 1, got ${value}`);
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

  /** The position of `key` among the merged entries (binary search: its block by first keys, then in the block), or -1. */
  #findMerged(key: number): number {
    const firsts = this.#firsts;
    let lo = 0;
    let hi = this.#keys.length - 1;
    // The last block whose first key is at most `key`.
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (firsts[mid]! <= key) lo = mid;
      else hi = mid - 1;
    }
    const block = lo;
    const keys = this.#keys[block]!;
    lo = 0;
    hi = Math.min(BLOCK, this.#merged - block * BLOCK) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return block * BLOCK + mid;
    }
    return -1;
  }

  /** Sorts the run and merges it into the blocks, from the back so that nothing is overwritten before it is read. */
  #merge(): void {
    const m = this.#runSize;
    const sorted = this.#sortedKeys;
    sorted.set(this.#runKeys);
    sorted.sort();
    const values = this.#sortedValues;
    for (let j = 0; j < m; j++) values[j] = this.#runValues[this.#findInRun(sorted[j]!)]!;
    const n = this.#merged;
    this.#room(n + m);
    const keys = this.#keys;
    const vals = this.#values;
    let i = n - 1;
    let j = m - 1;
    for (let w = n + m - 1; j >= 0; w--) {
      const wb = w >>> BLOCK_BITS;
      const wo = w & BLOCK_MASK;
      const k = i >= 0 ? keys[i >>> BLOCK_BITS]![i & BLOCK_MASK]! : -1;
      if (k > sorted[j]!) {
        keys[wb]![wo] = k;
        vals[wb]![wo] = vals[i >>> BLOCK_BITS]![i & BLOCK_MASK]!;
        i--;
      } else {
        keys[wb]![wo] = sorted[j]!;
        vals[wb]![wo] = values[j]!;
        j--;
      }
    }
    this.#merged = n + m;
    this.#runSize = 0;
    if (this.#firsts.length < keys.length) this.#firsts = new Float64Array(keys.length * 2);
    for (let b = 0; b < keys.length; b++) this.#firsts[b] = keys[b]![0]!;
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

  /** Makes room for `count` merged entries: the first block grows by doubling up to BLOCK, then whole blocks are added. */
  #room(count: number): void {
    const first = this.#keys[0]!;
    if (first.length < BLOCK && count > first.length) {
      let length = first.length;
      while (length < count && length < BLOCK) length *= 2;
      const keys = new Float64Array(length);
      const values = new Uint32Array(length);
      keys.set(first);
      values.set(this.#values[0]!);
      this.#keys[0] = keys;
      this.#values[0] = values;
    }
    while (this.#keys.length * BLOCK < count) {
      this.#keys.push(new Float64Array(BLOCK));
      this.#values.push(new Uint32Array(BLOCK));
    }
  }
}

/** A slot's value is in the side map. */
const LARGE = 2 ** 32 - 1;

/** Entries a block holds: 2^16 (768 KB of keys and values). */
const BLOCK_BITS = 16;
const BLOCK = 2 ** BLOCK_BITS;
const BLOCK_MASK = BLOCK - 1;

/** The longest run of unmerged entries (1 MB with its index and sorting space); a run starts at the table's initial capacity. */
const MAX_RUN = 2 ** 15;

/** The key's home slot: its low 32 bits mixed (the keys are hashes already; this spreads sequences). */
function slotOf(key: number, mask: number): number {
  return (Math.imul((key >>> 0) ^ Math.floor(key / 4294967296), 0x9e3779b1) >>> 0) & mask;
}
