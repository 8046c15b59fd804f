/**
 * `npx tsx bench/python-hooks.ts`: throughput of the Python hook stage, without a model: N docs
 * (BENCH_N, default 10000) through `applyDocHooks` with real python3 workers, then each sample's prompt.
 * - hellaswag: process_docs (its utils.py, on the `datasets` stand-in) + doc_to_text (a template);
 * - winogrande: doc_to_text, doc_to_target, doc_to_choice (three Python calls a doc).
 * For each: batches of 64 and of 16, with one worker and with a pool of two. Medians of BENCH_RUNS (3).
 */
import { from, lastValueFrom, map, toArray } from "rxjs";
import { hooksOf } from "../src/commands/hook-workers.js";
import { applyDocHooks } from "../src/operators/apply-doc-hooks.js";
import { hookEnvironment } from "../src/python/hooks/hook-env.js";
import { HookPool } from "../src/python/hooks/hook-pool.js";
import { loadTask } from "../src/tasks/load.js";
import type { SourceItem } from "../src/types.js";
import { median, printTable } from "./lib.js";
import { readDocs } from "../test/support/lm-eval-fixtures.js";

const n = Number(process.env.BENCH_N ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);

async function once(yaml: string, data: string, maxBatch: number, workers: number): Promise<{ seconds: number; startup: number }> {
  const task = await loadTask(`test/fixtures/lm-eval-tasks/${yaml}`);
  const seed = readDocs(data);
  const items: SourceItem[] = Array.from({ length: n }, (_, i) => ({ kind: "sample", sample: { id: `d${i}`, doc: { ...seed[i % seed.length]!, id: `d${i}` }, at: { file: data, line: i + 1 } } }));
  const t0 = performance.now();
  const pool = new HookPool({ hooks: hooksOf([task]), env: hookEnvironment(process.env), maxWorkers: workers });
  await pool.start();
  const t1 = performance.now();
  const prompts = await lastValueFrom(
    from(items).pipe(
      applyDocHooks({ hooks: pool, taskOf: () => task, maxBatch }),
      map((item) => (item.kind === "sample" ? task.prompt(item.sample.doc) : "")),
      toArray(),
    ),
  );
  const t2 = performance.now();
  await pool.close();
  if (prompts.length !== n || prompts.some((p) => p === "")) throw new Error("not every doc came through");
  return { seconds: (t2 - t1) / 1000, startup: (t1 - t0) / 1000 };
}

const rows: (string | number)[][] = [];
for (const [name, yaml, data] of [
  ["hellaswag: process_docs + doc_to_text", "hellaswag/hellaswag.yaml", "data/hellaswag.jsonl"],
  ["winogrande: 3 doc hooks", "winogrande/default.yaml", "data/winogrande.jsonl"],
] as const) {
  for (const [batch, workers] of [[64, 1], [64, 2], [16, 1], [16, 2]] as const) {
    const results = [];
    for (let r = 0; r < runs; r++) results.push(await once(yaml, data, batch, workers));
    const s = median(results.map((x) => x.seconds));
    rows.push([name, batch, workers, n, s.toFixed(2), Math.round(n / s), (median(results.map((x) => x.startup)) * 1000).toFixed(0)]);
  }
}
printTable(`Python hook stage, ${n} docs (median of ${runs})`, [["hooks", "batch", "workers", "docs", "seconds", "docs/s", "worker start ms"], ...rows]);
