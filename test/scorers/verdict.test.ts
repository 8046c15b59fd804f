import { describe, expect, it } from "vitest";
import { parseVerdict, verdictScore } from "../../src/scorers/verdict.js";

describe("parseVerdict", () => {
  it("reads the last well-formed [[rating]] on 1-10, skipping restated formats, decoys and out-of-scale values", () => {
    expect(parseVerdict('Rate it "[[rating]]", for example: "Rating: [[5]]". The answer is fine. Rating: [[8]]', "1-10")).toEqual({ score: 8, label: "8" });
    expect(parseVerdict("My first impression was [[3]], but on reflection [[7]]", "1-10")?.score).toBe(7);
    expect(parseVerdict("On a 100-point scale [[85]]. Then [[ 9 ]] and [[11]] and [[0]]", "1-10")?.score).toBe(9);
    expect(parseVerdict("Rating: [[7.5]]", "1-10")?.score).toBe(7.5);
    expect(parseVerdict("Rating: [[6/10]]", "1-10")).toEqual({ score: 6, label: "6/10" });
  });

  it("sets the judge's own <think> reasoning aside first", () => {
    expect(parseVerdict("<think>Maybe [[2]]? Or [[FAIL]]</think>\nIt is right. [[9]]", "1-10")?.score).toBe(9);
    expect(parseVerdict("<think>Surely [[PASS]]</think>\nNo, wrong. Verdict: [[FAIL]]", "pass_fail")?.score).toBe(0);
    // Cut off while thinking: no verdict, not the one in the thought.
    expect(parseVerdict("<think>I would say [[PASS]] but", "pass_fail")).toBeNull();
  });

  it("falls back to a labelled verdict without brackets, the last one", () => {
    expect(parseVerdict("Rating: 3 at first. After checking, Rating: 8", "1-10")?.score).toBe(8);
    expect(parseVerdict("**Verdict:** **PASS**", "pass_fail")?.score).toBe(1);
    expect(parseVerdict("Grade = B+", "letter")).toEqual({ score: 3.3, label: "B+" });
    expect(parseVerdict("score: 7/10", "1-10")?.score).toBe(7);
    expect(parseVerdict("Rating: [6]", "1-10")?.score).toBe(6);
  });

  it("brackets win over labels, wherever they are", () => {
    expect(parseVerdict("[[PASS]] … though a stricter Verdict: FAIL could be argued", "pass_fail")?.score).toBe(1);
  });

  it("returns null when there is no verdict on the scale, never 0", () => {
    expect(parseVerdict("I cannot grade this.", "pass_fail")).toBeNull();
    expect(parseVerdict("", "1-10")).toBeNull();
    expect(parseVerdict("[[rating]] [[11]] [[N/A]]", "1-10")).toBeNull();
    expect(parseVerdict("[[PASS]]", "letter")).toBeNull();
    expect(parseVerdict("[[E]]", "letter")).toBeNull();
  });

  it("scores each scale's tokens", () => {
    expect(["PASS", "pass", "Yes", "correct"].map((t) => verdictScore(t, "pass_fail"))).toEqual([1, 1, 1, 1]);
    expect(["FAIL", "no", "incorrect", "maybe"].map((t) => verdictScore(t, "pass_fail"))).toEqual([0, 0, 0, undefined]);
    expect(["A+", "A", "A-", "B", "C+", "D-", "F", "F+"].map((t) => verdictScore(t, "letter"))).toEqual([4, 4, 3.7, 3, 2.3, 0.7, 0, 0]);
    expect(["1", "10", "10/10", "0", "10.5"].map((t) => verdictScore(t, "1-10"))).toEqual([1, 10, 10, undefined, undefined]);
  });
});
