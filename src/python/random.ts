/**
 * CPython's `random.Random` (MT19937, `_randommodule.c`): the same seed gives the same numbers as
 * Python's, so lm-eval's bootstrap (which seeds `random.Random(i)` per chunk) can be reproduced draw
 * for draw. Only what is needed here: seeding with a non-negative int, `random()`, `choices`,
 * `choice` (MMMU's fallback letter), and `sample` of indices (lm-eval's default few-shot sampler).
 */
const N = 624;
const M = 397;

export class PyRandom {
  readonly #mt = new Uint32Array(N);
  #i = N + 1;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`Expected \`seed\` to be a non-negative safe integer, got ${seed}`);
    // random_seed(): the int's absolute value as 32-bit words, least significant first ([0] for 0).
    const key: number[] = [];
    let n = seed;
    do {
      key.push(n % 0x1_0000_0000);
      n = Math.floor(n / 0x1_0000_0000);
    } while (n > 0);
    this.#initByArray(key);
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) mt[i] = (Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i) >>> 0;
    this.#i = N;
  }

  #initByArray(key: readonly number[]): void {
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = ((mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      mt[i] = ((mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** genrand_uint32. */
  uint32(): number {
    const mt = this.#mt;
    if (this.#i >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.#i = 0;
    }
    let y = mt[this.#i++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: 53 random bits in [0, 1). */
  random(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  }

  /** `random.choices(xs, k=k)` (no weights): `xs[floor(random() * len(xs))]`, k times. */
  choices<T>(xs: ArrayLike<T>, k: number, out: T[] = new Array<T>(k)): T[] {
    const n = xs.length;
    for (let i = 0; i < k; i++) out[i] = xs[Math.floor(this.random() * n)]!;
    return out;
  }

  /** `random.getrandbits(k)` for 1 ≤ k ≤ 32. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 1 || k > 32) throw new RangeError(`Expected \`k\` to be an integer in [1, 32], got ${k}`);
    return this.uint32() >>> (32 - k);
  }

  /** `_randbelow(n)`: uniform in [0, n), drawing bit_length(n) bits until one is below n. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError(`Expected \`n\` to be an integer in [1, 2^32 - 1], got ${n}`);
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random.choice(xs)`: `xs[_randbelow(len(xs))]`. */
  choice<T>(xs: ArrayLike<T>): T {
    const n = xs.length;
    if (n === 0 || n > 0xffffffff) throw new RangeError(`Expected a sequence of 1 to 2^32 - 1 items, got ${n}`);
    return xs[this.randbelow(n)]!;
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

  /** A copy in the same state (the draws after it equal this one's). */
  clone(): PyRandom {
    const copy = new PyRandom(0);
    copy.#mt.set(this.#mt);
    copy.#i = this.#i;
    return copy;
  }
}
