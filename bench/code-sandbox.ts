/**
 * Code execution sandbox cost (alone: `tsx bench/code-sandbox.ts`): N small passing programs (a
 * HumanEval-sized function and its asserts) through createCodeSandbox at concurrency 1, 2 and 4 —
 * wall time, programs per second, and each program's launcher wall time (p50/p90: two interpreter
 * start-ups, the namespaces and mounts, the run). Beside it, the same programs run by a bare
 * `python3 -c` per program (no sandbox), to show what the isolation adds.
 * Options: BENCH_N (default 40).
 */
import { spawn } from "node:child_process";
import { createCodeSandbox } from "../src/python/sandbox/code-sandbox.js";
import { describeIsolation } from "../src/python/sandbox/verdict.js";
import { printTable } from "./lib.js";

const n = Number(process.env.BENCH_N ?? 40);
const program = (i: number) => `def add(a, b):\n    return a + b\n\ndef check(candidate):\n    assert candidate(${i}, 1) == ${i + 1}\n\ncheck(add)\n`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await job(i);
    }
  }));
  return out;
}

const bare = (code: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn("python3", ["-I", "-c", code], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (c) => (c === 0 ? resolve() : reject(new Error(`exit ${c}`))));
  });

const rows: (string | number)[][] = [["runner", "concurrency", "programs", "wall s", "programs/s", "p50 ms", "p90 ms"]];
const probe = createCodeSandbox();
console.log(describeIsolation(await probe.probe()));
for (const c of [1, 2, 4]) {
  const sandbox = createCodeSandbox({ concurrency: c });
  const t0 = performance.now();
  const verdicts = await pool(n, c, (i) => sandbox.run(program(i)));
  const wall = (performance.now() - t0) / 1000;
  if (!verdicts.every((v) => v.passed)) throw new Error("a benchmark program failed");
  const ms = verdicts.map((v) => v.wall_ms);
  rows.push(["sandbox", c, n, wall, n / wall, pct(ms, 50), pct(ms, 90)]);

  const times: number[] = [];
  const b0 = performance.now();
  await pool(n, c, async (i) => {
    const t = performance.now();
    await bare(program(i));
    times.push(performance.now() - t);
  });
  const bareWall = (performance.now() - b0) / 1000;
  rows.push(["bare python3", c, n, bareWall, n / bareWall, Math.round(pct(times, 50)), Math.round(pct(times, 90))]);
}
printTable("code execution: sandboxed vs bare python3 per program", rows);
