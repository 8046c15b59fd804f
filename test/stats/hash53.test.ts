import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hash53, hash53Pair } from "../../src/stats/hash53.js";

describe("hash53Pair", () => {
  it("is hash53 of the two strings joined by U+0000", () => {
    expect(hash53Pair("", "")).toBe(hash53("\u0000"));
    expect(hash53Pair("gsm8k", "q1")).toBe(hash53("gsm8k\u0000q1"));
    expect(hash53Pair("q1", "q1")).toBe(hash53("q1\u0000q1"));
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string(), (a, b) => {
        expect(hash53Pair(a, b)).toBe(hash53(`${a}\u0000${b}`));
      }),
      { numRuns: 2000 },
    );
  });
});
