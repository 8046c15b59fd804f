import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { fixture, readDocs, runPythonJson, STUBS } from "../support/lm-eval-fixtures.js";

// lm-eval tasks with Python filters and aggregations through the real CLI (a child process, real python3).
const parseLines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

describe("streameval run: lm-eval Python filters, metrics and aggregations (child process)", { timeout: 90_000 }, () => {
  let sim: SimServer;
  let dir: string;
  const snarks = readDocs("data/snarks.jsonl");
  const cb = readDocs("data/cb_t5.jsonl");
  const replies = new Map<string, string>([
    ...snarks.map((d, i) => [(d.input as string).split("\n")[2]!, ["(A)", "it is (B)", "(b)", "no", "(A) then"][i]!] as const),
    ...cb.map((d, i) => [`premise: ${d.premise as string}`, ["entailment", "Contradiction.", "neutral", "contradiction", "?", "neutral"][i]!] as const),
  ]);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "streameval-pyscore-"));
    sim = await startSim({ seed: 3, accuracy: 1, replyFormat: "answer", answerKey: (prompt) => [...replies].find(([k]) => prompt.includes(k))?.[1] ?? "x" });
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("bbh snarks: the Filter class runs per response in the worker; result lines and summary carry its answers", async () => {
    const summaryPath = join(dir, "snarks.json");
    const r = await runCli(["run", fixture("data/snarks.jsonl"), "-t", fixture("bbh/zeroshot/snarks.yaml"), "-m", "m", "--base-url", sim.url, "--no-store", "--summary", summaryPath], { env: { PYTHONPATH: STUBS } });
    expect(r.stderr).not.toMatch(/warning: .*aggregation/);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines.map((l) => [l.id, l.filtered!["flexible-extract"]]).sort()).toEqual([["0", "(A)"], ["1", "(B)"], ["2", "[invalid]"], ["3", "[invalid]"], ["4", "(A)"]]);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
    // "(A) then" is cut to "(A)" by the class, not by strict-match; "(b)" is no choice for the class (lm-eval's
    // own gives "[invalid]" too), while strict-match's exact_match ignores case: 2 of 5 each, different ones.
    expect(summary.models.m!.metrics["exact_match,flexible-extract"]!.value).toBeCloseTo(2 / 5, 12);
    expect(summary.models.m!.metrics["exact_match,strict-match"]!.value).toBeCloseTo(2 / 5, 12);
    expect(lines.filter((l) => l.scores!["exact_match,flexible-extract"] === 1).map((l) => l.id).sort()).toEqual(["0", "4"]);
    expect(lines.filter((l) => l.scores!["exact_match,strict-match"] === 1).map((l) => l.id).sort()).toEqual(["0", "2"]);
  });

  it("esbbq: values on the result lines, the Python aggregations in the summary, equal to lm-eval's", async () => {
    const summaryPath = join(dir, "esbbq.json");
    const r = await runCli(["run", fixture("data/esbbq.jsonl"), "-t", fixture("esbbq/esbbq_age.yaml"), "-m", "m", "--base-url", sim.url, "--no-store", "--summary", summaryPath]);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines).toHaveLength(10);
    expect(lines[0]!.values!["bias_score_disambig,none"]).toHaveLength(4);
    const docs = readDocs("data/esbbq.jsonl");
    const ref = await runPythonJson<{ aggregate: Record<string, number | null> }>("reference/lm_eval_python_scoring.py", { yaml: fixture("esbbq/esbbq_age.yaml"), docs, responses: {}, lines: Object.fromEntries(lines.map((l) => [l.id, l])) }, { PYTHONPATH: STUBS });
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
    for (const [key, value] of Object.entries(ref.aggregate)) {
      const ours = summary.models.m!.metrics[key]!;
      expect(ours.stderr).toBeNull();
      if (value === null) expect(ours.value, key).toBeNull();
      else expect(Math.abs(ours.value - value), key).toBeLessThanOrEqual(1e-12);
    }
  });

  it("runs export rebuilds the Python aggregations from the store in a hook worker: the run's own numbers; without Python it says they are not computed", async () => {
    const store = join(dir, "store");
    const runSummary = join(dir, "esbbq-run.json");
    const r = await runCli(["run", fixture("data/esbbq.jsonl"), "-t", fixture("esbbq/esbbq_age.yaml"), "-m", "m", "--base-url", sim.url, "--store", store, "--run", "esbbq", "--summary", runSummary]);
    expect(r.code).toBe(0);
    const ran = (JSON.parse(await readFile(runSummary, "utf8")) as Summary).models.m!.metrics;
    const python = Object.keys(ran).filter((k) => k.startsWith("bias_score") || k.startsWith("acc_ambig") || k.startsWith("acc_disambig"));
    expect(python.length).toBeGreaterThan(0);

    const rebuilt = join(dir, "esbbq-export.json");
    const e = await runCli(["runs", "export", "esbbq", "--store", store, "-o", join(dir, "lines.jsonl"), "--summary", rebuilt]);
    expect(e.code).toBe(0);
    const got = (JSON.parse(await readFile(rebuilt, "utf8")) as Summary).models.m!.metrics;
    for (const key of python) expect(got[key], key).toEqual(ran[key]);

    const none = join(dir, "esbbq-nopython.json");
    const n = await runCli(["runs", "export", "esbbq", "--store", store, "-o", join(dir, "lines2.jsonl"), "--summary", none, "--python", join(dir, "no-such-python")]);
    expect(n.code).toBe(0);
    const without = (JSON.parse(await readFile(none, "utf8")) as Summary).models.m!.metrics;
    for (const key of python) {
      expect(without[key]!.value, key).toBeNull();
      expect(without[key]!.error, key).toMatch(/: not computed: the hook worker could not start: no interpreter `.*no-such-python` was found/);
    }
  });

  it("super_glue cb t5-prompt: a metric function's values reach an aggregation that needs a missing package: the summary and stderr say which and how to install it", async () => {
    const summaryPath = join(dir, "cb.json");
    const r = await runCli(["run", fixture("data/cb_t5.jsonl"), "-t", fixture("super_glue/cb/t5-prompt.yaml"), "-m", "m", "--base-url", sim.url, "--no-store", "--summary", summaryPath]);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    // mean_3class_f1 returns (prediction, reference) as indices; "Contradiction." is not a label: 0.
    expect(lines.map((l) => [l.id, l.values!["mean_3class_f1,none"]]).sort()).toEqual([["0", [0, 0]], ["1", [0, 1]], ["2", [2, 2]], ["3", [1, 0]], ["4", [0, 1]], ["5", [2, 2]]]);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
    // exact_match ignores case and punctuation there: "Contradiction." matches, as the metric function's exact label test does not.
    expect(summary.models.m!.metrics["exact_match,none"]!.value).toBeCloseTo(4 / 6, 12);
    const f1 = summary.models.m!.metrics["mean_3class_f1,none"]!;
    expect(f1.value).toBeNull();
    expect(f1.error).toContain("No module named 'sklearn'");
    expect(r.stderr).toMatch(/warning: super_glue-cb-t5-prompt m mean_3class_f1,none: aggregation of mean_3class_f1 \(!function t5_utils\.agg_mean_3class_f1\): ModuleNotFoundError: .*-m pip install scikit-learn/);
  });

  it("ifeval: a hook module importing a missing package is exit 2 naming the YAML line, the package and how to install it", async () => {
    const r = await runCli(["run", "-t", fixture("ifeval/ifeval.yaml"), "-m", "m", "--base-url", sim.url, "--no-store"], { stdin: '{"prompt":"hi"}\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ifeval\.yaml:14, key `process_results`: `!function utils\.process_results`: cannot load it: ModuleNotFoundError: No module named 'lm_eval' \(the hook needs the Python package `lm-eval`: install it .* -m pip install lm-eval`, or name one that has it with --python PATH\)/);
  });

  it("--continuous refuses a Python aggregation (it runs once, at an end an endless run never reaches)", async () => {
    const r = await runCli(["run", "-t", fixture("esbbq/esbbq_age.yaml"), "-m", "m", "--base-url", sim.url, "--no-store", "--continuous"], { stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/_esbbq_common_yaml:13, key `metric_list\[0\]\.aggregation`: `!function utils\.acc_ambig_agg` aggregates every value once, at the end of a run/);
  });
});
