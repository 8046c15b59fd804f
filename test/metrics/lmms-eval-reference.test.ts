import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { getAggregation } from "../../src/metrics/index.js";
import type { MmmuItem } from "../../src/metrics/mmmu-acc.js";
import { pyFloatRepr, pyRepr } from "../../src/python/repr.js";
import { loadTask } from "../../src/tasks/load.js";
import { scoreResponse } from "../../src/tasks/score.js";
import type { Doc } from "../../src/types.js";
import type { Task } from "../../src/work/task.js";

/**
 * The bundled chartqa, docvqa_val and mmmu_val tasks against lmms-eval's own Python for the same
 * responses: test/fixtures/lmms-eval holds lmms-eval's files (copied unchanged) and
 * score_responses.py, which scores with them as lmms-eval's Task does. Prompts are compared exactly,
 * per-sample scores and aggregates to 1e-12.
 */
const SCRIPT = fileURLToPath(new URL("../fixtures/lmms-eval/score_responses.py", import.meta.url));

interface Item {
  doc: Doc;
  response: string;
}

// ChartQA: numbers, percentages, thousands commas, trailing periods, case, whitespace, Python's float() quirks.
const chartTargets = ["42", "0.42", "12%", "1,000", "1000", "Yes", "apple", "0", "-3.5", "1e3", "15", "0.0", "nan"];
const chartResponses = ["42", "42.", " 42 ", "43", "44.5", "39.9", "41%", "12%", "0.12", "12", "1,000", "1000", "1000.0", "yes", "YES", "Yes.", " Apple ", "apples", "0", "0.0", "-3.4", "-3.3", "1e3", "1E3", "inf", "nan", "١٥", "1_5", "15 %", "15%%", "15.75", "", "\n42\n", "The answer is 42", "forty-two"];
const chartqa: Item[] = chartTargets.flatMap((answer, t) =>
  chartResponses.map((response, r) => ({ doc: { question: `Q${t}-${r}: what is shown?`, answer, type: (t + r) % 3 === 0 ? "augmented_test" : "human_test" }, response })),
);

// DocVQA: several answers, case, spacing, typos, empty strings, characters whose case changes their length.
const docAnswers: string[][] = [["John Smith", "J. Smith"], ["1,200"], ["straße"], ["ITC Limited", "itc ltd"], ["  spaced   out  "], [""], ["Ω-3 fatty acids"], ["2019"]];
const docResponses = ["strase", "Straße", "John Smith", "john smith", "Jonh Smith", "J. Smith.", "1,200", "1200", "STRASSE", "straße", "Strasse", "ITC Ltd.", "itc", "spaced out", "  SPACED OUT ", "", "Ω-3 Fatty Acids", "omega-3", "2019", "2018", "The answer is 2019", "x"];
const docvqa: Item[] = docAnswers.flatMap((answers, a) => docResponses.map((response, r) => ({ doc: { question: `Q${a}-${r}?`, answers }, response })));

// MMMU: letters in odd places, brackets, option texts in long answers, no letter at all (the seeded fallback);
// open answers with numbers, commas, scientific notation, key phrases, equations, several lines.
const subjects = ["Art", "Art_Theory", "Computer_Science", "Clinical_Medicine", "Math", "Physics", "Accounting"];
const mcOptions = [["red", "blue", "green", "yellow"], ["$10", "$20", "$30", "$40", "$50"], ["<image 2>", "<image 3>", "the first one", "none of these"]];
const mcResponses = ["A", "B", "(C)", "D.", "The answer is C.", "Answer: B", "I think (A) rather than (B)", "B or C", "A, B", "'C'", "c", "E", "", "none", "The correct choice is the blue one because the sky is blue", "Between green and blue the answer is green for sure", "$30 is the price, I believe, in this case here", "It must be D because A and B are wrong", "The answer is A. ", "(A) (B) (C) (D)", "Option B.", "B)", "answer is D", "zA zB", "zC.zD."];
const openAnswers = ["42", "3.14", "1,200", "paris", "x", "-5", "0.5", "1.2e3", "6.675"];
const openResponses = ["42", "The answer is 42.", "so the result is 3.14159", "Thus x = 1,200", "It is Paris.", "paris", "1.2e3", "Therefore, the final answer is -5", "The value is 0.50", "x", "answer: x", "First line.\nso it is 7\nthus 42", "1200", "3.14", "-5.0", "0.5", "6.675", "6.68", "I don't know", "", "= 42", "result 1,200 units"];
let n = 0;
const mmmu: Item[] = [
  ...mcOptions.flatMap((options, o) =>
    mcResponses.map((response) => ({ doc: { id: `validation_${subjects[n % subjects.length]}_${n++}`, question: `Which one <image 1>?`, options: pyRepr(options), question_type: "multiple-choice", answer: "ABCD"[o % 4] }, response })),
  ),
  ...openAnswers.flatMap((answer) =>
    openResponses.map((response) => ({ doc: { id: `validation_${subjects[n % subjects.length]}_${n++}`, question: `How much is it? <image 1>`, options: "[]", question_type: "open", answer }, response })),
  ),
];

interface Expected {
  chartqa: { samples: Record<string, number>[]; aggregate: Record<string, number>; prompts: string[] };
  docvqa: { samples: number[]; aggregate: number; prompts: string[] };
  mmmu: { samples: { parsed_pred: string | string[]; correct: number; correct_lmms_eval: number }[]; aggregate: number; aggregate_lmms_eval: number; prompts: string[] };
}

function runPython(): Promise<Expected> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as Expected) : reject(new Error(`score_responses.py exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify({ chartqa, docvqa, mmmu }));
  });
}

let expected: Expected;
const tasks: Record<string, Task> = {};
beforeAll(async () => {
  [expected, tasks.chartqa, tasks.docvqa, tasks.mmmu] = await Promise.all([runPython(), loadTask("chartqa"), loadTask("docvqa_val"), loadTask("mmmu_val")]);
});

/** A sample's gold as the task gives it: the list of answers, or the one answer. */
const gold = (task: Task, doc: Doc) => task.targets?.(doc) ?? task.target(doc);

function aggregate(name: string, values: readonly unknown[]) {
  const acc = getAggregation(name)!.create();
  for (const v of values) {
    if (typeof v === "number") acc.add(v);
    else acc.addItem!(v);
  }
  return acc.result();
}

describe("bundled multimodal tasks score as lmms-eval's Python", { timeout: 60_000 }, () => {
  it(`chartqa: prompts, relaxed accuracy per sample and per split (${chartqa.length} responses)`, () => {
    const t = tasks.chartqa!;
    const ours = chartqa.map(({ doc, response }) => scoreResponse(t, response, gold(t, doc), doc).scores);
    chartqa.forEach(({ doc }, i) => expect(t.prompt(doc)).toBe(expected.chartqa.prompts[i]));
    ours.forEach((scores, i) => {
      const want = Object.fromEntries(Object.entries(expected.chartqa.samples[i]!).map(([k, v]) => [`${k},none`, v]));
      expect(scores, JSON.stringify(chartqa[i])).toEqual(want);
    });
    for (const [key, value] of Object.entries(expected.chartqa.aggregate)) {
      const r = aggregate("mean", ours.flatMap((s) => (s[`${key},none`] === undefined ? [] : [s[`${key},none`]!])));
      expect(Math.abs(r.value - value), key).toBeLessThanOrEqual(1e-12);
    }
    // The set is varied enough to mean something: both outcomes, and numbers judged within 5%.
    const overall = ours.map((s) => s["relaxed_overall,none"]);
    expect(overall.filter((v) => v === 1).length).toBeGreaterThan(20);
    expect(overall.filter((v) => v === 0).length).toBeGreaterThan(200);
  });

  it(`docvqa_val: prompts and ANLS per sample and on average (${docvqa.length} responses)`, () => {
    const t = tasks.docvqa!;
    const ours = docvqa.map(({ doc, response }) => scoreResponse(t, response, gold(t, doc), doc).scores["anls,none"]!);
    docvqa.forEach(({ doc }, i) => expect(t.prompt(doc)).toBe(expected.docvqa.prompts[i]));
    ours.forEach((v, i) => expect(Math.abs(v - expected.docvqa.samples[i]!), JSON.stringify(docvqa[i])).toBeLessThanOrEqual(1e-12));
    expect(Math.abs(aggregate("mean", ours).value - expected.docvqa.aggregate)).toBeLessThanOrEqual(1e-12);
    expect(new Set(ours.map((v) => v.toFixed(3))).size).toBeGreaterThan(5);
  });

  it(`mmmu_val: prompts, parsed answers, correctness and lmms-eval's aggregate (${mmmu.length} responses)`, () => {
    const t = tasks.mmmu!;
    const items = mmmu.map(({ doc, response }) => scoreResponse(t, response, gold(t, doc), doc).values!["mmmu_acc,none"] as MmmuItem);
    mmmu.forEach(({ doc }, i) => expect(t.prompt(doc)).toBe(expected.mmmu.prompts[i]));
    items.forEach((item, i) => {
      const want = expected.mmmu.samples[i]!;
      const parsed = typeof item.parsed_pred === "string" ? item.parsed_pred : item.parsed_pred.map((p) => (typeof p === "number" ? pyFloatRepr(p) : pyRepr(p))).sort();
      expect({ parsed, correct: item.correct }, JSON.stringify(mmmu[i])).toEqual({ parsed: want.parsed_pred, correct: want.correct });
      // Multiple choice scores as lmms-eval scores it today.
      if (mmmu[i]!.doc.question_type === "multiple-choice") expect(item.correct).toBe(want.correct_lmms_eval);
    });
    expect(Math.abs(aggregate("mmmu_acc", items).value - expected.mmmu.aggregate)).toBeLessThanOrEqual(1e-12);
    // lmms-eval ≥ 0.4 keeps one candidate's string of an open answer and never scores it (docs/multimodal.md).
    const open = expected.mmmu.samples.filter((_, i) => mmmu[i]!.doc.question_type === "open");
    expect(open.every((s) => s.correct_lmms_eval === 0)).toBe(true);
    expect(open.filter((s) => s.correct === 1).length).toBeGreaterThan(10);
    expect(expected.mmmu.aggregate_lmms_eval).toBeLessThan(expected.mmmu.aggregate);
  });

  it("mmmu_acc's aggregation state round-trips and merges to the same value", () => {
    const t = tasks.mmmu!;
    const items = mmmu.map(({ doc, response }) => scoreResponse(t, response, gold(t, doc), doc).values!["mmmu_acc,none"]);
    const [a, b] = [getAggregation("mmmu_acc")!.create(), getAggregation("mmmu_acc")!.create()];
    items.forEach((item, i) => (i % 3 === 0 ? a : b).addItem!(item));
    const merged = getAggregation("mmmu_acc")!.fromState(JSON.parse(JSON.stringify(a.state())));
    merged.merge(b.state());
    expect(merged.result()).toEqual({ ...aggregate("mmmu_acc", items), value: expect.closeTo(aggregate("mmmu_acc", items).value, 12) });
    expect(() => a.add(1)).toThrow(/subdomain, correct/);
  });
});
