import { describe, expect, it } from "vitest";
import { parseTask } from "../../src/tasks/load.js";
import { scoreResponse, scoreResponses } from "../../src/tasks/score.js";

const BASE = `task: demo
doc_to_text: q
doc_to_target: a
`;

describe("scoreResponse", () => {
  it("uses the filter `none` (take_first) for a task without filter_list", () => {
    const task = parseTask(BASE, "t.yaml");
    expect(scoreResponse(task, "Paris", "Paris")).toEqual({ filtered: { none: "Paris" }, scores: { "exact_match,none": 1 } });
    expect(scoreResponse(task, "paris", "Paris").scores).toEqual({ "exact_match,none": 0 });
  });

  it("keys every metric by `metric,filter`, for every filter", () => {
    const task = parseTask(
      `${BASE}filter_list:
  - name: lower
    filter: [{function: lowercase}, {function: take_first}]
  - name: raw
    filter: [{function: take_first}]
metric_list:
  - metric: exact_match
`,
      "t.yaml",
    );
    expect(scoreResponse(task, "PARIS", "paris")).toEqual({
      filtered: { lower: "paris", raw: "PARIS" },
      scores: { "exact_match,lower": 1, "exact_match,raw": 0 },
    });
  });

  it("votes across a sample's responses with majority_vote", () => {
    const task = parseTask(
      `${BASE}repeats: 3
filter_list:
  - name: maj@3
    filter: [{function: regex, regex_pattern: "(\\\\d+)"}, {function: majority_vote}, {function: take_first}]
`,
      "t.yaml",
    );
    expect(scoreResponses(task, ["it is 4", "it is 5", "so 5"], "5")).toEqual({ filtered: { "maj@3": "5" }, scores: { "exact_match,maj@3": 1 } });
  });

  it("gives an empty answer when there is no response", () => {
    const task = parseTask(BASE, "t.yaml");
    expect(scoreResponses(task, [], "x")).toEqual({ filtered: { none: "" }, scores: { "exact_match,none": 0 } });
  });
});
