import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main as inCode } from "../../examples/in-code.js";
import { docsToLines, functionModel, loadTask, runEvaluation } from "../../src/index.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { codeBlocks, readText, root } from "./markdown.js";
import { contentText } from "../../src/media/content-parts.js";

const readme = readText("README.md");
const answerKeyFile = join(root, "examples/capitals.jsonl");
let right: SimServer;
let wrong: SimServer;
let dir: string;

beforeAll(async () => {
  // One server always right, one always wrong: the task's score must tell them apart.
  [right, wrong] = await Promise.all([startSim({ port: 0, answerKeyFile, accuracy: 1 }), startSim({ port: 0, answerKeyFile, accuracy: 0 })]);
  dir = await mkdtemp(join(tmpdir(), "streameval-readme-"));
});
afterAll(async () => {
  await Promise.all([right.close(), wrong.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** README's command for the task, split into arguments, pointed at `url` instead of port 8000. */
function readmeCommand(url: string): string[] {
  const command = codeBlocks(readme)
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.text.split("\n"))
    .find((line) => line.startsWith("npx streameval run examples/capitals.jsonl"));
  expect(command, "README runs examples/capitals.yaml").toBeDefined();
  const args = command!.split(/\s+/).slice(2);
  expect(args).toContain("http://127.0.0.1:8000/v1");
  return args.map((a) => (a === "http://127.0.0.1:8000/v1" ? url : a));
}

/** Runs README's command in a fresh folder holding the example's files, as in a clone. */
async function runReadmeCommand(sim: SimServer, name: string): Promise<{ code: number | null; lines: ResultLine[]; stderr: string }> {
  const cwd = join(dir, name);
  await mkdir(join(cwd, "examples"), { recursive: true });
  for (const f of ["capitals.yaml", "capitals.jsonl"]) await copyFile(join(root, "examples", f), join(cwd, "examples", f));
  const r = await runCli(readmeCommand(sim.url), { cwd });
  return { code: r.code, stderr: r.stderr, lines: r.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine) };
}

describe("README's own task (examples/capitals.yaml)", { timeout: 60_000 }, () => {
  it("README shows the task file and a sample line exactly as they are in examples/", async () => {
    const yaml = await readFile(join(root, "examples/capitals.yaml"), "utf8");
    expect(codeBlocks(readme).some((b) => b.lang === "yaml" && b.text === yaml)).toBe(true);
    const firstLine = (await readFile(answerKeyFile, "utf8")).split("\n")[0]!;
    expect(readme).toContain(firstLine);
  });

  it("runs as README shows it: a right model scores 1 on every sample, a wrong one 0", async () => {
    const good = await runReadmeCommand(right, "right");
    expect(good.code, good.stderr).toBe(0);
    expect(good.lines).toHaveLength(5);
    for (const line of good.lines) {
      expect(line).toMatchObject({ task: "capitals", model: "my-model", status: "ok" });
      expect(line.filtered?.answer).toBe(line.target);
      expect(line.scores).toEqual({ "exact_match,answer": 1 });
    }
    expect(good.stderr).toMatch(/exact_match,answer\s+1\.0000/);

    const bad = await runReadmeCommand(wrong, "wrong");
    expect(bad.code, bad.stderr).toBe(0);
    expect(bad.lines.map((l) => l.scores?.["exact_match,answer"])).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("README's in-code example (examples/in-code.ts)", { timeout: 60_000 }, () => {
  it("README shows it exactly as it is in examples/in-code.ts", async () => {
    const code = (await readFile(join(root, "examples/in-code.ts"), "utf8")).replace('from "../src/index.js"', 'from "streameval"');
    expect(readme).toContain(code);
  });

  it("runs against a server: every sample scored, one line logged per result", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const summary = await inCode(right.url);
      expect(summary.models["my-model"]?.samples).toMatchObject({ total: 5, ok: 5 });
      expect(summary.models["my-model"]?.metrics["exact_match,answer"]).toMatchObject({ value: 1, n: 5 });
      expect(log).toHaveBeenCalledTimes(5);
    } finally {
      log.mockRestore();
    }
  });
});

describe("examples/gsm8k-maj5.yaml (docs/benchmarks.md's repeats figures)", () => {
  it("scores the first answer, the majority of five, and pass@k", async () => {
    // Per question, the five answers are right, wrong, wrong, right, right: first right, majority right, pass@1 = 3/5.
    const calls = new Map<string, number>();
    const model = functionModel("five", (request) => {
      const prompt = contentText(request.messages.at(-1)?.content);
      const i = calls.get(prompt) ?? 0;
      calls.set(prompt, i + 1);
      const target = Number(/(\d+) apples/.exec(prompt)?.[1]) + 3;
      return `#### ${[0, 3, 4].includes(i) ? target : target + 1}`;
    });
    const docs = [1, 2].map((n) => ({ id: `q${n}`, question: `Tom has ${n} apples and buys 3 more.`, target: String(n + 3) }));
    const summary = await runEvaluation({ input: docsToLines(docs), tasks: [await loadTask("examples/gsm8k-maj5.yaml")], models: [{ client: model, concurrency: 1 }] });
    const metrics = summary.models.five!.metrics;
    expect(metrics["exact_match,strict-match"]?.value).toBe(1);
    expect(metrics["exact_match,maj@5"]?.value).toBe(1);
    expect(metrics["exact_match_pass@1,strict-match"]?.value).toBeCloseTo(0.6, 12);
    expect(metrics["exact_match_pass@5,strict-match"]?.value).toBe(1);
  });
});
