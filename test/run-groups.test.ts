import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { docsToLines } from "../src/io/docs-to-lines.js";
import { functionModel } from "../src/models/function-model.js";
import { renderSummaryTable } from "../src/render/summary-table.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { aggregate } from "../src/summary/groups.js";
import { loadTaskRef } from "../src/tasks/group.js";
import type { EvalEvent } from "../src/events.js";
import { contentText } from "../src/media/content-parts.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "lm-eval");

/** Right on additions, right on every third multiplication. */
const model = functionModel("m", async (req) => {
  const [, a, op, b] = /(\d+) (\+|\*) (\d+)/.exec(contentText(req.messages[0]?.content)) ?? [];
  const right = op === "+" ? Number(a) + Number(b) : Number(a) * Number(b);
  return { text: op === "*" && Number(a) % 3 !== 0 ? "wrong" : String(right), usage: { prompt_tokens: 5, completion_tokens: 1 } };
});

const add = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `add${i}`, a: i, op: "+", b: 2, answer: String(i + 2) }));
const mul = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `mul${i}`, a: i, op: "*", b: 2, answer: String(i * 2) }));

async function* concat<T>(...parts: AsyncIterable<T>[]): AsyncGenerator<T> {
  for (const p of parts) yield* p;
}

describe("a group file run (-t _arith.yaml)", () => {
  it("runs every subtask, reports each and the group's aggregate in the summary and the table", async () => {
    const { tasks, groups } = await loadTaskRef("tasks/arith/_arith.yaml", { cwd: FIXTURES });
    expect(tasks.map((t) => t.name)).toEqual(["arith_add", "arith_mul"]);
    const events: EvalEvent[] = [];
    // One file per subtask (named after it), and one line naming its task by a field.
    const input = concat(docsToLines(add(4), "in/arith_add.jsonl"), docsToLines(mul(6), "in/arith_mul.jsonl"), docsToLines([{ id: "x", task: "arith_add", a: 1, op: "+", b: 1, answer: "2" }], "mixed.jsonl"));
    const summary = await runEvaluation({ input, tasks, groups, taskRequired: true, models: [{ client: model }], onEvent: (e) => events.push(e) });
    expect(summary.tasks.arith_add!.models.m!.metrics["exact_match,none"]).toMatchObject({ value: 1, n: 5 });
    const mulMetric = summary.tasks.arith_mul!.models.m!.metrics["exact_match,none"]!;
    expect(mulMetric.n).toBe(6);
    expect(mulMetric.value).toBeCloseTo(2 / 6, 12);
    const group = summary.groups!.arith!;
    expect(group.tasks).toEqual(["arith_add", "arith_mul"]);
    const want = aggregate([summary.tasks.arith_add!.models.m!.metrics["exact_match,none"]!, mulMetric], true);
    expect(group.models.m!.metrics["exact_match,none"]).toEqual(want);
    expect(group.metrics["exact_match,none"]!.value).toBeCloseTo((5 * 1 + 6 * (2 / 6)) / 11, 12);
    expect(renderSummaryTable(summary)).toMatch(/arith\s+m\s+exact_match,none\s+0\.6364/);
    expect(events.filter((e) => e.type === "reject")).toHaveLength(0);
  });

  it("rejects a line of a group run that names no task, rather than scoring it as the first task", async () => {
    const { tasks, groups } = await loadTaskRef("tasks/arith/_arith.yaml", { cwd: FIXTURES });
    const events: EvalEvent[] = [];
    await runEvaluation({ input: docsToLines(add(2), "data.jsonl"), tasks, groups, taskRequired: true, models: [{ client: model }], onEvent: (e) => events.push(e) });
    const rejects = events.flatMap((e) => (e.type === "reject" ? [e.reject] : []));
    expect(rejects).toHaveLength(2);
    expect(rejects[0]!.reason).toMatch(/^key `task`: missing; .*arith_add, arith_mul.*TASK\.jsonl/);
  });
});
