import { describe, expect, it } from "vitest";
import { SeqSet } from "../../src/store/seq-set.js";

describe("SeqSet", () => {
  it("holds sequence numbers as bits, round-trips through base64, and answers subset questions", () => {
    const a = new SeqSet();
    for (const seq of [1, 2, 7, 8, 9, 700, 701]) expect(a.add(seq)).toBe(true);
    expect(a.add(8)).toBe(false);
    expect(a.size).toBe(7);
    expect(a.max).toBe(701);
    const back = SeqSet.fromBase64(JSON.parse(JSON.stringify(a.toBase64())));
    expect(back?.size).toBe(7);
    expect(back?.max).toBe(701);
    expect(back?.batch(1, 100)).toEqual([1, 2, 7, 8, 9, 700, 701]);
    expect(back?.batch(8, 2)).toEqual([8, 9]);
    const b = new SeqSet();
    for (const seq of [1, 2, 7, 8, 9, 700, 701, 702]) b.add(seq);
    expect(a.isSubsetOf(b)).toBe(true);
    expect(b.isSubsetOf(a)).toBe(false);
    const c = new SeqSet();
    c.add(3);
    expect(c.isSubsetOf(b)).toBe(false);
    expect(new SeqSet().isSubsetOf(c)).toBe(true);
    expect(SeqSet.fromBase64("not base64!")).toBeUndefined();
    expect(SeqSet.fromBase64(42)).toBeUndefined();
  });
});
