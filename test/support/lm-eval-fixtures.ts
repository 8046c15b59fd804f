import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Doc } from "../../src/types.js";

/** test/fixtures/lm-eval-tasks: lm-eval task folders copied unchanged, their data, stubs and reference code. */
export const LM_EVAL_TASKS = fileURLToPath(new URL("../fixtures/lm-eval-tasks/", import.meta.url));
export const fixture = (rel: string) => `${LM_EVAL_TASKS}${rel}`;
/** truthfulqa/utils.py imports sacrebleu and rouge_score, which mc2 never calls: stand-ins on PYTHONPATH. */
export const STUBS = fixture("stubs");

export const readDocs = (rel: string): Doc[] =>
  readFileSync(fixture(rel), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Doc);

/** Runs a Python script of the fixtures with JSON on stdin; resolves with its JSON output. */
export function runPythonJson<T>(script: string, input: unknown, env: NodeJS.ProcessEnv = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [fixture(script)], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${script} exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(input));
  });
}
