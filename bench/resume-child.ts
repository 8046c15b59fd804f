/**
 * One resume in its own process, for profiling (`node --cpu-prof .bench/resume-child.mjs fill|resume DIR [N]`):
 * `fill` writes DIR/resume.jsonl (N GSM8K lines) and records every sample in DIR/store through a run, as
 * bench/resume.ts does; `resume` runs `runEvaluation` over the input again with a model that must never be called,
 * and prints its wall time and CPU seconds (the main thread's, from /proc, and the process's, LevelDB's threads included).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveRunConfig, runFingerprint } from "../src/config/run-config.js";
import { openInputs } from "../src/io/open-inputs.js";
import { functionModel } from "../src/models/function-model.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { CheckpointStore } from "../src/store/checkpoint-store.js";
import { loadTask } from "../src/tasks/load.js";
import { gsm8kLines } from "./lib.js";

const [mode, dir, nArg] = process.argv.slice(2);
if ((mode !== "fill" && mode !== "resume") || !dir) throw new Error("usage: resume-child.mjs fill|resume DIR [N]");
const input = join(dir, "resume.jsonl");
const task = await loadTask("gsm8k");
const config = resolveRunConfig([input], { task: ["gsm8k"], model: ["sim"], baseUrl: "http://127.0.0.1:59999/v1", store: join(dir, "store") }, {});
const run = runFingerprint(config, [task]);
/** The main thread's CPU seconds (utime + stime of this thread, from /proc). */
const mainCpu = () => {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

if (mode === "fill") {
  const n = Number(nArg ?? 100_000);
  await gsm8kLines(n, input);
  const store = await CheckpointStore.open(config.store);
  let answered = 0;
  const instant = functionModel("sim", () => `The answer is ${answered % 7}. #### ${answered++ % 7}`);
  const filled = await runEvaluation({ input: openInputs([input], process.stdin), tasks: [task], models: [{ client: instant, concurrency: 64 }], checkpoint: store.run(run) });
  await store.close();
  console.log(JSON.stringify({ ok: filled.models.sim?.samples.ok }));
} else {
  const s = await CheckpointStore.open(config.store);
  let calls = 0;
  const never = functionModel("sim", () => {
    calls++;
    return "#### 0";
  });
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainCpu();
  const summary = await runEvaluation({ input: openInputs([input], process.stdin), tasks: [task], models: [{ client: never, concurrency: 8 }], checkpoint: s.run(run) });
  const wall = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const main = mainCpu() - main0;
  await s.close();
  if (process.env.RESUME_SUMMARY) console.log(JSON.stringify(summary.models));
  console.log(JSON.stringify({ wall_s: +wall.toFixed(3), main_cpu_s: +main.toFixed(2), cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3), calls, resumed: summary.models.sim?.samples.resumed }));
}
