import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hash53 } from "../../src/operators/detect-duplicates.js";
import { HashTable } from "../../src/operators/hash-table.js";

/** A table and a Map given the same pairs; the table holds each key's last value, as the Map does. */
function filledBoth(pairs: readonly (readonly [number, number])[]): { table: HashTable; map: Map<number, number> } {
  const table = new HashTable(16);
  const map = new Map<number, number>();
  for (const [k, v] of pairs) {
    table.set(k, v);
    map.set(k, v);
  }
  expect(table.size).toBe(map.size);
  for (const [k, v] of map) expect(table.get(k)).toBe(v);
  return { table, map };
}

describe("HashTable", () => {
  it("answers like a Map for any keys and values, across many doublings", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 2 ** 53 - 1 })), { minLength: 17, maxLength: 300, size: "max" }), (pairs) => {
        const { table, map } = filledBoth(pairs);
        for (const [k] of pairs) expect(table.get(k + 1 === 2 ** 53 ? 0 : k + 1)).toBe(map.get(k + 1 === 2 ** 53 ? 0 : k + 1));
      }),
    );
  });

  it("holds 200,000 hashed ids, key 0 and the largest key included", () => {
    const table = new HashTable();
    for (let i = 0; i < 200_000; i++) table.set(hash53(`gsm8k\u0000id-${i}`), i);
    table.set(0, 7);
    table.set(2 ** 53 - 1, 8);
    expect(table.size).toBe(200_002);
    expect(table.get(hash53("gsm8k\u0000id-123456"))).toBe(123456);
    expect(table.get(hash53("gsm8k\u0000id-200000"))).toBeUndefined();
    expect([table.get(0), table.get(2 ** 53 - 1)]).toEqual([7, 8]);
  });

  it("answers like a Map past its first blocks, where merges move stretches of entries from one block to the next", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const pairs: [number, number][] = [];
        // 140,000 keys from a small generator (xorshift): enough to fill two blocks and start a third.
        let x = seed | 1;
        const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
        for (let i = 0; i < 140_000; i++) pairs.push([(next() % 2 ** 21) * 2 ** 32 + next(), i]);
        const { table } = filledBoth(pairs);
        expect(table.get(2 ** 53 - 1)).toBeUndefined();
      }),
      { numRuns: 3 },
    );
  });

  it("tells apart keys that share their top 16 bits, or differ only in bits 32–36, or sit at a prefix's edges", () => {
    const key = fc.tuple(fc.constantFrom(0, 1, 2, 65534, 65535), fc.integer({ min: 0, max: 31 }), fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1)).map(([prefix, mid, low]) => prefix * 2 ** 37 + mid * 2 ** 32 + low);
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 2 ** 32 - 2 })), { minLength: 17, maxLength: 400, size: "max" }), (pairs) => {
        const { table, map } = filledBoth(pairs);
        for (const [k] of pairs) for (const near of [k - 1, k + 1, k + 2 ** 32, k - 2 ** 32, k + 2 ** 37]) if (near >= 0 && near < 2 ** 53) expect(table.get(near)).toBe(map.get(near));
      }),
    );
  });

  // The table before kept an index of 4-byte entry numbers beside the entries, at most 3/4 full: 20 bytes an id
  // at a million; then sorted blocks of 8-byte keys and 4-byte values, 12. Now a key's top 16 bits are where it
  // is in the blocks (a 256 kB directory), so 9 bytes an entry, blocks of 2^16 entries (16 for a million), and a
  // run of at most 32,768 entries (1 MB).
  it("holds a million ids in 9 bytes each, and a 1 MB run", () => {
    const table = new HashTable();
    for (let i = 0; i < 1_000_000; i++) table.set(hash53(`gsm8k\u0000s${i}`), i);
    expect(table.size).toBe(1_000_000);
    expect(table.byteLength).toBeLessThan(9 * 2 ** 20 + 1.3 * 2 ** 20);
    expect(table.get(hash53("gsm8k\u0000s999999"))).toBe(999999);
    expect(table.get(hash53("gsm8k\u0000s0"))).toBe(0);
  });

  it("setAbsent stores a key get found absent, as set does", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 2 ** 53 - 1 })), { minLength: 17, maxLength: 300, size: "max" }), (pairs) => {
        const table = new HashTable(16);
        const map = new Map<number, number>();
        for (const [k, v] of pairs) {
          if (table.get(k) === undefined) table.setAbsent(k, v);
          if (!map.has(k)) map.set(k, v);
        }
        expect(table.size).toBe(map.size);
        for (const [k, v] of map) expect(table.get(k)).toBe(v);
      }),
    );
  });

  it("refuses a key it cannot store exactly", () => {
    expect(() => new HashTable().set(2 ** 53, 1)).toThrow("Expected a key to be an integer from 0 to 2^53 - 1, got 9007199254740992");
    expect(() => new HashTable().set(-1, 1)).toThrow(RangeError);
  });
});
