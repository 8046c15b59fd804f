/**
 * A set of record sequence numbers (store layout 2) as bits, one a number up to the highest: 100,000 records
 * take 12.5 kB, however they came. What a summary snapshot says it covers (summary-snapshot.ts).
 */
export class SeqSet {
  #bits: Uint8Array;
  #size = 0;
  #max = 0;

  constructor(bits: Uint8Array = new Uint8Array(64)) {
    this.#bits = bits;
    for (let i = 0; i < bits.length; i++) {
      const byte = bits[i] as number;
      if (byte === 0) continue;
      for (let b = 0; b < 8; b++) {
        if ((byte & (1 << b)) === 0) continue;
        this.#size++;
        this.#max = i * 8 + b;
      }
    }
  }

  /** Sequence numbers held. */
  get size(): number {
    return this.#size;
  }

  /** The highest held (0 when empty). */
  get max(): number {
    return this.#max;
  }

  /** Adds `seq` (an integer ≥ 1); false when it was already there. */
  add(seq: number): boolean {
    const at = seq >>> 3;
    if (at >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(at + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const bit = 1 << (seq & 7);
    const byte = this.#bits[at] as number;
    if (byte & bit) return false;
    this.#bits[at] = byte | bit;
    this.#size++;
    if (seq > this.#max) this.#max = seq;
    return true;
  }

  has(seq: number): boolean {
    const at = seq >>> 3;
    return at < this.#bits.length && ((this.#bits[at] as number) & (1 << (seq & 7))) !== 0;
  }

  /** Whether every number of this set is in `other`. */
  isSubsetOf(other: SeqSet): boolean {
    const mine = this.#bits;
    const theirs = other.#bits;
    for (let i = 0; i < mine.length; i++) {
      const byte = mine[i] as number;
      if (byte !== 0 && (byte & ~(i < theirs.length ? (theirs[i] as number) : 0)) !== 0) return false;
    }
    return true;
  }

  /** Adds every number of `other`. */
  addAll(other: SeqSet): void {
    other.forEach((seq) => this.add(seq));
  }

  /** Each number held, in increasing order. */
  forEach(fn: (seq: number) => void): void {
    const bits = this.#bits;
    for (let i = 0; i < bits.length; i++) {
      const byte = bits[i] as number;
      if (byte === 0) continue;
      for (let b = 0; b < 8; b++) if (byte & (1 << b)) fn(i * 8 + b);
    }
  }

  /** Up to `limit` numbers held, from `from` on, in increasing order. */
  batch(from: number, limit: number): number[] {
    const out: number[] = [];
    for (let seq = from; seq <= this.#max && out.length < limit; seq++) if (this.has(seq)) out.push(seq);
    return out;
  }

  /** The bits as base64, up to the highest byte used. */
  toBase64(): string {
    return Buffer.from(this.#bits.buffer, this.#bits.byteOffset, (this.#max >>> 3) + 1).toString("base64");
  }

  /** A set from `toBase64`; undefined when `text` is not base64. */
  static fromBase64(text: unknown): SeqSet | undefined {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
    const bytes = Buffer.from(text, "base64");
    const bits = new Uint8Array(bytes.length + 64);
    bits.set(bytes);
    return new SeqSet(bits);
  }
}
