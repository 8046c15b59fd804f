import { describe, expect, it } from "vitest";
import { passAtK, passAtKs, scoreRepeats } from "../../src/tasks/score-repeats.js";
import { parseTask } from "../../src/tasks/load.js";

/** C(n, k) exactly, for small n. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe("passAtK (Chen et al., 2021)", () => {
  it("equals the closed form 1 − C(n−c, k) / C(n, k) for every n ≤ 12, c, k", () => {
    for (let n = 1; n <= 12; n++) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          expect(passAtK(n, c, k)).toBeCloseTo(1 - choose(n - c, k) / choose(n, k), 12);
        }
      }
    }
  });

  it("is c/n at k = 1, 1 once n − c < k, and 0 with no correct sample", () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 15);
    expect(passAtK(5, 4, 2)).toBe(1);
    expect(passAtK(200, 0, 100)).toBe(0);
    // large n stays finite where the binomials would overflow
    expect(passAtK(2000, 10, 100)).toBeCloseTo(1 - choose(1990, 100) / choose(2000, 100), 9);
  });

  it("validates its arguments", () => {
    expect(() => passAtK(0, 0, 1)).toThrow("Expected `n` to be an integer >= 1, got 0");
    expect(() => passAtK(3, 4, 1)).toThrow("Expected `c` to be an integer from 0 to 3, got 4");
    expect(() => passAtK(3, 1, 4)).toThrow("Expected `k` to be an integer from 1 to 3, got 4");
  });
});

const TASK = `task: t
doc_to_text: q
doc_to_target: a
repeats: 4
filter_list:
  - name: maj@4
    filter: [{function: regex, regex_pattern: "(\\\\d+)"}, {function: majority_vote}, {function: take_first}]
  - name: first
    filter: [{function: regex, regex_pattern: "(\\\\d+)"}, {function: take_first}]
`;

describe("scoreRepeats (a sample's repeats scored together, as lm-eval does)", () => {
  it("votes with majority_vote, keeps the first with take_first, and adds pass@k per 0/1 metric", () => {
    const task = parseTask(TASK, "t.yaml");
    const r = scoreRepeats(task, ["it is 4", "so 5", "5!", "maybe 7"], "5");
    expect(r.filtered).toEqual({ "maj@4": "5", first: "4" });
    expect(r.repeats).toBe(4);
    expect(r.scores).toEqual({
      "exact_match,maj@4": 1,
      "exact_match,first": 0,
      // 2 of 4 responses are right, alone, under either filter
      "exact_match_pass@1,maj@4": 0.5,
      "exact_match_pass@4,maj@4": 1,
      "exact_match_pass@1,first": 0.5,
      "exact_match_pass@4,first": 1,
    });
  });

  it("reports the task's pass_at_k values, skipping those above the repeats", () => {
    const task = parseTask(`${TASK}pass_at_k: [1, 2, 8]\n`, "t.yaml");
    expect(passAtKs(task, 4)).toEqual([1, 2]);
    const r = scoreRepeats(task, ["1", "2", "5", "3"], "5");
    expect(r.scores["exact_match_pass@2,maj@4"]).toBeCloseTo(passAtK(4, 1, 2), 15);
    expect(r.scores["exact_match_pass@2,maj@4"]).toBeCloseTo(0.5, 15);
  });
});
