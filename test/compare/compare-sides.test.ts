import { describe, expect, it } from "vitest";
import { compareSides } from "../../src/compare/compare-sides.js";
import type { SideScores } from "../../src/compare/side-scores.js";

const side = (run: string, scores: Record<string, number>): SideScores => ({ run, model: "m", tasks: new Map([["t", new Map(Object.entries(scores).map(([id, v]) => [id, { acc: v }]))]]) });

describe("compareSides", () => {
  it("a NaN score (the metric does not apply to the sample) pairs with nothing, so it never counts as a 0", () => {
    const [pair] = compareSides(side("a", { x: 1, y: Number.NaN, z: 0 }), side("b", { x: 1, y: 1, z: 1 }));
    expect(pair).toMatchObject({ n_paired: 2, unpaired: { a: 0, b: 1 }, diff: 0.5, a: { value: 0.5 }, b: { value: 1 } });
  });
});
