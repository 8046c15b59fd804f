import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mcnemarExact } from "../../src/stats/mcnemar.js";

/**
 * The two-sided binomial p-value computed independently in Python: exact integer arithmetic up to
 * 1,000 discordant pairs, and each term from math.lgamma (summed with fsum) above that.
 */
function pythonMcNemar(cases: readonly [number, number][]): number[] {
  const script = `
import json, sys
from fractions import Fraction
from math import comb, exp, fsum, lgamma, log
out = []
for b, c in json.load(sys.stdin):
    n, k = b + c, min(b, c)
    if n <= 1000:
        tail = Fraction(sum(comb(n, i) for i in range(k + 1)), 2 ** n)
        out.append(float(min(Fraction(1), 2 * tail)) if n else 1.0)
    else:
        logs = [lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) - n * log(2) for i in range(k + 1)]
        top = max(logs)
        out.append(min(1.0, 2 * exp(top) * fsum(exp(t - top) for t in logs)))
print(json.dumps(out))`;
  return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(cases) }).toString()) as number[];
}

describe("mcnemarExact", () => {
  it("gives the known p-values of constructed cases", () => {
    // 0 against 10 discordant: 2 × ½^10. 2 against 8: 2 × (1 + 10 + 45) / 1024.
    expect(mcnemarExact(0, 10)).toEqual({ a_only: 0, b_only: 10, p: 2 / 1024 });
    expect(mcnemarExact(2, 8).p).toBeCloseTo(112 / 1024, 15);
    expect(mcnemarExact(8, 2).p).toBeCloseTo(112 / 1024, 15);
    expect(mcnemarExact(5, 5).p).toBe(1);
    expect(mcnemarExact(0, 0).p).toBe(1);
  });

  it("agrees with an exact binomial computed independently, up to hundreds of thousands of pairs", () => {
    const cases: [number, number][] = [[1, 0], [3, 9], [17, 30], [120, 151], [400, 480], [4000, 4210], [49_000, 50_900], [150_000, 150_400]];
    const expected = pythonMcNemar(cases);
    cases.forEach(([b, c], i) => {
      const p = mcnemarExact(b, c).p;
      expect(Math.abs(p - expected[i]!)).toBeLessThanOrEqual(1e-12 + 1e-8 * expected[i]!);
    });
  });

  it("rejects counts that are not non-negative integers", () => {
    expect(() => mcnemarExact(-1, 2)).toThrow("Expected `aOnly` to be an integer >= 0, got -1");
    expect(() => mcnemarExact(1, 2.5)).toThrow("Expected `bOnly` to be an integer >= 0, got 2.5");
  });
});
