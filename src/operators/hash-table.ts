/**
 * A map from 53-bit integer keys (such as `hash53` of an id) to integers 0 ≤ value < 2^53, kept in typed
 * arrays: the entries in insertion order (a Float64Array of keys and a Uint32Array of values, 12 bytes an
 * entry, in blocks of 65,536 so they never move once full), and an index of 4-byte slots (the entry's
 * number + 1, 0 for empty), open addressing with linear probing, at most 3/4 full. A million keys take
 * 20 MB (12 MB of entries, an 8 MB index), and at most 21 MB while the index doubles: only the index is
 * rebuilt, from the entries. (A table of 12-byte slots took 25 MB, 37 MB while it doubled; a
 * `Map<number, number>` over 100 MB: bench/source-memory.ts.) A value of 2^32 − 1 or more is kept in a
 * Map beside the table (the duplicate detector packs its positions to fit 32 bits, so that is rare).
 *
 * No deletion: the duplicate detector only adds, and drops a whole table when it forgets.
 */
export class HashTable {
  /** Keys by entry number, in blocks of BLOCK (the first grows up to BLOCK). */
  readonly #keys: Float64Array[];
  /** Values by entry number, in blocks like #keys; LARGE: the value is in #large. */
  readonly #values: Uint32Array[];
  /** Values too large for #values, by key. */
  readonly #large = new Map<number, number>();
  /** Entry number + 1 by slot; 0: empty. */
  #index: Uint32Array;
  #mask: number;
  #size = 0;

  constructor(initialCapacity = 1024) {
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(initialCapacity)));
    this.#index = new Uint32Array(capacity);
    this.#mask = capacity - 1;
    const first = Math.min(BLOCK, capacity);
    this.#keys = [new Float64Array(first)];
    this.#values = [new Uint32Array(first)];
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key` (an integer 0 ≤ key < 2^53), or undefined. */
  get(key: number): number | undefined {
    const entry = this.#find(key);
    if (entry < 0) return undefined;
    const v = this.#values[entry >>> BLOCK_BITS]![entry & BLOCK_MASK]!;
    return v === LARGE ? this.#large.get(key) : v;
  }

  /** Stores `value` for `key`, replacing an earlier value. */
  set(key: number, value: number): void {
    if (!Number.isInteger(key) || key < 0 || key >= 2 ** 53) throw new RangeError(`Expected a key to be an integer from 0 to 2^53 - 1, got ${key}`);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** 53) throw new RangeError(`Expected a value to be an integer from 0 to 2^53 - 1, got ${value}`);
    if (value >= LARGE) this.#large.set(key, value);
    else if (this.#large.size > 0) this.#large.delete(key);
    const small = Math.min(value, LARGE);
    const found = this.#find(key);
    if (found >= 0) {
      this.#values[found >>> BLOCK_BITS]![found & BLOCK_MASK] = small;
      return;
    }
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#growIndex();
    const entry = this.#size++;
    this.#room(entry);
    this.#keys[entry >>> BLOCK_BITS]![entry & BLOCK_MASK] = key;
    this.#values[entry >>> BLOCK_BITS]![entry & BLOCK_MASK] = small;
    this.#slot(key, entry);
  }

  /** The entry number holding `key`, or -1. */
  #find(key: number): number {
    const index = this.#index;
    const mask = this.#mask;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === 0) return -1;
      if (this.#keys[(e - 1) >>> BLOCK_BITS]![(e - 1) & BLOCK_MASK] === key) return e - 1;
    }
  }

  /** Puts entry number `entry` (holding `key`, not in the index yet) in the index's first free slot from its home. */
  #slot(key: number, entry: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let i = slotOf(key, mask);
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = entry + 1;
  }

  /** Makes room for entry number `entry`: the first block grows by doubling up to BLOCK, then whole blocks are added. */
  #room(entry: number): void {
    const block = entry >>> BLOCK_BITS;
    if (block === this.#keys.length) {
      this.#keys.push(new Float64Array(BLOCK));
      this.#values.push(new Uint32Array(BLOCK));
    } else if (block === 0 && entry >= this.#keys[0]!.length) {
      const length = Math.min(BLOCK, this.#keys[0]!.length * 2);
      const keys = new Float64Array(length);
      const values = new Uint32Array(length);
      keys.set(this.#keys[0]!);
      values.set(this.#values[0]!);
      this.#keys[0] = keys;
      this.#values[0] = values;
    }
  }

  /** Doubles the index and fills it again from the entries (which stay where they are). */
  #growIndex(): void {
    const capacity = this.#index.length * 2;
    this.#index = new Uint32Array(capacity);
    this.#mask = capacity - 1;
    for (let entry = 0; entry < this.#size; entry++) this.#slot(this.#keys[entry >>> BLOCK_BITS]![entry & BLOCK_MASK]!, entry);
  }
}

/** A slot's value is in the side map. */
const LARGE = 2 ** 32 - 1;

/** Entries a block holds: 2^16 (768 KB of keys and values). */
const BLOCK_BITS = 16;
const BLOCK = 2 ** BLOCK_BITS;
const BLOCK_MASK = BLOCK - 1;

/** The key's home slot: its low 32 bits mixed (the keys are hashes already; this spreads sequences). */
function slotOf(key: number, mask: number): number {
  return (Math.imul((key >>> 0) ^ Math.floor(key / 4294967296), 0x9e3779b1) >>> 0) & mask;
}
