import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pairedBootstrap, quantileSorted } from "../../src/stats/paired-bootstrap.js";

/** A percentile bootstrap of mean(b − a) by Python's own generator: an independent computation. */
function pythonBootstrap(a: readonly number[], b: readonly number[], resamples: number): [number, number] {
  const script = `
import json, random, sys
a, b, R = json.load(sys.stdin)
d = [y - x for x, y in zip(a, b)]
n = len(d)
rng = random.Random(12345)
means = sorted(sum(rng.choices(d, k=n)) / n for _ in range(R))
def q(p):
    h = (len(means) - 1) * p
    lo = int(h)
    hi = min(len(means) - 1, lo + 1)
    return means[lo] + (h - lo) * (means[hi] - means[lo])
print(json.dumps([q(0.025), q(0.975)]))`;
  return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify([a, b, resamples]) }).toString()) as [number, number];
}

/** A deterministic pseudo-random sequence for building test data (not the bootstrap's generator). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("pairedBootstrap", () => {
  it("agrees with an independent bootstrap on 0/1 scores (drawn as counts)", () => {
    const r = lcg(1);
    const a = Array.from({ length: 300 }, () => (r() < 0.6 ? 1 : 0));
    const b = a.map((x) => (r() < 0.2 ? 1 - x : x));
    const ours = pairedBootstrap(a, b, { seed: 7 });
    const theirs = pythonBootstrap(a, b, 10_000);
    // Two generators, 10,000 resamples each: the endpoints agree to Monte Carlo error.
    expect(Math.abs(ours[0] - theirs[0])).toBeLessThan(0.006);
    expect(Math.abs(ours[1] - theirs[1])).toBeLessThan(0.006);
  });

  it("agrees with an independent bootstrap on continuous scores (drawn as indices)", () => {
    const r = lcg(2);
    const a = Array.from({ length: 200 }, () => r() * 10);
    const b = a.map((x) => x + (r() - 0.3) * 2);
    const ours = pairedBootstrap(a, b, { seed: 3 });
    const theirs = pythonBootstrap(a, b, 10_000);
    expect(Math.abs(ours[0] - theirs[0])).toBeLessThan(0.01);
    expect(Math.abs(ours[1] - theirs[1])).toBeLessThan(0.01);
    // And both near the normal interval of a mean: d̄ ± 1.96 s/√n.
    const d = a.map((x, i) => b[i]! - x);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    expect(ours[0]).toBeCloseTo(mean - (1.96 * sd) / Math.sqrt(d.length), 1);
    expect(ours[1]).toBeCloseTo(mean + (1.96 * sd) / Math.sqrt(d.length), 1);
  });

  it("is reproducible with its seed, and the seed matters", () => {
    const r = lcg(3);
    const a = Array.from({ length: 100 }, () => (r() < 0.5 ? 1 : 0));
    const b = Array.from({ length: 100 }, () => (r() < 0.7 ? 1 : 0));
    expect(pairedBootstrap(a, b, { seed: 11 })).toEqual(pairedBootstrap(a, b, { seed: 11 }));
    expect(pairedBootstrap(a, b, { seed: 11 })).not.toEqual(pairedBootstrap(a, b, { seed: 12 }));
  });

  it("gives a zero-width interval when nothing differs, NaNs for no pairs, and checks its options", () => {
    expect(pairedBootstrap([1, 0, 1], [1, 0, 1])).toEqual([0, 0]);
    expect(pairedBootstrap([], [])).toEqual([Number.NaN, Number.NaN]);
    expect(() => pairedBootstrap([1], [1, 2])).toThrow("Expected paired samples of one length, got 1 and 2");
    expect(() => pairedBootstrap([1], [1], { resamples: 0 })).toThrow("Expected `resamples` to be an integer >= 1, got 0");
    expect(() => pairedBootstrap([1], [1], { level: 1 })).toThrow("Expected `level` to be between 0 and 1, got 1");
  });

  it("interpolates quantiles as numpy does", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([0, 10], 0.025)).toBeCloseTo(0.25, 12);
  });
});
