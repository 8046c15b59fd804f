import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { passAtK } from "../../src/tasks/score-repeats.js";

// HF evaluate's code_eval estimator (metrics/code_eval/code_eval.py, estimate_pass_at_k), run by python3 with
// numpy when it is installed (as HF runs it), else the same product in plain Python.
const HF_ESTIMATOR = String.raw`
import json, sys
try:
    import numpy as np
except ImportError:
    np = None
def estimator(n, c, k):
    if n - c < k:
        return 1.0
    if np is not None:
        return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))
    p = 1.0
    for i in range(n - c + 1, n + 1):
        p *= 1.0 - k / i
    return 1.0 - p
print(json.dumps([estimator(n, c, k) for n, c, k in json.loads(sys.stdin.read())]))
`;

describe("passAtK against HF evaluate's estimator (python3)", () => {
  it("agrees to 1e-12 on every (n, c, k) of a grid up to n = 200", () => {
    const cases: [number, number, number][] = [];
    for (const n of [1, 2, 3, 5, 10, 20, 64, 100, 200]) {
      for (const c of new Set([0, 1, 2, Math.floor(n / 3), Math.floor(n / 2), n - 1, n].filter((c) => c >= 0 && c <= n))) {
        for (const k of new Set([1, 2, 5, 10, 16, 32, 64, 100, n].filter((k) => k >= 1 && k <= n))) cases.push([n, c, k]);
      }
    }
    const r = spawnSync("python3", ["-c", HF_ESTIMATOR], { input: JSON.stringify(cases), encoding: "utf8" });
    expect(r.stderr).toBe("");
    const expected = JSON.parse(r.stdout) as number[];
    expect(expected).toHaveLength(cases.length);
    cases.forEach(([n, c, k], i) => {
      expect(Math.abs(passAtK(n, c, k) - expected[i]!), `n=${n} c=${c} k=${k}`).toBeLessThanOrEqual(1e-12);
    });
    // Not all trivial: the grid holds values strictly between 0 and 1.
    expect(expected.filter((v) => v > 0 && v < 1).length).toBeGreaterThan(50);
  });
});
