import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hooksOf } from "../../../src/commands/hook-workers.js";
import { docsToLines } from "../../../src/io/docs-to-lines.js";
import { openAIChat } from "../../../src/models/openai-chat.js";
import { createSdkClient } from "../../../src/models/sdk-client.js";
import { hookEnvironment } from "../../../src/python/hooks/hook-env.js";
import { HookPool } from "../../../src/python/hooks/hook-pool.js";
import { withCodeExecution } from "../../../src/python/sandbox/code-env.js";
import { type CodeSandbox, createCodeSandbox } from "../../../src/python/sandbox/code-sandbox.js";
import { runEvaluation } from "../../../src/run-evaluation.js";
import { type SimServer, startSim } from "../../../src/sim/index.js";
import type { Summary } from "../../../src/summary/summary.js";
import { loadTask } from "../../../src/tasks/load.js";
import type { Doc, ResultLine } from "../../../src/types.js";
import { fixture, readDocs, runPythonJson, STUBS } from "../../support/lm-eval-fixtures.js";
import { root } from "../../support/cli.js";

/**
 * lm-eval task folders whose filters, metrics or aggregations are Python, unchanged, scored here and by
 * lm-eval's own code (reference/lm_eval_python_scoring.py: its filter classes and FilterEnsemble, its
 * generate_until process_results, the tasks' own functions) on the same responses: every per-sample value
 * and every aggregate agree to 1e-12.
 */

interface Reference {
  samples: Record<string, Record<string, unknown>>;
  aggregate: Record<string, unknown>;
}

/** Numbers to 1e-12, anything else (lists, tuples as lists) exactly. */
function expectClose(ours: unknown, theirs: unknown, where: string): void {
  if (typeof theirs === "number" || typeof ours === "number") {
    expect(typeof ours, where).toBe("number");
    expect(Math.abs((ours as number) - (theirs as number)), `${where}: ${String(ours)} vs ${String(theirs)}`).toBeLessThanOrEqual(1e-12);
    return;
  }
  if (Array.isArray(theirs)) {
    expect(Array.isArray(ours), where).toBe(true);
    expect((ours as unknown[]).length, where).toBe(theirs.length);
    theirs.forEach((t, i) => expectClose((ours as unknown[])[i], t, `${where}[${i}]`));
    return;
  }
  expect(ours, where).toEqual(theirs);
}

/** A line's per-sample values as lm-eval keys them: numbers (booleans as 0/1) and JSON values together. */
function sampleValues(line: ResultLine): Record<string, unknown> {
  const own = (line.sample as { scores?: Record<string, number>; values?: Record<string, unknown> } | undefined) ?? line;
  return { ...own.scores, ...own.values };
}

describe("lm-eval tasks with Python filters, metrics and aggregations score as lm-eval scores them", { timeout: 60_000 }, () => {
  let sim: SimServer;
  /** The reply to each prompt: the test's responses by a text only that doc's prompt has. */
  const replies: { match: string; reply: string }[] = [];
  beforeAll(async () => {
    sim = await startSim({ seed: 11, accuracy: 1, replyFormat: "answer", answerKey: (prompt) => replies.find((r) => prompt.includes(r.match))?.reply ?? "no idea" });
  });
  afterAll(() => sim.close());

  async function run(yaml: string, docs: Doc[], options: { repeats?: number; env?: NodeJS.ProcessEnv; codeSandbox?: CodeSandbox; numFewshot?: number } = {}): Promise<{ lines: ResultLine[]; summary: Summary }> {
    const task = await loadTask(fixture(yaml), options.numFewshot === undefined ? {} : { numFewshot: options.numFewshot });
    const pool = new HookPool({ hooks: hooksOf([task]), env: options.env ?? hookEnvironment({ ...process.env, PYTHONPATH: STUBS }) });
    await pool.start();
    const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({
      input: docsToLines(docs),
      tasks: [task],
      models: [{ client, concurrency: 4 }],
      hooks: pool,
      ...(options.repeats ? { repeats: options.repeats } : {}),
      ...(options.codeSandbox ? { codeSandbox: options.codeSandbox } : {}),
      onEvent: (e) => e.type === "result" && lines.push(e.line),
    }).finally(() => pool.close());
    return { lines, summary };
  }

  async function reference(yaml: string, docs: Doc[], lines: ResultLine[], env: NodeJS.ProcessEnv = {}): Promise<Reference> {
    const responses: Record<string, string[]> = {};
    for (const l of [...lines].sort((a, b) => a.repeat - b.repeat)) (responses[l.id] ??= []).push(l.response as string);
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    return runPythonJson<Reference>("reference/lm_eval_python_scoring.py", { yaml: fixture(yaml), docs, responses, lines: byId }, { PYTHONPATH: STUBS, ...env });
  }

  it("super_glue multirc t5-prompt: `metric: !function` values (tuples) and `aggregation: !function`; an aggregation whose import fails names the package", async () => {
    const docs = readDocs("data/multirc_t5.jsonl");
    const answers = ["True", "False", "False", "True", "maybe", "False", "True", "False"];
    docs.forEach((d, i) => replies.push({ match: `answer: ${d.answer as string} paragraph: Paragraph`, reply: answers[i]! }));
    // t5-prompt.yaml's doc_to_choice opens with `{% set %}`, which streameval's templates do not take yet:
    // t5-prompt-noset.yaml is it with that one line written as an expression (same choices).
    const { lines, summary } = await run("super_glue/multirc/t5-prompt-noset.yaml", docs);
    expect(lines.map((l) => l.status)).toEqual(docs.map(() => "ok"));
    const ref = await reference("super_glue/multirc/t5-prompt.yaml", docs, lines);
    for (const line of lines) {
      // em returns (group, prediction, reference): a JSON value on the line, kept for the aggregation.
      expect(Object.keys(line.values!).sort()).toEqual(["em,none", "f1,none"]);
      expect(line.scores).toEqual({});
      for (const [key, value] of Object.entries(ref.samples[line.id]!)) expectClose(sampleValues(line)[key], value, `${line.id} ${key}`);
    }
    const metrics = summary.models.m!.metrics;
    expectClose(metrics["em,none"]!.value, ref.aggregate["em,none"], "em");
    expect(metrics["em,none"]).toMatchObject({ stderr: null, n: docs.length });
    // agg_f1 imports scikit-learn, which is not installed here: lm-eval fails the same way.
    expect(ref.aggregate["f1,none"]).toEqual({ error: "ModuleNotFoundError: No module named 'sklearn'" });
    expect(Number.isNaN(metrics["f1,none"]!.value)).toBe(true);
    expect(metrics["f1,none"]!.error).toMatch(/^aggregation of f1 \(!function t5_utils\.agg_f1\): ModuleNotFoundError: No module named 'sklearn' \(the hook needs the Python package `scikit-learn`: install it .* -m pip install scikit-learn/);
  });

  it("bbh snarks (zero-shot): a filter class by `!function` (MultiChoiceRegexFilter) then take_first, and exact_match on its answers", async () => {
    const docs = readDocs("data/snarks.jsonl");
    const answers = ["The answer is (A).", "I think (b) is it", "Sarcasm: (B)", "neither", "(a) clearly"];
    docs.forEach((d, i) => replies.push({ match: (d.input as string).split("\n")[2]!, reply: answers[i]! }));
    const { lines, summary } = await run("bbh/zeroshot/snarks.yaml", docs);
    expect(lines.map((l) => l.status)).toEqual(docs.map(() => "ok"));
    const ref = await reference("bbh/zeroshot/snarks.yaml", docs, lines);
    for (const line of lines) {
      expect(Object.keys(line.scores!).sort()).toEqual(["exact_match,flexible-extract", "exact_match,strict-match"]);
      for (const [key, value] of Object.entries(ref.samples[line.id]!)) expectClose(line.scores![key], value, `${line.id} ${key}`);
    }
    // The filter class found "(A)" in "The answer is (A)." and matched "(b)" ignoring case, as lm-eval's does.
    expect(lines.find((l) => l.id === "0")!.filtered!["flexible-extract"]).toBe("(A)");
    for (const key of ["exact_match,flexible-extract", "exact_match,strict-match"]) expectClose(summary.models.m!.metrics[key]!.value, ref.aggregate[key], key);
  });

  it("esbbq (multiple_choice): process_results returns tuples, aggregated by the task's Python functions", async () => {
    const docs = readDocs("data/esbbq.jsonl");
    const { lines, summary } = await run("esbbq/esbbq_age.yaml", docs);
    expect(lines.map((l) => l.status)).toEqual(docs.map(() => "ok"));
    const ref = await reference("esbbq/esbbq_age.yaml", docs, lines);
    for (const line of lines) {
      expect(Object.keys(line.values!).sort()).toEqual(["acc_ambig,none", "acc_disambig,none", "bias_score_ambig,none", "bias_score_disambig,none"]);
      for (const [key, value] of Object.entries(ref.samples[line.id]!)) expectClose(line.values![key], value, `${line.id} ${key}`);
    }
    for (const [key, value] of Object.entries(ref.aggregate)) {
      const ours = summary.models.m!.metrics[key]!;
      if (value === null) expect(Number.isNaN(ours.value), key).toBe(true);
      else expectClose(ours.value, value, key);
    }
  });

  it("super_glue cb (multiple_choice, no process_results): f1's values are lm-eval's (gold, pred) pairs for `aggregation: !function`; acc stays a mean", async () => {
    const docs = readDocs("data/cb_t5.jsonl");
    const { lines, summary } = await run("super_glue/cb/default.yaml", docs);
    expect(lines.map((l) => l.status)).toEqual(docs.map(() => "ok"));
    const ref = await reference("super_glue/cb/default.yaml", docs, lines);
    for (const line of lines) {
      expect(Object.keys(line.values!)).toEqual(["f1,none"]);
      expect(Object.keys(line.scores!)).toEqual(["acc,none"]);
      for (const [key, value] of Object.entries(ref.samples[line.id]!)) expectClose(sampleValues(line)[key], value, `${line.id} ${key}`);
    }
    const metrics = summary.models.m!.metrics;
    expectClose(metrics["acc,none"]!.value, ref.aggregate["acc,none"], "acc");
    // cb_multi_fi imports scikit-learn inside the function, which is not installed here: lm-eval fails the same way.
    expect(ref.aggregate["f1,none"]).toEqual({ error: "ModuleNotFoundError: No module named 'sklearn'" });
    expect(metrics["f1,none"]).toMatchObject({ stderr: null, n: docs.length });
    expect(metrics["f1,none"]!.error).toMatch(/^aggregation of f1 \(!function aggregate\.cb_multi_fi\): ModuleNotFoundError: No module named 'sklearn'/);
  });

  it("e2lmc mmlu_early_training (multiple_choice): `likelihood` gets (gold, lls) and the task's loglikelihood_diff gives lm-eval's number", async () => {
    const docs = readDocs("data/mmlu_early.jsonl");
    const { lines, summary } = await run("e2lmc/mmlu_early_training/mmlu_early_training.yaml", docs, { numFewshot: 0 });
    expect(lines.map((l) => l.status)).toEqual(docs.map(() => "ok"));
    const ref = await reference("e2lmc/mmlu_early_training/mmlu_early_training.yaml", docs, lines);
    for (const line of lines) {
      expect(line.scores).toEqual({});
      for (const [key, value] of Object.entries(ref.samples[line.id]!)) expectClose(sampleValues(line)[key], value, `${line.id} ${key}`);
    }
    expect(typeof ref.aggregate["likelihood,none"]).toBe("number");
    expectClose(summary.models.m!.metrics["likelihood,none"]!.value, ref.aggregate["likelihood,none"], "likelihood");
  });

  it("every multiple_choice value a Python aggregation can get has lm-eval's value and Python type (float, int, tuple), gold index errors and negative golds included", async () => {
    const docs = readDocs("data/mc_values.jsonl");
    const { lines, summary } = await run("../hook-tasks/mc_values.yaml", docs);
    expect(lines.map((l) => l.status)).toEqual(docs.map(() => "ok"));
    const ref = await reference("../hook-tasks/mc_values.yaml", docs, lines);
    const keys = ["acc", "acc_bytes", "exact_match", "f1", "mcc", "likelihood", "brier_score"].map((m) => `${m},none`);
    for (const line of lines) {
      expect(Object.keys(line.values!).sort()).toEqual([...keys].sort());
      expect(Object.keys(line.scores!)).toEqual(["acc_norm,none"]);
      expect(Object.keys(ref.samples[line.id]!).sort()).toEqual([...keys, "acc_norm,none"].sort());
      for (const [key, value] of Object.entries(ref.samples[line.id]!)) expectClose(sampleValues(line)[key], value, `${line.id} ${key}`);
    }
    // answer 7 is past the choices: lm-eval's gold index error, −100.
    expect((lines.find((l) => l.id === "4")!.values!["f1,none"] as number[])[0]).toBe(-100);
    expect((lines.find((l) => l.id === "5")!.values!["f1,none"] as number[])[0]).toBe(-1);
    const metrics = summary.models.m!.metrics;
    for (const key of [...keys, "acc_norm,none"]) {
      expect(metrics[key]!.error, key).toBeUndefined();
      expectClose(metrics[key]!.value, ref.aggregate[key], key);
    }
  });

  it("humaneval (unchanged YAML), 3 repeats: the custom filter builds every repeat's program, pass_at_k gets all of them", async () => {
    const docs: Doc[] = readDocs("../code/humaneval.jsonl").map((d, i) => ({ id: String(i), ...d }));
    const bodies = [
      ["    return a + b\n", "    return a - b\n", "    return a + b\n"],
      ["    return sentence[::-1]\n", "    raise ValueError('no')\n", "    return ' '.join(reversed(sentence.split()))\n"],
      ["    return text == text[::-1]\n", "    return text == text[::-1]\n", "    return text == text[::-1]\n"],
      ["    return 0\n", "    return 1\n", "    return 2\n"],
    ];
    // The sim answers each prompt with its next body (repeats share a prompt).
    const served = new Map<string, number>();
    docs.forEach((d, i) => {
      const entry = { match: d.prompt as string, reply: "" };
      Object.defineProperty(entry, "reply", {
        get: () => {
          const n = served.get(d.id as string) ?? 0;
          served.set(d.id as string, n + 1);
          return bodies[i]![n % 3]!;
        },
      });
      replies.push(entry);
    });
    const env = withCodeExecution(hookEnvironment({ ...process.env, PYTHONPATH: STUBS }), true, undefined, 2);
    const { lines, summary } = await run("../lm-eval-code/humaneval/humaneval.yaml", docs, { repeats: 3, env, codeSandbox: createCodeSandbox({ limits: { timeoutS: 2 } }) });
    expect(lines).toHaveLength(docs.length * 3);
    expect(lines.every((l) => l.status === "ok")).toBe(true);
    const completing = lines.filter((l) => l.sample);
    expect(completing).toHaveLength(docs.length);
    const ref = await reference("../lm-eval-code/humaneval/humaneval.yaml", docs, lines, { HF_ALLOW_CODE_EVAL: "1", PYTHONPATH: `${STUBS}:${root}/src/python/hooks/shims` });
    for (const line of completing) {
      const sample = line.sample as { filtered: Record<string, string>; scores: Record<string, number>; repeats: number };
      expect(sample.repeats).toBe(3);
      // The filter's value is the list of the 3 programs (prompt + body), shown as JSON.
      expect(JSON.parse(sample.filtered["create_test"]!)).toHaveLength(3);
      expect(Object.keys(sample.scores)).toEqual(["pass@1,create_test"]);
      expectClose(sample.scores["pass@1,create_test"], ref.samples[line.id]!["pass@1,create_test"], line.id);
    }
    expectClose(summary.models.m!.metrics["pass@1,create_test"]!.value, ref.aggregate["pass@1,create_test"], "pass@1");
    // 2/3, 1/3, 3/3 and 0/3 programs pass: lm-eval's numbers, not a single response's.
    expect(completing.map((l) => Math.round(3 * (l.sample as { scores: Record<string, number> }).scores["pass@1,create_test"]!)).sort()).toEqual([0, 1, 2, 3]);
  });
});
