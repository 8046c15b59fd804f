import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, TaskInputError } from "../../src/errors/index.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";

const MINIMAL = `task: demo
doc_to_text: "Q: {{question}}"
doc_to_target: answer
`;

/** The ConfigError parseTask throws for `text`, or a failed expectation. */
function configError(text: string, file = "t.yaml"): ConfigError {
  try {
    parseTask(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  return expect.unreachable("expected a ConfigError");
}

describe("parseTask", () => {
  it("applies lm-eval's defaults", () => {
    const t = parseTask(MINIMAL, "t.yaml");
    expect(t.name).toBe("demo");
    expect(t.outputType).toBe("generate_until");
    expect(t.idField).toBe("id");
    expect(t.repeats).toBe(1);
    expect(t.generation).toEqual({ stop: ["\n\n"], max_tokens: 256, temperature: 0, extra: {} });
    expect(t.filters.map((f) => f.name)).toEqual(["none"]);
    expect(t.metrics.map((m) => [m.name, m.aggregation, m.higherIsBetter])).toEqual([["exact_match", "mean", true]]);
    expect(t.config).toMatchObject({ target_delimiter: " ", fewshot_delimiter: "\n\n" });
    expect(t.origin).toEqual({ file: "t.yaml", text: MINIMAL });
    expect(t.prompt({ question: "2+2?", answer: 4 })).toBe("Q: 2+2?");
    expect(t.target({ question: "2+2?", answer: 4 })).toBe("4");
  });

  it("keeps harness keys it ignores, and unknown keys, in config", () => {
    const t = parseTask(`${MINIMAL}dataset_path: gsm8k\ntest_split: test\nmetadata:\n  version: 3.0\ntag: [math]\njudge_rubric: strict\n`, "t.yaml");
    expect(t.config).toMatchObject({ dataset_path: "gsm8k", test_split: "test", metadata: { version: 3 }, tag: ["math"], judge_rubric: "strict" });
  });

  it("normalises generation_kwargs as lm-eval's API models send them", () => {
    const kw = (body: string) => parseTask(`${MINIMAL}generation_kwargs:\n${body}`, "t.yaml").generation;
    expect(kw("  until: \"\\n\"\n  max_gen_toks: 64\n  do_sample: no\n")).toEqual({ stop: ["\n"], max_tokens: 64, temperature: 0, extra: {} });
    expect(kw("  until: [a, b]\n  max_gen_toks: 64\n  max_tokens: 32\n  temperature: 0.7\n  top_p: 0.9\n  seed: 1\n")).toEqual({
      stop: ["a", "b"],
      max_tokens: 32,
      temperature: 0.7,
      top_p: 0.9,
      extra: { seed: 1 },
    });
    expect(parseTask(`${MINIMAL}fewshot_delimiter: "###"\ngeneration_kwargs:\n  temperature: 0\n`, "t.yaml").generation.stop).toEqual(["###"]);
  });

  it("reads lm-eval's None (an empty `generation_kwargs:` or `num_fewshot:`) as the default", () => {
    const t = parseTask(`${MINIMAL}generation_kwargs:\nnum_fewshot:\n`, "t.yaml");
    expect(t.generation).toEqual({ stop: ["\n\n"], max_tokens: 256, temperature: 0, extra: {} });
    expect(t.numFewshot).toBe(0);
  });

  it("prepends a description, rendered with the sample", () => {
    const t = parseTask(`${MINIMAL}description: "Subject: {{subject}}\\n\\n"\n`, "t.yaml");
    expect(t.prompt({ question: "x", subject: "math" })).toBe("Subject: math\n\nQ: x");
  });

  it("reads doc_to_choice as a list, a dict, a field or a template, and maps an index target to its choice", () => {
    const base = "task: mc\ndoc_to_text: q\ndoc_to_target: label\n";
    expect(parseTask(`${base}doc_to_choice: ["no", "yes"]\n`, "t.yaml").target({ q: "", label: 1 })).toBe("yes");
    expect(parseTask(`${base}doc_to_choice: {a: x, b: 2}\n`, "t.yaml").choices!({})).toEqual(["x", "2"]);
    expect(parseTask(`${base}doc_to_choice: options\n`, "t.yaml").choices!({ options: ["p", "q"] })).toEqual(["p", "q"]);
    const t = parseTask(`${base}doc_to_choice: "{{[a, b]}}"\n`, "t.yaml");
    expect(t.choices!({ a: "A", b: "B" })).toEqual(["A", "B"]);
    expect(t.target({ q: "", label: "0", a: "A", b: "B" })).toBe("A");
    const mc = parseTask(`${base}output_type: multiple_choice\ndoc_to_choice: [x, y]\nmetric_list:\n  - metric: exact_match\n`, "t.yaml");
    expect(mc.target({ q: "", label: 1 })).toBe("1");
  });

  it("rejects a sample without a field a bare name refers to, naming the key", () => {
    const t = parseTask(MINIMAL, "t.yaml");
    expect(() => t.target({ question: "x" })).toThrow(TaskInputError);
    expect(() => t.target({ question: "x" })).toThrow("doc_to_target: missing field `answer`");
    expect(() => t.prompt({})).toThrow("doc_to_text: missing field `question`");
    expect(parseTask("task: c\ndoc_to_text: q\ndoc_to_target: 3\n", "t.yaml").target({})).toBe("3");
  });

  it.each([
    ["metric_list:\n  - metric: exact_match\n    aggregation: avg\n", "t.yaml:6, key `metric_list[0].aggregation`: unknown aggregation `avg`"],
    ["metric_list:\n  - metric: exactmatch\n", "t.yaml:5, key `metric_list[0].metric`: unknown metric `exactmatch` (available: exact_match, acc, acc_norm, acc_bytes, perplexity, word_perplexity, byte_perplexity, bits_per_byte, code_eval, pass_at_1, bleu, chrf, ter, f1, mcc, llm_judge, anls, relaxed_overall, relaxed_human_split, relaxed_augmented_split, mmmu_acc)"],
    ["metric_list:\n  - metric: exact_match\n    ignore_kase: true\n", "t.yaml:6, key `metric_list[0].ignore_kase`: unknown option `ignore_kase` for `metric_list[0]`"],
    ["metric_list:\n  - metric: exact_match\n    regexes_to_ignore:\n      - \",\"\n      - \"(x\"\n", "t.yaml:8, key `metric_list[0].regexes_to_ignore[1]`: invalid regular expression: missing ), unterminated subpattern at position 0 (Python pattern \"(x\")"],
    ["metric_list:\n  - metric: exact_match\n    ignore_case: [maybe]\n", "t.yaml:6, key `metric_list[0].ignore_case`: expected true or false"],
    ["filter_list:\n  - name: strict\n    filter:\n      - function: regex\n      - function: take_frist\n", "t.yaml:8, key `filter_list[0].filter[1].function`: unknown filter `take_frist`"],
    ["filter_list:\n  - name: x\n    filter:\n      - function: regex_pos\n", "t.yaml:7, key `filter_list[0].filter[0].function`: filter `regex_pos`: lm-eval's POSFilter, whose answer is a list of part-of-speech tags rather than a text, is not supported"],
    ["filter_list:\n  - name: x\n    filter:\n      - function: ACP_grammar_filter\n", "a filter a task's Python module registers with `@register_filter` is not looked up by name: give its class as `function: !function module.Class`"],
    ["filter_list:\n  - name: strict\n    filter:\n      - function: regex\n        regex_patern: x\n", "t.yaml:8, key `filter_list[0].filter[0].regex_patern`: unknown option `regex_patern`"],
    ["filter_list:\n  - name: strict\n    filter:\n      - function: regex\n        regex_pattern: \"(?P<n>\"\n", "t.yaml:8, key `filter_list[0].filter[0].regex_pattern`: invalid regular expression"],
    ["filter_list:\n  - name: a\n    filter: [{function: take_first}]\n  - name: a\n    filter: [{function: take_first}]\n", "t.yaml:7, key `filter_list[1].name`: filter name `a` is used twice"],
    ["repeats: 0\n", "t.yaml:4, key `repeats`: Too small: expected number to be >=1"],
    ["test_split: [1]\n", "t.yaml:4, key `test_split`: Invalid input: expected string, received array"],
    ["doc_to_txt: x\n", "t.yaml:4, key `doc_to_txt`: unknown key (did you mean `doc_to_text`?)"],
    ["process_results: !function utils.process_results\n", "t.yaml:4, key `process_results`: `!function` needs the task file on disk (its Python module is found beside it): use loadTask"],
    ["process_results: !sorcery utils.x\n", "t.yaml:4, key `process_results`: unsupported YAML tag !sorcery"],
    ["metric_list:\n  - metric: !function utils.m\n", "t.yaml:5, key `metric_list[0].metric`: `!function` needs the task file on disk (its Python module is found beside it): use loadTask"],
    ["process_docs: utils.process_docs\n", "t.yaml:4, key `process_docs`: expected `!function module.name` (a Python function beside the task file)"],
    ["use_prompt: \"promptsource:x\"\n", "t.yaml:4, key `use_prompt`: promptsource prompts (use_prompt) are not supported"],
    ["num_fewshot: 5\n", "t.yaml:4, key `num_fewshot`: task `demo`: 5 few-shot example(s) need a pool, a split this task names none of (fewshot_split, training_split, validation_split, test_split), which streameval does not download: pass --fewshot-file with that split's rows as JSONL, or set fewshot_config.samples or fewshot_config.file (or --num-fewshot 0)"],
    ["num_fewshot: 5\ntest_split: test\ntraining_split: train\n", "t.yaml:4, key `num_fewshot`: task `demo`: 5 few-shot example(s) need a pool, lm-eval's training_split `train`, which"],
    ["num_fewshot: 5\ntest_split: test\nfewshot_split: dev\ntraining_split: train\n", "key `num_fewshot`: task `demo`: 5 few-shot example(s) need a pool, lm-eval's fewshot_split `dev`"],
    ["output_type: generate\n", "t.yaml:4, key `output_type`: Invalid option"],
  ])("reports %j with file, line and key", (extra, message) => {
    expect(configError(MINIMAL + extra).message).toContain(message);
  });

  it("reports a template syntax error at the template's key", () => {
    const e = configError("task: demo\ndoc_to_text: \"{{ question \"\ndoc_to_target: answer\n");
    expect(e.message).toMatch(/^t\.yaml:2, key `doc_to_text`: template syntax error/);
    expect(e.where).toEqual({ file: "t.yaml", line: 2, key: "doc_to_text" });
  });

  it("reports missing required keys", () => {
    expect(configError("doc_to_text: q\ndoc_to_target: a\n").message).toBe("t.yaml:1, key `task`: required key is missing");
    expect(configError("task: x\ndoc_to_target: a\n").message).toBe("t.yaml:1, key `doc_to_text`: required for output_type generate_until");
    expect(configError("task: x\noutput_type: multiple_choice\ndoc_to_text: q\ndoc_to_target: a\n").message).toBe(
      "t.yaml:1, key `doc_to_choice`: required for output_type multiple_choice",
    );
  });

  it("reports YAML syntax errors with file and line", () => {
    expect(configError("task: x\nlist: [1\nother: 2\n").message).toMatch(/^t\.yaml:\d+: YAML syntax error: /);
    expect(configError("- a\n- b\n").message).toBe("t.yaml:1: expected a mapping of task keys at the top level");
  });

  it("ignores a metric entry's extra keys where lm-eval never calls the metric function (multiple_choice)", () => {
    const mc = "task: x\noutput_type: multiple_choice\ndoc_to_text: q\ndoc_to_target: 0\ndoc_to_choice: [a, b]\nmetric_list:\n  - metric: acc\n    weight_by_size: true\n";
    expect(parseTask(mc, "t.yaml").metrics.map((m) => m.name)).toEqual(["acc"]);
    expect(configError("task: x\ndoc_to_text: q\ndoc_to_target: a\nmetric_list:\n  - metric: exact_match\n    weight_by_size: true\n").message).toMatch(/key `metric_list\[0\]\.weight_by_size`: unknown option/);
  });

  it("takes the last of a key written twice, as PyYAML (and so lm-eval) does", () => {
    expect(parseTask("task: x\ndoc_to_text: q\ndoc_to_target: a\ntask: y\n", "t.yaml").name).toBe("y");
  });

  it("points include at loadTask", () => {
    expect(configError("include: base.yaml\ntask: x\n").message).toBe("t.yaml:1, key `include`: `include` needs the file on disk: use loadTask");
  });
});

describe("loadTask", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "streameval-tasks-"));
    await writeFile(path.join(dir, "base.yaml"), "doc_to_text: \"Base: {{q}}\"\ndoc_to_target: a\nrepeats: 2\nmetric_list:\n  - metric: exact_match\n    aggregation: avg\n");
    await writeFile(path.join(dir, "child.yaml"), "include: base.yaml\ntask: child\nrepeats: 3\nmetric_list:\n  - metric: exact_match\n");
    await writeFile(path.join(dir, "broken-child.yaml"), "include: base.yaml\ntask: broken\n");
    await writeFile(path.join(dir, "loop-a.yaml"), "include: loop-b.yaml\ntask: a\n");
    await writeFile(path.join(dir, "loop-b.yaml"), "include: loop-a.yaml\n");
    await writeFile(path.join(dir, "inc-a.yaml"), "include: inc-a-base.yaml\nrepeats: 2\ndoc_to_text: \"A: {{q}}\"\n");
    await writeFile(path.join(dir, "inc-a-base.yaml"), "repeats: 5\ndoc_to_target: a\n");
    await writeFile(path.join(dir, "inc-b.yaml"), "repeats: 4\n");
    await writeFile(path.join(dir, "two-includes.yaml"), "include: [inc-a.yaml, inc-b.yaml]\ntask: two\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("resolves `!function` to the module beside the YAML holding it (an included file's own folder); Python filters, metrics and aggregations load (named for the worker); their misuses are refused by key", async () => {
    await mkdir(path.join(dir, "sub"), { recursive: true });
    await writeFile(path.join(dir, "sub", "inc.yaml"), "output_type: multiple_choice\ndoc_to_choice: !function helpers.choices\ndoc_to_target: 0\n");
    await writeFile(path.join(dir, "hooked.yaml"), "include: sub/inc.yaml\ntask: hooked\ndoc_to_text: !function pkg.mod.text\n");
    await writeFile(path.join(dir, "sub", "helpers.py"), "def choices(doc):\n    return ['a', 'b']\n");
    const t = await loadTask("hooked.yaml", { cwd: dir });
    // The Python files are part of the task's text: editing one changes the run's fingerprint.
    expect(t.origin.text).toContain("# --- python: helpers.py ---\ndef choices(doc):");
    expect(t.hooks?.doc_to_choice).toMatchObject({ spec: "helpers.choices", module: "helpers", name: "choices", dir: path.join(dir, "sub"), line: 2, key: "doc_to_choice" });
    expect(t.hooks!.doc_to_choice!.modulePath).toBe(path.join(dir, "sub", "helpers.py"));
    expect(t.hooks!.doc_to_text!.modulePath).toBe(path.join(dir, "pkg", "mod.py"));
    // A hook where lm-eval only decontaminates (not done here) is accepted and never called.
    await writeFile(path.join(dir, "decontam.yaml"), "task: d\ndoc_to_text: q\ndoc_to_target: a\nshould_decontaminate: true\ndoc_to_decontamination_query: !function helpers.query\n");
    expect((await loadTask("decontam.yaml", { cwd: dir })).hooks).toBeUndefined();
    // Without the hook stage, a sample is rejected naming the key, not crashed on.
    expect(() => t.prompt({})).toThrow(/doc_to_text is a Python hook/);
    // lm-eval's Python filter, metric and aggregation forms load, each hook named for the worker to import.
    await writeFile(
      path.join(dir, "f.yaml"),
      "task: f\ndoc_to_text: q\ndoc_to_target: a\nmetric_list:\n  - metric: !function helpers.m\n    aggregation: !function helpers.agg\n    k: [1]\nfilter_list:\n  - name: x\n    filter:\n      - function: custom\n        filter_fn: !function helpers.f\n      - function: !function helpers.Filter\n        pattern: z\n      - function: take_first\n",
    );
    const f = await loadTask("f.yaml", { cwd: dir });
    expect(f.scoredInPython).toBe(true);
    expect(f.metrics[0]).toMatchObject({ name: "m", aggregation: "!function helpers.agg", python: { options: { k: [1] } } });
    expect(f.metrics[0]!.pythonAggregation?.key).toBe("metric_list[0].aggregation");
    expect(f.filters[0]!.python?.map((s) => s.kind === "python" ? `${s.form}:${s.hook.spec}:${JSON.stringify(s.args)}` : s.name)).toEqual(["fn:helpers.f:{}", 'class:helpers.Filter:{"pattern":"z"}', "take_first"]);
    expect(f.pythonHooks?.map((h) => h.key)).toEqual(["filter_list[0].filter[0].filter_fn", "filter_list[0].filter[1].function", "metric_list[0].metric", "metric_list[0].aggregation"]);
    // custom_dataset builds lm-eval's dataset; the input holds its rows: the task loads, its module is never imported.
    await writeFile(path.join(dir, "ds.yaml"), "task: ds\ncustom_dataset: !function nosuch_loader.load_dataset\ndoc_to_text: '{{q}}'\ndoc_to_target: a\n");
    const ds = await loadTask("ds.yaml", { cwd: dir });
    expect(ds.pythonHooks).toBeUndefined();
    expect(ds.prompt({ q: "row from the input" })).toBe("row from the input");
    // multiple_choice: the metrics lm-eval's scoring gives a value, each with the Python type it arrives in.
    await writeFile(path.join(dir, "f.yaml"), "task: f\noutput_type: multiple_choice\ndoc_to_text: q\ndoc_to_target: a\ndoc_to_choice: [a, b]\nmetric_list:\n  - metric: f1\n    aggregation: !function helpers.agg\n  - metric: acc\n    aggregation: !function helpers.agg\n  - metric: likelihood\n    aggregation: !function helpers.agg\n  - metric: acc_norm\n");
    const mc = await loadTask("f.yaml", { cwd: dir });
    expect(mc.metrics.map((m) => [m.name, m.aggregation, m.pythonItem ?? null])).toEqual([["f1", "!function helpers.agg", "tuple"], ["acc", "!function helpers.agg", "float"], ["likelihood", "!function helpers.agg", "tuple"], ["acc_norm", "mean", null]]);
    for (const [body, message] of [
      ["metric_list:\n  - metric: !function helpers.m\n", "f.yaml:5, key `metric_list[0].aggregation`: `!function helpers.m` needs an aggregation"],
      // lm-eval's multiple_choice scoring gives `bias` no value: its aggregation would get nothing.
      ["output_type: multiple_choice\ndoc_to_choice: [a, b]\nmetric_list:\n  - metric: bias\n    aggregation: !function helpers.agg\n", "f.yaml:7, key `metric_list[0].metric`: `bias` has no per-sample value in lm-eval's multiple_choice scoring (it gives acc, acc_norm, acc_bytes, exact_match, f1, mcc, likelihood, brier_score), so `!function helpers.agg` would get nothing"],
      ["output_type: loglikelihood\nmetric_list:\n  - metric: acc\n    aggregation: !function helpers.agg\n", "f.yaml:7, key `metric_list[0].aggregation`: a Python aggregation runs over values from process_results, a generate_until metric or a multiple_choice metric (this task is loglikelihood without process_results)"],
      ["filter_list:\n  - name: x\n    filter:\n      - function: custom\n", "f.yaml:7, key `filter_list[0].filter[0].filter_fn`: `function: custom` needs `filter_fn: !function module.name`"],
    ] as const) {
      await writeFile(path.join(dir, "f.yaml"), `task: f\ndoc_to_text: q\ndoc_to_target: a\n${body}`);
      await expect(loadTask("f.yaml", { cwd: dir })).rejects.toThrow(message);
    }
  });

  it("loads a bundled task by name", async () => {
    const t = await loadTask("gsm8k");
    expect(t.name).toBe("gsm8k");
    expect(t.origin.file).toMatch(/bundled[\\/]gsm8k\.yaml$/);
  });

  it("loads a file relative to cwd, merging includes: the including file's keys win", async () => {
    const t = await loadTask("child.yaml", { cwd: dir });
    expect(t.name).toBe("child");
    expect(t.repeats).toBe(3);
    expect(t.prompt({ q: "x" })).toBe("Base: x");
    expect(t.metrics[0]!.aggregation).toBe("mean");
    expect(t.origin.text).toContain("# --- include: base.yaml ---");
  });

  it("merges several includes as lm-eval 0.4.13 does: the last listed wins, each over its own includes", async () => {
    const t = await loadTask("two-includes.yaml", { cwd: dir });
    expect(t.repeats).toBe(4);
    expect(t.prompt({ q: "x" })).toBe("A: x");
    expect(t.target({ a: "y" })).toBe("y");
  });

  it("names the included file and its line in errors from it", async () => {
    await expect(loadTask("broken-child.yaml", { cwd: dir })).rejects.toThrow("base.yaml:6, key `metric_list[0].aggregation`: unknown aggregation `avg`");
  });

  it("reports include cycles, missing files and unknown bundled names", async () => {
    await expect(loadTask("loop-a.yaml", { cwd: dir })).rejects.toThrow("include cycle through loop-a.yaml");
    await expect(loadTask("nope.yaml", { cwd: dir })).rejects.toThrow("nope.yaml: task file not found");
    await expect(loadTask("gsm9k")).rejects.toThrow("unknown task `gsm9k`: not a bundled task (bundled: bfcl_simple, chartqa, docvqa_val, gsm8k, humaneval, mbpp, mmlu, mmlu_generative, mmmu_val, mt_bench, perplexity) and no such file");
  });
});
