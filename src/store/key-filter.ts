import { hash53 } from "../stats/hash53.js";

/** Bits a key in each filter, and probes a lookup: about 1% of absent keys answer "maybe". */
const BITS_PER_KEY = 10;
const PROBES = 7;

interface Layer {
  readonly bits: Uint32Array;
  /** Bits in the layer (not rounded to a power of two: 10 bits a key, no more). */
  readonly size: number;
  /** Keys it is made for; the next layer, twice as large, starts when it holds them. */
  readonly capacity: number;
  count: number;
}

/**
 * A set of strings that answers "no" or "maybe" (a Bloom filter), in 1.25 bytes a key whatever the
 * keys' length (up to 2.5 times that while its newest layer fills). It grows by a layer twice the size of the last when that one is full (a scalable
 * Bloom filter), so it needs no size up front and stays about 1% wrong per layer; up to `maxKeys`, past
 * which `add` answers false and the filter stops taking keys (`mightHave` is then no longer safe to
 * believe for keys added later: the caller must stop relying on it).
 */
export class KeyFilter {
  readonly #layers: Layer[] = [];
  readonly #maxKeys: number;
  #count = 0;

  constructor(options: { readonly maxKeys?: number; readonly initialKeys?: number } = {}) {
    this.#maxKeys = options.maxKeys ?? 4_000_000;
    if (!Number.isInteger(this.#maxKeys) || this.#maxKeys < 0) throw new RangeError(`Expected \`maxKeys\` to be an integer >= 0, got ${this.#maxKeys}`);
    this.#addLayer(options.initialKeys ?? 65_536);
  }

  /** Keys added. */
  get size(): number {
    return this.#count;
  }

  /** Bytes of its bit arrays. */
  get bytes(): number {
    return this.#layers.reduce((sum, layer) => sum + layer.bits.byteLength, 0);
  }

  /** Adds `key`; false (and nothing added) once the filter holds `maxKeys`. */
  add(key: string): boolean {
    if (this.#count >= this.#maxKeys) return false;
    let layer = this.#layers.at(-1)!;
    if (layer.count >= layer.capacity) layer = this.#addLayer(layer.capacity * 2);
    const [a, b] = probes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + i * b) % layer.size;
      layer.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    layer.count++;
    this.#count++;
    return true;
  }

  /** False when `key` was never added; true when it was, and for about 1% of keys that were not. */
  mightHave(key: string): boolean {
    const [a, b] = probes(key);
    return this.#layers.some((layer) => {
      for (let i = 0; i < PROBES; i++) {
        const bit = (a + i * b) % layer.size;
        if ((layer.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      }
      return true;
    });
  }

  #addLayer(capacity: number): Layer {
    const size = capacity * BITS_PER_KEY;
    const layer = { bits: new Uint32Array(Math.ceil(size / 32)), size, capacity, count: 0 };
    this.#layers.push(layer);
    return layer;
  }
}

/** Two hashes of the key for double hashing (probe i is a + i·b): the low 32 bits of hash53, and its high 21 mixed. */
function probes(key: string): [number, number] {
  const h = hash53(key);
  const a = h >>> 0;
  const b = (Math.imul(Math.floor(h / 4294967296), 0x9e3779b1) | 1) >>> 0;
  return [a, b];
}
