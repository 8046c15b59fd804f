import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCodeExecutionAllowed, needsCodeExecution } from "../../src/tasks/code-execution.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import { codeRepeatScores } from "../../src/tasks/score-repeats.js";
import { root } from "../support/cli.js";

const CODE_TASK = `task: code
doc_to_text: "{{prompt}}"
doc_to_target: "{{test}}"
metric_list:
  - metric: code_eval
    k: 5
`;

describe("code tasks: loading, refusal, pass@k over repeats", () => {
  it("bundles humaneval and mbpp as lm-eval's, marked as executing code", async () => {
    const humaneval = await loadTask("humaneval");
    expect(needsCodeExecution(humaneval)).toBe(true);
    expect(humaneval.filters.map((f) => f.name)).toEqual(["create_test"]);
    const metric = humaneval.metrics[0]!;
    expect(metric.execution!.ks).toEqual([1]);
    expect(metric.execution!.key(1)).toBe("pass@1");
    const doc = { prompt: "def f():\n", test: "def check(c):\n    assert c() == 1\n", entry_point: "f" };
    expect(metric.execution!.program(doc, "    return 1\n")).toBe("def f():\n    return 1\n");
    expect(humaneval.target(doc)).toBe("def check(c):\n    assert c() == 1\n\ncheck(f)");
    const mbpp = await loadTask("mbpp");
    expect(mbpp.metrics[0]!.execution!.key(1)).toBe("pass_at_1");
    expect(mbpp.metrics[0]!.execution!.program({}, "def g(): pass")).toBe("def g(): pass");
  });

  it("renders mbpp's prompt and target as lm-eval does (three few-shot examples, Jinja)", async () => {
    const mbpp = await loadTask("mbpp");
    const doc = JSON.parse((await readFile(join(root, "test/fixtures/code/mbpp.jsonl"), "utf8")).split("\n")[0]!) as Record<string, unknown>;
    // lm-eval's fewshot context: each example's text + target_delimiter ("") + target, joined and ended by "\n\n".
    const script = String.raw`
import json, sys, jinja2, yaml
class L(yaml.SafeLoader): pass
L.add_constructor("!function", lambda l, n: l.construct_scalar(n))
sys.path.insert(0, sys.argv[1]); import importlib.util
src = open(sys.argv[1] + "/utils.py").read(); ns = {}; exec(src[src.index("def list_fewshot_samples"):], ns)
c = yaml.load(open(sys.argv[1] + "/mbpp.yaml"), Loader=L)
t = lambda s, d: jinja2.Template(s, keep_trailing_newline=True).render(**d)
doc = json.loads(sys.argv[2])
shots = "".join(t(c["doc_to_text"], d) + c["target_delimiter"] + t(c["doc_to_target"], d) + "\n\n" for d in ns["list_fewshot_samples"]())
print(json.dumps({"prompt": shots + t(c["doc_to_text"], doc), "target": t(c["doc_to_target"], doc)}))`;
    const r = spawnSync("python3", ["-c", script, join(root, "test/fixtures/lm-eval-code/mbpp"), JSON.stringify(doc)], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const expected = JSON.parse(r.stdout) as { prompt: string; target: string };
    expect(mbpp.prompt(doc)).toBe(expected.prompt);
    expect(mbpp.target(doc)).toBe(expected.target);
  });

  it("reads code_eval's options: k as a number or a list; unknown options and a second code metric are errors at their line", () => {
    expect(parseTask(CODE_TASK, "c.yaml").metrics[0]!.execution!.ks).toEqual([5]);
    expect(() => parseTask(CODE_TASK.replace("k: 5", "k: 5\n    timeout: 3"), "c.yaml")).toThrow("c.yaml:7, key `metric_list[0].timeout`: unknown option `timeout`");
    expect(() => parseTask(`${CODE_TASK}  - metric: pass_at_1\n`, "c.yaml")).toThrow("a task runs one code metric");
  });

  it("refuses a run of tasks that execute code unless allowed, naming the flag; other tasks are not concerned", async () => {
    const unsafe = await loadTask("humaneval");
    expect(() => checkCodeExecutionAllowed([unsafe], false)).toThrow(/humaneval\.yaml, key `--allow-code-execution`: task `humaneval` executes model-generated code \(it is marked `unsafe_code: true`\); pass --allow-code-execution/);
    expect(() => checkCodeExecutionAllowed([parseTask(CODE_TASK, "c.yaml")], false)).toThrow("its metric `code_eval` runs them");
    expect(() => checkCodeExecutionAllowed([unsafe], true)).not.toThrow();
    const gsm8k = await loadTask("gsm8k");
    expect(() => checkCodeExecutionAllowed([gsm8k], false)).not.toThrow();
  });

  it("pass@k over repeats counts each filter's passes, for each k up to the repeats", () => {
    const execution = parseTask(CODE_TASK.replace("k: 5", "k: [1, 2, 5, 10]"), "c.yaml").metrics[0]!.execution!;
    const own = [1, 0, 1, 0, 0].map((v, i) => ({ "pass@1,none": v, "pass@1,other": i === 4 ? 1 : 0 }));
    const scores = codeRepeatScores(execution, own);
    expect(Object.keys(scores).sort()).toEqual(["pass@1,none", "pass@1,other", "pass@2,none", "pass@2,other", "pass@5,none", "pass@5,other"]);
    expect(scores["pass@1,none"]).toBeCloseTo(0.4, 12);
    expect(scores["pass@2,none"]).toBeCloseTo(1 - 3 / 10, 12);
    expect(scores["pass@5,none"]).toBe(1);
    expect(scores["pass@1,other"]).toBeCloseTo(0.2, 12);
  });
});
