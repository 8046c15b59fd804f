/**
 * One memory measurement: N generated GSM8K-like lines through the whole evaluation (parse, ids,
 * duplicates, gsm8k templates, filters, metrics, summary) with an in-process function model.
 * Usage: node .bench/memory-child.mjs N (the bench compiles it: bench/lib.ts `compiled`, which leaves `streameval`
 * to resolve to the built package, dist/index.js). Prints JSON {n, peak_rss_mb, wall_s, per_s}.
 */
import { readFileSync } from "node:fs";
// Through the package entry, as a program that depends on streameval loads it (dist/index.js: `npm run build`).
import { contentText, functionModel, loadTask, runEvaluation } from "streameval";

const n = Number(process.argv[2]);
async function* lines() {
  for (let i = 0; i < n; i++) {
    const doc = { id: `s${i}`, question: `Tom has ${i} apples and buys 3 more. How many apples does he have?`, answer: `${i} + 3 = ${i + 3}\n#### ${i + 3}`, target: String(i + 3) };
    yield { text: JSON.stringify(doc), line: i + 1, file: "<gen>" };
  }
}
const model = functionModel("fn", (req) => {
  const m = /has (\d+)/.exec(contentText(req.messages[0]?.content));
  return { text: `He has ${Number(m?.[1]) + 3} apples. #### ${Number(m?.[1]) + 3}`, usage: { prompt_tokens: 30, completion_tokens: 12 } };
});
const t0 = performance.now();
const summary = await runEvaluation({ input: lines(), tasks: [await loadTask("gsm8k")], models: [{ client: model, concurrency: 64 }] });
const wall = (performance.now() - t0) / 1000;
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
const done = summary.models.fn?.samples.ok ?? 0;
if (done !== n) throw new Error(`expected ${n} scored, got ${done}`);
console.log(JSON.stringify({ n, peak_rss_mb: Number(hwm) / 1024, wall_s: wall, per_s: n / wall }));
