/**
 * CPython's `random.Random` (Modules/_randommodule.c, Lib/random.py), as far as lm-eval's few-shot sampler
 * uses it: seeded with an int, `getrandbits` up to 32 bits, `_randbelow`, and `sample` of k indices. The
 * draws equal CPython's (3.2 and later) bit for bit, so few-shot examples equal lm-evaluation-harness's.
 */
const N = 624;
const M = 397;

export class PythonRandom {
  readonly #mt = new Uint32Array(N);
  #index = N;

  /** `random.Random(seed)` for a non-negative integer below 2^53 (CPython takes |seed|'s 32-bit words, low first). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Expected a safe integer seed, got ${seed}`);
    const n = Math.abs(seed);
    const key = n < 2 ** 32 ? [n] : [n % 2 ** 32, Math.floor(n / 2 ** 32)];
    this.#initByArray(key);
  }

  /** A copy in the same state (the draws after it equal this one's). */
  clone(): PythonRandom {
    const copy = new PythonRandom(0);
    copy.#mt.set(this.#mt);
    copy.#index = this.#index;
    return copy;
  }

  /** `getrandbits(k)` for 1 ≤ k ≤ 32. */
  getrandbits(k: number): number {
    return this.#uint32() >>> (32 - k);
  }

  /** `_randbelow(n)`: uniform in [0, n), by rejection on n's bit length. */
  randbelow(n: number): number {
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** The indices `random.sample(range(n), k)` picks, in its order (its list pool for small n, else its set). */
  sample(n: number, k: number): number[] {
    if (k < 0 || k > n) throw new RangeError("Sample larger than population or is negative");
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    const out: number[] = [];
    if (n <= setsize) {
      const pool = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        out.push(pool[j]!);
        pool[j] = pool[n - i - 1]!;
      }
      return out;
    }
    const selected = new Set<number>();
    for (let i = 0; i < k; i++) {
      let j = this.randbelow(n);
      while (selected.has(j)) j = this.randbelow(n);
      selected.add(j);
      out.push(j);
    }
    return out;
  }

  #uint32(): number {
    if (this.#index >= N) this.#twist();
    let y = this.#mt[this.#index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  #twist(): void {
    const mt = this.#mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.#index = 0;
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
    this.#index = N;
  }

  #initByArray(key: readonly number[]): void {
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }
}
