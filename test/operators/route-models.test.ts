import { describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { functionModel } from "../../src/models/function-model.js";
import { UNROUTED_MODEL } from "../../src/operators/route-models.js";
import { evaluate } from "../../src/run.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { compileRoutes } from "../../src/routing/rules.js";
import { parseTask } from "../../src/tasks/load.js";
import type { ResultLine } from "../../src/types.js";
import { lastValueFrom, toArray } from "rxjs";

const task = parseTask(`task: qa\ndoc_to_text: "{{question}}"\ndoc_to_target: answer\n`, "qa.yaml");
const echo = (name: string) => functionModel(name, () => ({ text: `${name}`, usage: { prompt_tokens: 1, completion_tokens: 1 } }));
const docs = [
  { id: "short", question: "2+2?", answer: "small", kind: "math" },
  { id: "long", question: "x".repeat(4000), answer: "big", kind: "math" },
  { id: "prose", question: "Tell me.", answer: "small", kind: "prose" },
];

describe("routeModels in the evaluation graph", () => {
  it("sends each sample to its rule's model only and records the rule on its line", async () => {
    const routes = compileRoutes([
      { name: "long-context", when: { prompt_tokens: { gt: 500 } }, model: "big" },
      { name: "default", model: "small" },
    ]);
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({
      input: docsToLines(docs),
      tasks: [task],
      models: [{ client: echo("small") }, { client: echo("big") }],
      routes,
      onEvent: (e) => e.type === "result" && lines.push(e.line),
    });
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(lines).toHaveLength(3);
    expect(byId.long).toMatchObject({ model: "big", route: "long-context", response: "big", scores: { "exact_match,none": 1 } });
    expect(byId.short).toMatchObject({ model: "small", route: "default" });
    expect(byId.prose).toMatchObject({ model: "small", route: "default" });
    expect(summary.models.small!.samples.total).toBe(2);
    expect(summary.models.big!.samples.total).toBe(1);
  });

  it("gives a sample no rule matches a clear error line, and evaluates the others", async () => {
    const routes = compileRoutes([{ name: "math-only", when: { "doc.kind": "math" }, model: "small" }]);
    const events = await lastValueFrom(evaluate({ input: docsToLines(docs), tasks: [task], models: [{ client: echo("small") }], routes }).pipe(toArray()));
    const lines = events.filter((e): e is Extract<EvalEvent, { type: "result" }> => e.type === "result").map((e) => e.line);
    expect(lines).toHaveLength(3);
    const prose = lines.find((l) => l.id === "prose")!;
    expect(prose).toMatchObject({ status: "error", model: UNROUTED_MODEL, route: null, error: { type: "no_route", attempts: 0 } });
    expect(prose.error!.message).toBe("no routing rule matched this sample (task=qa); rules: math-only. Add a catch-all rule (no `when`) to route every sample");
    expect(lines.filter((l) => l.status === "ok").map((l) => l.route)).toEqual(["math-only", "math-only"]);
  });

  it("names the prompt length in the error when a rule looked at it; a throwing rule is an error line", async () => {
    const routes = compileRoutes([
      { name: "boom", when: (c) => (c.sample.id === "prose" ? (() => { throw new Error("bad rule"); })() : false), model: "small" },
      { name: "long", when: { prompt_tokens: { gt: 500 } }, model: "small" },
    ]);
    const lines: ResultLine[] = [];
    await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [{ client: echo("small") }], routes, onEvent: (e) => e.type === "result" && lines.push(e.line) });
    expect(lines.find((l) => l.id === "short")!.error!.message).toMatch(/^no routing rule matched this sample \(task=qa, prompt_tokens=1\)/);
    expect(lines.find((l) => l.id === "prose")!.error).toMatchObject({ type: "route_error", message: "a routing rule failed: bad rule" });
    expect(lines.find((l) => l.id === "long")!.status).toBe("ok");
  });

  it("refuses rules naming a model the run does not have", () => {
    const routes = compileRoutes([{ name: "r", model: "ghost" }]);
    expect(() => evaluate({ input: docsToLines([]), tasks: [task], models: [{ client: echo("small") }], routes })).toThrow(
      "Expected every routed model among `models`: rule `r` names ghost, the run has small",
    );
  });
});
