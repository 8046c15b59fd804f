/**
 * Size and build time of `streameval report` at 10,000 and 100,000 results: a store filled with
 * MMLU result lines (real prompts from ../shared/datasets/mmlu_test.jsonl, 5-shot-length inputs,
 * two models, ~65% right, timings and costs) and the report built from it.
 *
 *   npx tsx bench/report-size.ts [N ...]     (default 10000 100000)
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReport } from "../src/report/build-report.js";
import { CheckpointStore } from "../src/store/checkpoint-store.js";
import type { ResultLine } from "../src/types.js";

const sizes = process.argv.slice(2).map(Number);
const docs = (await readFile(new URL("../../shared/datasets/mmlu_test.jsonl", import.meta.url), "utf8"))
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { id: string; subject: string; question: string; choices: string[]; answer: string });
const letters = ["A", "B", "C", "D"];
let seed = 1;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

const rows: string[][] = [["results", "HTML MB", "MB per 10,000", "build s"]];
for (const n of sizes.length ? sizes : [10_000, 100_000]) {
  const dir = await mkdtemp(join(tmpdir(), "streameval-report-size-"));
  const store = await CheckpointStore.open(dir);
  const run = store.run("size");
  const now = new Date().toISOString();
  await run.putMeta({ run: "size", identity: { tasks: { mmlu_generative: "x" }, models: ["model-a", "model-b"], endpoint: null, repeats: null }, tasks: [{ name: "mmlu_generative", aggregations: { exact_match: "mean" } }], models: ["model-a", "model-b"], options: {}, created_at: now, started_at: now, ended_at: now, sessions: 1, status: "complete", counts: { ok: n, error: 0 } });
  const t0 = Date.now() - n * 20;
  for (let i = 0; i < n / 2; i++) {
    const doc = docs[i % docs.length]!;
    // Five examples of the subject before the question, as --num-fewshot 5 sends.
    const shots = docs.filter((d) => d.subject === doc.subject).slice(0, 5).map((d) => `${d.question}\n${d.choices.map((c, k) => `${letters[k]}. ${c}`).join("\n")}\nAnswer: ${d.answer}`);
    const input = `The following are multiple choice questions (with answers) about ${doc.subject.replace(/_/g, " ")}.\n\n${shots.join("\n\n")}\n\n${doc.question}\n${doc.choices.map((c, k) => `${letters[k]}. ${c}`).join("\n")}\nAnswer:`;
    for (const model of ["model-a", "model-b"]) {
      const right = rand() < 0.65;
      const said = right ? doc.answer : letters[Math.floor(rand() * 4)]!;
      const line: ResultLine = {
        id: `${doc.id}#${i}`,
        task: "mmlu_generative",
        model,
        repeat: 0,
        status: "ok",
        input,
        response: `The answer is ${said}.`,
        filtered: { get_response: said },
        target: doc.answer,
        scores: { "exact_match,get_response": said === doc.answer ? 1 : 0 },
        usage: { prompt_tokens: Math.round(input.length / 4), completion_tokens: 6 },
        cost_usd: input.length / 4 * 0.15e-6,
        timing: { e2e_ms: 300 + rand() * 900, ttft_ms: 200 + rand() * 500, tpot_ms: 5 + rand() * 20, queue_ms: rand() * 50, attempts: 1 },
        category: doc.subject,
        ended_at: new Date(t0 + i * 40).toISOString(),
      };
      await run.record(line);
    }
  }
  await run.flush();
  const started = Date.now();
  const html = await buildReport(store, ["size"]);
  const seconds = (Date.now() - started) / 1000;
  await store.close();
  await rm(dir, { recursive: true, force: true });
  const mb = Buffer.byteLength(html) / 1e6;
  rows.push([n.toLocaleString("en-US"), mb.toFixed(2), ((mb * 10_000) / n).toFixed(2), seconds.toFixed(1)]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(rows.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join("  ")).join("\n"));
