/**
 * Checkpoint benchmarks (run by `npm run bench`, or alone: `tsx bench/resume.ts`):
 * 1. Resume with 100,000 recorded samples (recorded by a run, as the CLI records them: fingerprint and source):
 *    the time to skip them all, in process (the graph alone) and as a command (`streameval run` wall time, less
 *    the same command's start-up). Target < 1 s.
 * 2. Checkpointing cost at simulator latency 0: `streameval run` with the store against `--no-store`,
 *    same simulator, same run. Target: under 5% slower. Besides wall time, the harness's own CPU
 *    seconds (from its summary's `resources`, LevelDB's threads included): on a shared machine they
 *    move far less than wall time does.
 * Options: BENCH_RUNS (default 3), BENCH_N (default 5000), BENCH_RESUME_N (default 100000).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRunConfig, runFingerprint } from "../src/config/run-config.js";
import { openInputs } from "../src/io/open-inputs.js";
import { functionModel } from "../src/models/function-model.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { CheckpointStore } from "../src/store/checkpoint-store.js";
import { loadTask } from "../src/tasks/load.js";
import type { Summary } from "../src/summary/summary.js";
import { cli, datasets, gsm8kLines, median, printTable, startSimProcess, timed } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const n = Number(process.env.BENCH_N ?? 5000);
const resumeN = Number(process.env.BENCH_RESUME_N ?? 100_000);
const c = 64;
const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-resume-"));

try {
  const input = await gsm8kLines(resumeN, join(tmp, "resume.jsonl"));
  const task = await loadTask("gsm8k");
  const baseUrl = "http://127.0.0.1:59999/v1";
  const config = resolveRunConfig([input], { task: ["gsm8k"], model: ["sim"], baseUrl, store: join(tmp, "store") }, {});
  const run = runFingerprint(config, [task]);

  // Record every sample as done, as a finished run does: through the graph, with a model that answers at once
  // (so each record keeps its fingerprint and what it was made from, as the CLI's records do).
  const t0 = performance.now();
  const store = await CheckpointStore.open(config.store);
  let answered = 0;
  const instant = functionModel("sim", () => `The answer is ${answered % 7}. #### ${answered++ % 7}`);
  const filled = await runEvaluation({ input: openInputs([input], process.stdin), tasks: [task], models: [{ client: instant, concurrency: 64 }], checkpoint: store.run(run) });
  await store.close();
  if (filled.models.sim?.samples.ok !== resumeN) throw new Error(`filling the store recorded ${filled.models.sim?.samples.ok} of ${resumeN}`);
  const fillS = (performance.now() - t0) / 1000;

  // 1a. In process: the graph over the recorded input with a model that must never be called.
  const inProcess: number[] = [];
  const inProcessCpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = await CheckpointStore.open(config.store);
    let calls = 0;
    const never = functionModel("sim", () => {
      calls++;
      return "#### 0";
    });
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    const summary = await runEvaluation({ input: openInputs([input], process.stdin), tasks: [task], models: [{ client: never, concurrency: 8 }], checkpoint: s.run(run) });
    inProcess.push((performance.now() - t) / 1000);
    const cpu = process.cpuUsage(cpu0);
    inProcessCpu.push((cpu.user + cpu.system) / 1e6);
    await s.close();
    if (calls !== 0 || summary.models.sim?.samples.resumed !== resumeN) throw new Error(`resume sent ${calls} requests, resumed ${summary.models.sim?.samples.resumed}`);
  }

  // 1b. As a command: the resumed run against the base start-up (the same command with --limit 0).
  const args = (extra: string[]) => [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", baseUrl, "--store", config.store, "--no-progress", "-o", "/dev/null", ...extra];
  const command: number[] = [];
  const startup: number[] = [];
  for (let r = 0; r < runs; r++) {
    const full = await timed(process.execPath, args([]));
    if (full.code !== 0) throw new Error(`resumed run failed (${full.code}): ${full.stderr}`);
    command.push(full.wall_s);
    const none = await timed(process.execPath, args(["--limit", "0", "--run", "startup-only"]));
    startup.push(none.wall_s);
  }
  const [ip, cm, su] = [median(inProcess), median(command), median(startup)];
  printTable(`Resume: skip ${resumeN} recorded samples (median of ${runs}; store filled in ${fillS.toFixed(1)} s)`, [
    ["measure", "seconds", "samples/s", "target"],
    ["in process: evaluate() over the input, all resumed", ip, resumeN / ip, "< 1 s"],
    ["in process: CPU seconds (all threads)", median(inProcessCpu), "", ""],
    ["command: streameval run, wall", cm, "", ""],
    ["command: start-up only (--limit 0)", su, "", ""],
    ["command: skipping (wall - start-up)", cm - su, resumeN / (cm - su), "< 1 s"],
  ]);

  // 2. Checkpointing cost at latency 0.
  const gsm = await gsm8kLines(n, join(tmp, "speed.jsonl"));
  const sim = await startSimProcess(["--latency-ms", "0", "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
  try {
    const wall = { store: [] as number[], none: [] as number[] };
    const cpu = { store: [] as number[], none: [] as number[] };
    for (let r = 0; r < runs; r++) {
      const summary = join(tmp, `speed-${r}.json`);
      // --no-cache: the input repeats GSM8K's questions, which the response cache (on with a store) would answer.
      const base = [cli, "run", gsm, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--no-cache", "--summary", summary];
      // Alternate the order so a machine that speeds up or slows down favours neither.
      const pair = r % 2 === 0 ? (["store", "none"] as const) : (["none", "store"] as const);
      for (const which of pair) {
        const t = await timed(process.execPath, which === "store" ? [...base, "--store", join(tmp, `speed-${r}`)] : [...base, "--no-store"]);
        if (t.code !== 0) throw new Error(`run failed (${t.code}): ${t.stderr}`);
        wall[which].push(t.wall_s);
        const res = (JSON.parse(await readFile(summary, "utf8")) as Summary).resources;
        cpu[which].push((res?.cpu_user_s ?? Number.NaN) + (res?.cpu_system_s ?? Number.NaN));
      }
    }
    const [ws, wo, cs, co] = [median(wall.store), median(wall.none), median(cpu.store), median(cpu.none)];
    printTable(`Checkpointing cost at sim latency 0 (${n} samples, -c ${c}, median of ${runs})`, [
      ["", "wall s", "samples/s", "harness CPU s"],
      ["--no-store", wo, n / wo, co],
      ["with the store", ws, n / ws, cs],
      ["store / no store", ws / wo, "target < 1.05", cs / co],
    ]);
  } finally {
    await sim.stop();
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
