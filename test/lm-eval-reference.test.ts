import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getAggregation } from "../src/metrics/registry.js";
import { countBytes, countWords } from "../src/pipelines/loglikelihood-scores.js";
import { multipleChoiceResult } from "../src/pipelines/multiple-choice-scores.js";
import { groupSummaries } from "../src/summary/groups.js";
import type { ModelSummary } from "../src/summary/summary.js";
import { goldIndex, rawTarget } from "../src/tasks/gold.js";
import { loadTaskRef } from "../src/tasks/group.js";
import { loadTask } from "../src/tasks/load.js";
import { scoreRepeats } from "../src/tasks/score-repeats.js";
import { scoreResponse } from "../src/tasks/score.js";
import type { Doc } from "../src/types.js";

/**
 * Same responses, same numbers: each case runs lm-eval 0.4.13's own code (test/fixtures/lm-eval:
 * ConfigurableTask.process_results, its filters, aggregations, stderr_for_metric, Group.aggregate) and
 * streameval's on the same task YAMLs and responses, and compares per sample and in aggregate to 1e-12.
 * Bootstrap stderrs (perplexity) draw the same resamples (CPython's generator), so they match to
 * rounding too: 1e-9 relative, allowing for exp/sqrt differing in the last bits between libms.
 */
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "lm-eval");
const python = spawnSync("python3", ["-c", "import numpy, yaml, jinja2"]).status === 0;

// The reference prints what lm-eval computes; its shape depends on the request.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function reference(request: Record<string, unknown>): any {
  const r = spawnSync("python3", ["reference.py"], { cwd: FIXTURES, input: JSON.stringify(request), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`reference.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const close = (a: number | null, b: number | null, rel = 1e-12) => {
  if (a === null || b === null) return expect(a).toBe(b);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
};

function aggregateOf(name: string, values: readonly number[], weights?: readonly number[]) {
  const acc = getAggregation(name)!.create();
  values.forEach((v, i) => acc.add(v, weights?.[i]));
  return acc.result();
}

const pick = (keys: string[], o: Record<string, number>) => Object.fromEntries(keys.map((k) => [k, o[k]]));

describe.skipIf(!python)("same numbers as lm-eval 0.4.13's own code", () => {
  it("generate_until (gsm8k.yaml: regex filters, exact_match with its options)", async () => {
    // Zero-shot: lm-eval's few-shot pool is a dataset split, and the prompt is not what is compared here.
    const task = await loadTask("tasks/gsm8k.yaml", { cwd: FIXTURES, numFewshot: 0 });
    const answers = ["18", "1,234", "-3", "0.5", "7", "42", "1000", "12"];
    const responses = [
      "The answer is $1,234.", "#### 18", "#### -3.", "She has 5 apples and eats 2, so 7 remain.\n#### 7", "... 5 ... 7", "I don't know.",
      "The total is 1,234 dollars.\n#### $1,234", "#### 18.\n\nQuestion: next", "18", "  #### 42  ", "Answer: -10 degrees", "#### 1.5",
      "The answer is 0.50.", "#### 1,000", "so 12 \n#### 12\n", "#### twelve", "", "#### 7 #### 8", "$12.00", "The answer is 1000.",
    ];
    const docs: Doc[] = responses.map((_, i) => ({ question: `q${i}`, answer: `Work... #### ${answers[i % answers.length]}` }));
    const ref = reference({ mode: "task", yaml: "tasks/gsm8k.yaml", docs, responses: responses.map((r) => [r]) });
    const mine = docs.map((doc, i) => scoreResponse(task, responses[i]!, task.target(doc), doc));
    mine.forEach((m, i) => {
      expect(m.filtered).toEqual(ref.samples[i].filtered);
      expect(m.scores).toEqual(ref.samples[i].scores);
    });
    for (const key of Object.keys(mine[0]!.scores)) {
      const agg = aggregateOf("mean", mine.map((m) => m.scores[key]!));
      const [metric, filter] = key.split(",");
      close(agg.value, ref.aggregate[key]);
      close(agg.stderr, ref.aggregate[`${metric}_stderr,${filter}`]);
    }
  });

  it("generate_until with repeats: take_first_k, majority_vote, multi_choice_regex, remove_whitespace", async () => {
    const task = await loadTask("tasks/filters_mix.yaml", { cwd: FIXTURES });
    const choices = ["Paris", "Lyon", "Nice, France", "Marseille"];
    const sets = [
      ["The answer is (A)", "The answer is B", "The answer is (A)."],
      ["I think the answer is (C)", "answer: Nice, France", "The answer is D"],
      ["  nice france  \n", "so paris", "Answer: B"],
      ["No idea", "none", "?"],
      ["the answer is (b)", "The answer is (B)", "The answer is C"],
      [": D", "lyon!", "Marseille\n"],
    ];
    const docs: Doc[] = sets.map((_, i) => ({ question: `q${i}`, answer: ["(A)", "(C)", "Nice, France", "[invalid]", "B", "(D)"][i]!, choices }));
    const ref = reference({ mode: "task", yaml: "tasks/filters_mix.yaml", docs, responses: sets });
    docs.forEach((doc, i) => {
      const mine = scoreRepeats(task, sets[i]!, task.target(doc), [], doc);
      expect(mine.filtered).toEqual(ref.samples[i].filtered);
      expect(pick(Object.keys(ref.samples[i].scores), mine.scores)).toEqual(ref.samples[i].scores);
    });
  });

  it("multiple targets (triviaqa: {{answer.aliases}} is a list; a hit on any alias scores)", async () => {
    const task = await loadTask("tasks/triviaqa.yaml", { cwd: FIXTURES });
    const docs: Doc[] = [
      { question: "Who?", answer: { aliases: ["David Seville", "Ross Bagdasarian"], value: "David Seville" } },
      { question: "Where?", answer: { aliases: ["Paris", "Paris, France"], value: "Paris" } },
      { question: "What?", answer: { aliases: ["H2O"], value: "H2O" } },
      { question: "When?", answer: { aliases: ["1066"], value: "1066" } },
    ];
    // (An empty alias list scores 0 here; lm-eval's exact_match raises on it, so it is not compared.)
    const responses = [" David Seville\n", "paris, FRANCE!", "water", " 1066 "];
    const ref = reference({ mode: "task", yaml: "tasks/triviaqa.yaml", docs, responses: responses.map((r) => [r]) });
    docs.forEach((doc, i) => {
      const gold = task.targets?.(doc);
      expect(gold).toEqual((doc.answer as { aliases: string[] }).aliases);
      const mine = scoreResponse(task, responses[i]!, gold ?? task.target(doc), doc);
      expect(mine.filtered).toEqual(ref.samples[i].filtered);
      expect(mine.scores).toEqual(ref.samples[i].scores);
    });
  });

  it("multiple_choice (mmlu: acc), a negative gold index included", async () => {
    const task = await loadTask("tasks/mmlu_mini/mmlu_anatomy.yaml", { cwd: FIXTURES });
    const docs: Doc[] = Array.from({ length: 12 }, (_, i) => ({ question: `q${i}`, choices: ["a", "bb", "ccc", "dddd"], answer: i === 11 ? -1 : i % 4 }));
    const results = docs.map((_, i) => [0, 1, 2, 3].map((c) => [-1 - ((i * 7 + c * 3) % 5) * 0.37 - c * 0.01, c === i % 3] as [number, boolean]));
    const ref = reference({ mode: "task", yaml: "tasks/mmlu_mini/mmlu_anatomy.yaml", docs, results });
    const accs = docs.map((doc, i) => {
      const choices = task.choices!(doc);
      const r = multipleChoiceResult(results[i]!.map((x) => x[0]), results[i]!.map((x) => x[1]), choices, goldIndex(rawTarget(task, doc), choices));
      expect(r.values.acc).toBe(ref.samples[i].scores["acc,none"]);
      return r.values.acc;
    });
    const agg = aggregateOf("mean", accs);
    close(agg.value, ref.aggregate["acc,none"]);
    close(agg.stderr, ref.aggregate["acc_stderr,none"]);
  });

  it("loglikelihood_rolling (pile_10k: word and byte perplexity, bits per byte; no stderr)", async () => {
    const task = await loadTask("tasks/pile_10k.yaml", { cwd: FIXTURES });
    const docs: Doc[] = ["The cat sat on the mat.", "Ünïcödé  text\twith\nspaces ", "x", "Long text ".repeat(20)].map((text) => ({ text }));
    const lls = [-21.5, -40.25, -3.0, -120.125];
    const ref = reference({ mode: "task", yaml: "tasks/pile_10k.yaml", docs, results: lls });
    const text = (d: Doc) => task.target(d);
    const checks: [string, string, (d: Doc) => number][] = [
      ["word_perplexity", "weighted_perplexity", (d) => countWords(text(d))],
      ["byte_perplexity", "weighted_perplexity", (d) => countBytes(text(d))],
      ["bits_per_byte", "bits_per_byte", (d) => countBytes(text(d))],
    ];
    for (const [metric, aggregation, count] of checks) {
      docs.forEach((d, i) => expect(ref.samples[i].scores[`${metric},none`]).toEqual([lls[i], count(d)]));
      const agg = aggregateOf(aggregation, lls, docs.map(count));
      close(agg.value, ref.aggregate[`${metric},none`]);
      expect(agg.stderr).toBeNull();
      expect(ref.aggregate[`${metric}_stderr,none`]).toBeNull();
    }
  });

  it("perplexity's bootstrap stderr (loglikelihood), resample for resample", async () => {
    const lls = Array.from({ length: 30 }, (_, i) => -0.2 - ((i * 13) % 17) * 0.41);
    const docs: Doc[] = lls.map((_, i) => ({ context: `c${i}`, continuation: `x${i}` }));
    const ref = reference({ mode: "task", yaml: "tasks/loglikelihood_ppl.yaml", docs, results: lls.map((ll, i) => [ll, i % 2 === 0]) });
    const agg = aggregateOf("perplexity", lls);
    close(agg.value, ref.aggregate["perplexity,none"]);
    close(agg.stderr, ref.aggregate["perplexity_stderr,none"], 1e-9);
  }, 60_000);

  it("nanmean (meqsum, mediqa_qa2019): numpy's nanmean and its bootstrap stderr, NaNs and all-NaN lists included", () => {
    const wave = (n: number, nanEvery: number) => Array.from({ length: n }, (_, i) => (nanEvery && i % nanEvery === 3 ? Number.NaN : Math.sin(i * 1.7) * 0.37 + 0.1 / (i + 1)));
    // 5 values (a plain sum), 40 with NaNs (numpy's 8-way unrolled sum), 300 (its pairwise split), NaNs only, one value.
    const lists = [wave(5, 0), wave(40, 7), wave(300, 11), [Number.NaN, Number.NaN], [0.25]];
    const stderr = [true, true, false, true, true];
    const ref = reference({ mode: "aggregate", name: "nanmean", lists: lists.map((xs) => xs.map((x) => (Number.isNaN(x) ? null : x))), stderr }) as { value: number | null; stderr: number | null }[];
    lists.forEach((xs, i) => {
      const agg = aggregateOf("nanmean", xs);
      const value = Number.isNaN(agg.value) ? null : agg.value;
      // numpy's summation order, not Python's: equal to the last bit.
      expect(value, `list ${i}`).toBe(ref[i]!.value);
      expect(agg.n).toBe(xs.length);
      if (stderr[i]) close(agg.stderr === null || Number.isNaN(agg.stderr) ? null : agg.stderr, ref[i]!.stderr, 1e-9);
    });
    expect(ref[3]).toEqual({ value: null, stderr: null });
  }, 120_000);

  it("a group (nested, weight_by_size true and false): value and pooled stderr", async () => {
    const loaded = await loadTaskRef("tasks/mmlu_mini/_mmlu_mini.yaml", { cwd: FIXTURES });
    expect(loaded.tasks.map((t) => t.name)).toEqual(["mmlu_anatomy", "mmlu_astronomy", "mmlu_college_physics"]);
    const perTask: Record<string, number[]> = { mmlu_anatomy: [1, 0, 1, 1, 0, 1, 1], mmlu_astronomy: [0, 0, 1, 0, 1], mmlu_college_physics: [1, 1, 0, 1, 1, 1, 0, 0, 1] };
    const summaries: Record<string, { models: Record<string, ModelSummary> }> = {};
    const taskMetrics: Record<string, Record<string, number>> = {};
    for (const [name, values] of Object.entries(perTask)) {
      const acc = aggregateOf("mean", values);
      const norm = aggregateOf("mean", values.map((v) => 1 - v));
      const metrics: Record<string, { value: number; stderr: number | null; n: number }> = { "acc,none": acc };
      // acc_norm only in the first task: the group reports it over the tasks that have it.
      if (name === "mmlu_anatomy") metrics["acc_norm,none"] = norm;
      summaries[name] = { models: { m: { metrics } as unknown as ModelSummary } };
      taskMetrics[name] = { "acc,none": acc.value, "acc_stderr,none": acc.stderr!, sample_len: values.length, ...(metrics["acc_norm,none"] ? { "acc_norm,none": norm.value, "acc_norm_stderr,none": norm.stderr! } : {}) };
    }
    const ref = reference({ mode: "group", yaml: "tasks/mmlu_mini/_mmlu_mini.yaml", task_metrics: taskMetrics });
    const mine = groupSummaries(loaded.groups, summaries, ["m"]);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(ref).sort());
    for (const [group, want] of Object.entries<Record<string, number>>(ref)) {
      for (const [key, value] of Object.entries(want)) {
        if (key === "sample_len" || key === "sample_count" || key.includes("_stderr,")) continue;
        const [metric, filter] = key.split(",");
        const got = mine[group]!.models.m!.metrics[key]!;
        close(got.value, value);
        close(got.stderr, want[`${metric}_stderr,${filter}`]!);
        expect(got.n).toBe((want.sample_count as unknown as Record<string, number>)[key]);
      }
    }
  });
  it.each(["gen_prefix_fewshot", "gen_prefix_fewshot_override"])("gen_prefix with few-shot examples (%s.yaml): the same prompt, each example's answer prefixed", async (name) => {
    const task = await loadTask(`tasks/${name}.yaml`, { cwd: FIXTURES });
    const docs: Doc[] =
      name === "gen_prefix_fewshot"
        ? [{ input_question: " Which? ", input_choice_list: { A: "a", B: "b", C: "c", D: "d" }, input_correct_responses: ["D"] }, { input_question: "What is 3+3?", input_choice_list: { A: "3", B: "6", C: "5", D: "9" }, input_correct_responses: ["B"] }]
        : [{ q: "four?", a: "4", lead: "x" }, { q: "five", a: "", lead: "" }];
    const ref = reference({ mode: "prompts", yaml: `tasks/${name}.yaml`, docs });
    expect(docs.map((d) => task.prompt(d))).toEqual(ref.prompts);
  });
  it("format_span (masakhaner's named-entity filter): the same filtered answers and scores", async () => {
    const task = await loadTask("tasks/format_span.yaml", { cwd: FIXTURES });
    const responses = [
      "PER: John Smith $$ LOC: Nairobi, Kenya $$ ORG: none",
      "Person: Ada Lovelace\nLocation: London\nDate: 1843",
      "person : Kofi $ organization: UN, WHO $$",
      "people:none, places: Lagos$$time: tomorrow",
      "Nothing here",
      "",
      "PERSONNEL: x; per: Émile Zola, loc: Paris",
      "company:Acme$$country:  Ghana ,Togo  $$continent: Africa$$$$",
      "Org: İstanbul Üniversitesi\n\nLoc: İzmir",
    ];
    const docs: Doc[] = responses.map((_, i) => ({ text: `s${i}`, target: i === 0 ? "per: john smith $ loc: nairobi $ loc: kenya" : "per: ada lovelace $ loc: london $ date: 1843" }));
    const ref = reference({ mode: "task", yaml: "tasks/format_span.yaml", docs, responses: responses.map((r) => [r]) });
    docs.forEach((doc, i) => {
      const m = scoreResponse(task, responses[i]!, task.target(doc), doc);
      // No take_first in this filter list: lm-eval keeps the one-response list, which scores as its element.
      expect([m.filtered["flexible-extract"]]).toEqual(ref.samples[i].filtered["flexible-extract"]);
      expect(m.scores).toEqual(ref.samples[i].scores);
    });
    expect(ref.samples.map((s: { scores: Record<string, number> }) => s.scores["exact_match,flexible-extract"])).toContain(1);
  });
});
