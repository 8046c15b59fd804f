import { describe, expect, it } from "vitest";
import { isCutOff } from "../../src/operators/cut-off.js";
import type { ResultLine } from "../../src/types.js";

const line = (status: "ok" | "error", type?: string): ResultLine =>
  ({ id: "a", task: "t", model: "m", repeat: 0, status, input: "", ...(type ? { error: { type, message: "", attempts: 0 } } : {}) });

describe("isCutOff", () => {
  it("is true for work an abort or the budget cut off, the sample's own or its judge's", () => {
    expect(["aborted", "budget", "judge_aborted", "judge_budget"].map((t) => isCutOff(line("error", t)))).toEqual([true, true, true, true]);
  });
  it("is false for real failures and for ok lines", () => {
    expect(["timeout", "judge_timeout", "budget_config", "judge_bad_request"].map((t) => isCutOff(line("error", t)))).toEqual([false, false, false, false]);
    expect(isCutOff(line("ok"))).toBe(false);
  });
});
