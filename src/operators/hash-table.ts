/**
 * A map from 53-bit integer keys (such as `hash53` of an id) to integers 0 ≤ value < 2^53, kept in a
 * Float64Array of keys and a Uint32Array of values with open addressing and linear probing: 12 bytes a
 * slot, at most 3/4 full, so 16–32 bytes an entry: a million keys take 25 MB (37 MB for a moment while
 * the table doubles), where a `Map<number, number>` took over 100 MB (bench/source-memory.ts). A value
 * of 2^32 − 1 or more is kept in a Map beside the table (the duplicate detector packs its positions to
 * fit 32 bits, so that is rare).
 *
 * No deletion: the duplicate detector only adds, and drops a whole table when it forgets.
 */
export class HashTable {
  #keys: Float64Array;
  #values: Uint32Array;
  /** Values too large for #values, by stored key; the slot holds LARGE. */
  readonly #large = new Map<number, number>();
  #mask: number;
  #size = 0;

  constructor(initialCapacity = 1024) {
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(initialCapacity)));
    this.#keys = new Float64Array(capacity);
    this.#values = new Uint32Array(capacity);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key` (an integer 0 ≤ key < 2^53), or undefined. */
  get(key: number): number | undefined {
    const stored = key + 1; // 0 marks an empty slot
    for (let i = slotOf(key, this.#mask); ; i = (i + 1) & this.#mask) {
      const k = this.#keys[i]!;
      if (k === stored) {
        const v = this.#values[i]!;
        return v === LARGE ? this.#large.get(stored) : v;
      }
      if (k === 0) return undefined;
    }
  }

  /** Stores `value` for `key`, replacing an earlier value. */
  set(key: number, value: number): void {
    if (!Number.isInteger(key) || key < 0 || key >= 2 ** 53) throw new RangeError(`Expected a key to be an integer from 0 to 2^53 - 1, got ${key}`);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** 53) throw new RangeError(`Expected a value to be an integer from 0 to 2^53 - 1, got ${value}`);
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#grow();
    if (value >= LARGE) this.#large.set(key + 1, value);
    else if (this.#large.size > 0) this.#large.delete(key + 1);
    if (this.#put(key + 1, Math.min(value, LARGE))) this.#size++;
  }

  /** Puts a stored key (key + 1); true when it was new. */
  #put(stored: number, value: number): boolean {
    for (let i = slotOf(stored - 1, this.#mask); ; i = (i + 1) & this.#mask) {
      const k = this.#keys[i]!;
      if (k === 0 || k === stored) {
        this.#keys[i] = stored;
        this.#values[i] = value;
        return k === 0;
      }
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const capacity = keys.length * 2;
    this.#keys = new Float64Array(capacity);
    this.#values = new Uint32Array(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.#put(keys[i]!, values[i]!);
  }
}

/** A slot's value is in the side map. */
const LARGE = 2 ** 32 - 1;

/** The key's home slot: its low 32 bits mixed (the keys are hashes already; this spreads sequences). */
function slotOf(key: number, mask: number): number {
  return (Math.imul((key >>> 0) ^ Math.floor(key / 4294967296), 0x9e3779b1) >>> 0) & mask;
}
