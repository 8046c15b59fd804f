/**
 * One memory measurement: N generated GSM8K-like lines through the whole evaluation (parse, ids,
 * duplicates, gsm8k templates, filters, metrics, summary) with an in-process function model.
 * Usage: node .bench/memory-child.mjs N [FILE] (the bench compiles it: bench/lib.ts `compiled`, which leaves
 * `streameval` to resolve to the built package, dist/index.js). With FILE, the N lines are read from it through
 * `openInputs`, as a program reading a file would (`memoryLines` writes the same lines); without, they are made
 * here. Prints JSON {n, peak_rss_mb, wall_s, per_s}.
 *
 * The lines and the model's answer write their numbers with `digits` (bench/memory-line.ts), which leaves no
 * garbage of this program's in the old generation; with MEMORY_NUMBERS=template they are made with `${n}`, whose
 * strings V8's number-string cache gets promoted (24 MB over a million lines; docs/benchmarks.md).
 */
import { readFileSync } from "node:fs";
// Through the package entry, as a program that depends on streameval loads it (dist/index.js: `npm run build`).
import { contentText, functionModel, loadTask, openInputs, runEvaluation } from "streameval";
import { digits, memoryLine } from "./memory-line.js";

const n = Number(process.argv[2]);
const file = process.argv[3];
async function* lines() {
  for (let i = 0; i < n; i++) yield { text: memoryLine(i), line: i + 1, file: "<gen>" };
}
const model = functionModel("fn", (req) => {
  const m = /has (\d+)/.exec(contentText(req.messages[0]?.content));
  const answer = digits(Number(m?.[1]) + 3);
  return { text: `He has ${answer} apples. #### ${answer}`, usage: { prompt_tokens: 30, completion_tokens: 12 } };
});
const t0 = performance.now();
const summary = await runEvaluation({ input: file ? openInputs([file], process.stdin) : lines(), tasks: [await loadTask("gsm8k")], models: [{ client: model, concurrency: 64 }] });
const wall = (performance.now() - t0) / 1000;
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
const done = summary.models.fn?.samples.ok ?? 0;
if (done !== n) throw new Error(`expected ${n} scored, got ${done}`);
console.log(JSON.stringify({ n, peak_rss_mb: Number(hwm) / 1024, wall_s: wall, per_s: n / wall }));
