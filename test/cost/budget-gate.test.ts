import { describe, expect, it } from "vitest";
import { Budget } from "../../src/cost/budget.js";
import { createBudgetGate } from "../../src/cost/budget-gate.js";
import { budgetRefusal } from "../../src/cost/budget-refusal.js";
import { promptTokenBound } from "../../src/cost/worst-case.js";
import { BudgetExhaustedError } from "../../src/errors/budget-exhausted-error.js";
import type { ChatRequest } from "../../src/work/model.js";
import { functionModel } from "../../src/models/function-model.js";
import { evaluate } from "../../src/run.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { loadTask } from "../../src/tasks/load.js";

const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "hello" }], max_tokens: 10 };
const signal = new AbortController().signal;
const reply = { text: "hi", finish_reason: "stop", ttft_ms: null, e2e_ms: 1 };

describe("createBudgetGate", () => {
  const prices = new Map([["m", { input: 1, output: 2 }]]);

  it("reserves the worst case and settles to the reported usage", async () => {
    const budget = new Budget({ usd: 1 });
    const gate = createBudgetGate(budget, prices, true);
    const hold = await gate.reserve(request, signal);
    expect(budget.state().usd!.reserved).toBe(Math.ceil(((promptTokenBound(request) + 20) / 1e6) * 1e9) / 1e9);
    hold.settle({ ...reply, usage: { prompt_tokens: 3, completion_tokens: 1 } });
    expect(budget.state().usd).toEqual({ limit: 1, spent: 5e-6, reserved: 0 });
  });

  it("a refused attempt costs nothing; one that may have been billed keeps its worst case", async () => {
    const budget = new Budget({ usd: 1 });
    const gate = createBudgetGate(budget, prices, true);
    (await gate.reserve(request, signal)).fail(false);
    expect(budget.state().usd!.spent).toBe(0);
    (await gate.reserve(request, signal)).fail(true);
    expect(budget.state().usd!.spent).toBe(Math.ceil(((promptTokenBound(request) + 20) / 1e6) * 1e9) / 1e9);
  });

  it("refuses to build a USD gate over an unpriced model", () => {
    expect(() => createBudgetGate(new Budget({ usd: 1 }), new Map([["x", null]]), true)).toThrow(
      "Expected a price for every model under a USD budget, got none for x (give one with --price IN/OUT or `price` in the models file)",
    );
    expect(() => createBudgetGate(new Budget({ tokens: 1 }), new Map([["x", null]]), false)).not.toThrow();
  });

  it("evaluate() checks the budget when called", async () => {
    const task = await loadTask("gsm8k");
    const model = functionModel("free", async () => "#### 1");
    expect(() => evaluate({ input: docsToLines([]), tasks: [task], models: [{ client: model }], budget: { usd: 1 } })).toThrow(/got none for free/);
    expect(() => evaluate({ input: docsToLines([]), tasks: [task], models: [{ client: model }], budget: {} })).toThrow("Expected `usd` or `tokens` to set a limit, got neither");
  });
});

describe("budgetRefusal", () => {
  it("tells a used-up budget (undone), an abort, and a request that cannot be budgeted (fatal) apart", () => {
    expect(budgetRefusal(new BudgetExhaustedError("full"), "m", signal).info).toMatchObject({ type: "budget", kind: "permanent", attempts: 0, cutOff: "budget" });
    const aborted = new AbortController();
    aborted.abort(new Error("bye"));
    expect(budgetRefusal(new Error("bye"), "m", aborted.signal).info).toMatchObject({ type: "aborted", cutOff: "aborted" });
    const e = budgetRefusal(new RangeError("Expected `max_tokens` …"), "m", signal);
    expect(e.info).toMatchObject({ type: "budget_config", kind: "fatal" });
    expect(e.info.cutOff).toBeUndefined();
    expect(e.message).toBe("budget: Expected `max_tokens` …");
  });
});
