/**
 * Small, fast, deterministic hashing for the simulator's choices (right or wrong, which wording,
 * which logprob). Not cryptographic: it only has to be stable across runs and spread evenly.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of `text`'s UTF-16 code units, continuing from `h` so hashes can be chained. */
export function fnv1a(text: string, h: number = FNV_OFFSET): number {
  let x = h | 0;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, FNV_PRIME);
  }
  return x >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit (FNV alone is weak in its low bits). */
export function fmix32(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Combines two 32-bit values into one well-mixed 32-bit value. */
export function combine(a: number, b: number): number {
  return fmix32((Math.imul(a | 0, 0x9e3779b1) ^ (b | 0)) + 0x7f4a7c15);
}

/** A well-mixed 32-bit hash of (`text`, `seed`, `salt`): the same inputs give the same value on every run. */
export function seededHash(text: string, seed: number, salt = 0): number {
  return combine(fnv1a(text, combine(seed, 0x5eed)), salt);
}

/** A 32-bit hash as a number in [0, 1). */
export function toUnit(h: number): number {
  return (h >>> 0) / 4294967296;
}
