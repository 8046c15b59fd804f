import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createCodeSandbox } from "../../../src/python/sandbox/code-sandbox.js";
import { withCodeExecution } from "../../../src/python/sandbox/code-env.js";
import { DEFAULT_SANDBOX_LIMITS } from "../../../src/python/sandbox/limits.js";
import { codeRepeatScores } from "../../../src/tasks/score-repeats.js";
import { loadTask, parseTask } from "../../../src/tasks/load.js";
import type { Task } from "../../../src/work/task.js";
import { root } from "../../support/cli.js";

// lm-eval's own humaneval and mbpp hooks (utils.py, unchanged) on streameval's `evaluate` stand-in, against
// streameval's bundled humaneval and mbpp on the same responses: per sample and the mean, to 1e-12.
const fixtures = join(root, "test/fixtures");
const SHIMS = join(root, "src/python/hooks/shims");
const LIMITS = { ...DEFAULT_SANDBOX_LIMITS, timeoutS: 1 };

const REFERENCE = String.raw`
import importlib.util, json, sys
import jinja2, yaml
shims, fixtures, he_resps, mbpp_resps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
sys.path.append(shims)  # as the hook worker does: after everything else

def load_utils(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # runs the hook's own code_eval self-check
    return module

class Loader(yaml.SafeLoader):
    pass
Loader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))

def target(task, doc):
    config = yaml.load(open(f"{fixtures}/lm-eval-code/{task}/{task}.yaml"), Loader=Loader)
    return jinja2.Template(config["doc_to_target"], keep_trailing_newline=True).render(**doc)

out = {}
he = load_utils("humaneval_utils", f"{fixtures}/lm-eval-code/humaneval/utils.py")
docs = [json.loads(l) for l in open(f"{fixtures}/code/humaneval.jsonl")]
preds = he.build_predictions(he_resps, docs)
out["humaneval"] = [{k: float(v) for k, v in he.pass_at_k(references=[target("humaneval", d)], predictions=[p], k=[1, 2, 3]).items()} for d, p in zip(docs, preds)]
mb = load_utils("mbpp_utils", f"{fixtures}/lm-eval-code/mbpp/utils.py")
docs = [json.loads(l) for l in open(f"{fixtures}/code/mbpp.jsonl")]
out["mbpp"] = [float(mb.pass_at_1(references=[target("mbpp", d)], predictions=[r])) for d, r in zip(docs, mbpp_resps)]
print(json.dumps(out))
`;

function python(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", args, { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const jsonl = async (file: string) => (await readFile(join(fixtures, file), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

// Three candidates per problem: right, wrong (a failing assert, an exception, an endless loop) in a mix.
const RIGHT: readonly string[] = ["    return a + b\n", "    return ' '.join(reversed(sentence.split()))\n", "    return text == text[::-1]\n", "    return sum(1 for c in word.lower() if c in 'aeiou')\n"];
const HUMANEVAL_RESPONSES: string[][] = [
  [RIGHT[0]!, "    return a - b\n", RIGHT[0]!],
  ["    return sentence[::-1]\n", "    raise ValueError('no')\n", "    return sentence\n"],
  [RIGHT[2]!, RIGHT[2]!, RIGHT[2]!],
  ["    return sum(1 for c in word if c in 'aeiou')\n", RIGHT[3]!, "    while True:\n        pass\n"],
];
const MBPP_RESPONSES = ["def max_of_three(a, b, c):\n  return max(a, b, c)\n", "def square_all(nums):\n  return [n + n for n in nums]\n"];

let humaneval: Task;
let mbpp: Task;
beforeAll(async () => {
  const bundled = await readFile(join(root, "src/tasks/bundled/humaneval.yaml"), "utf8");
  humaneval = parseTask(bundled.replace("k: [1]", "k: [1, 2, 3]"), "humaneval.yaml");
  mbpp = await loadTask("mbpp");
});

/** streameval's per-sample scores: each candidate run in the sandbox, then pass@k over the candidates. */
async function streamevalScores(task: Task, docs: Record<string, unknown>[], responses: string[][]): Promise<Record<string, number>[]> {
  const sandbox = createCodeSandbox({ limits: LIMITS, concurrency: 4 });
  const metric = task.metrics.find((m) => m.execution)!;
  const filter = task.filters[0]!.name;
  return Promise.all(
    docs.map(async (doc, i) => {
      const own = await Promise.all(
        responses[i]!.map(async (r) => {
          const program = `${metric.execution!.program(doc, task.filters[0]!.apply([r])[0]!)}\n${task.target(doc)}`;
          return { [`${metric.execution!.key(1)},${filter}`]: (await sandbox.run(program)).passed ? 1 : 0 };
        }),
      );
      return codeRepeatScores(metric.execution!, own);
    }),
  );
}

describe("code tasks against lm-eval's own hooks (evaluate shim, same sandbox)", { timeout: 120_000 }, () => {
  it("humaneval pass@1/2/3 and mbpp pass_at_1 match lm-eval's utils.py per sample and on average", async () => {
    const env = withCodeExecution({ PATH: process.env.PATH, HOME: process.env.HOME }, true, LIMITS, 4);
    const ref = await python(["-c", REFERENCE, SHIMS, fixtures, JSON.stringify(HUMANEVAL_RESPONSES), JSON.stringify(MBPP_RESPONSES.map((r) => r))], env);
    expect(ref.stderr).toBe("");
    expect(ref.code).toBe(0);
    const expected = JSON.parse(ref.stdout) as { humaneval: Record<string, number>[]; mbpp: number[] };

    const he = await streamevalScores(humaneval, await jsonl("code/humaneval.jsonl"), HUMANEVAL_RESPONSES);
    expect(he).toHaveLength(4);
    he.forEach((scores, i) => {
      for (const k of [1, 2, 3]) expect(scores[`pass@${k},create_test`]).toBeCloseTo(expected.humaneval[i]![`pass@${k}`]!, 12);
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(he.map((s) => s["pass@1,create_test"]!))).toBeCloseTo(mean(expected.humaneval.map((s) => s["pass@1"]!)), 12);
    // The mix gives distinct values, so a wrong program builder or estimator cannot match by chance.
    [2 / 3, 0, 1, 1 / 3].forEach((v, i) => expect(expected.humaneval[i]!["pass@1"]).toBeCloseTo(v, 12));

    const mb = await streamevalScores(mbpp, await jsonl("code/mbpp.jsonl"), MBPP_RESPONSES.map((r) => [r]));
    expect(mb.map((s) => s["pass_at_1,none"])).toEqual(expected.mbpp);
    expect(expected.mbpp).toEqual([1, 0]);
  });

  it("refuses, as HF evaluate does, without HF_ALLOW_CODE_EVAL (what the worker gets without --allow-code-execution)", async () => {
    const env = withCodeExecution({ PATH: process.env.PATH, HOME: process.env.HOME, HF_ALLOW_CODE_EVAL: "1" }, false);
    expect(env.HF_ALLOW_CODE_EVAL).toBeUndefined();
    const script = `import sys; sys.path.append(${JSON.stringify(SHIMS)}); sys.path.insert(0, ${JSON.stringify(join(fixtures, "lm-eval-code/humaneval"))}); import utils`;
    const r = await python(["-c", script], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("ValueError");
    expect(r.stderr).toContain("--allow-code-execution");
  });

  it("returns HF's shape: (pass_at_k, results) with each completion's verdict, pass@k only where every problem has k", async () => {
    const env = withCodeExecution({ PATH: process.env.PATH, HOME: process.env.HOME }, true, LIMITS);
    const script = `import sys, json; sys.path.append(${JSON.stringify(SHIMS)})
import evaluate
pass_at_k, results = evaluate.load("code_eval").compute(references=["assert add(2, 3)==5", "assert f()==1"], predictions=[["def add(a,b): return a*b", "def add(a,b): return a+b"], ["def f(): return 1"]], k=[1, 2])
print(json.dumps([pass_at_k, {str(t): r for t, r in results.items()}]))`;
    const r = await python(["-c", script], env);
    expect(r.stderr).toBe("");
    const [passAtK, results] = JSON.parse(r.stdout) as [Record<string, number>, Record<string, [number, Record<string, unknown>][]>];
    expect(passAtK).toEqual({ "pass@1": 0.75 });
    expect(results["0"]).toEqual([
      [0, { task_id: 0, passed: false, result: "failed: ", completion_id: 0 }],
      [1, { task_id: 0, passed: true, result: "passed", completion_id: 1 }],
    ]);
    expect(results["1"]).toEqual([[0, { task_id: 1, passed: true, result: "passed", completion_id: 0 }]]);
  });
});
