import { describe, expect, it } from "vitest";
import { KeyFilter } from "../../src/store/key-filter.js";

describe("KeyFilter", () => {
  it("has every key added, answers maybe for about 1% of others, in under 3 bytes a key", () => {
    const filter = new KeyFilter();
    const n = 200_000;
    const key = (i: number) => `["gsm8k","gsm8k-test-${i % 1319}-r${Math.floor(i / 1319)}","sim",0]`;
    let added = 0;
    for (let i = 0; i < n; i++) if (filter.add(key(i))) added++;
    let lost = 0;
    for (let i = 0; i < n; i++) if (!filter.mightHave(key(i))) lost++;
    expect([added, lost]).toEqual([n, 0]);
    let maybe = 0;
    for (let i = 0; i < n; i++) if (filter.mightHave(`["gsm8k","other-${i}","sim",0]`)) maybe++;
    expect(maybe / n).toBeLessThan(0.03);
    expect(filter.size).toBe(n);
    // layers of 65,536, 131,072 and 262,144 keys at 10 bits: 0.57 MB for 200,000 keys
    expect(filter.bytes / n).toBeLessThan(3);
    expect(filter.bytes).toBe((65_536 + 131_072 + 262_144) * 10 / 8);
  });

  it("stops taking keys at maxKeys", () => {
    const filter = new KeyFilter({ maxKeys: 2, initialKeys: 1 });
    expect([filter.add("a"), filter.add("b"), filter.add("c")]).toEqual([true, true, false]);
    expect(filter.size).toBe(2);
    expect([filter.mightHave("a"), filter.mightHave("b")]).toEqual([true, true]);
    expect(() => new KeyFilter({ maxKeys: -1 })).toThrow(RangeError);
  });
});
