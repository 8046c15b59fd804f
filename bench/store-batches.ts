/**
 * The store's cost per record as the 50 ms run makes it: 5,000 result lines (one of the simulator's GSM8K lines,
 * each with its own id) recorded through RunStore a few at a time, the next few once a batch is committed, as
 * replies arrive at `-c 32` and 50 ms (3–6 records a batch). Prints the process's CPU seconds over the records
 * (main thread and LevelDB's) and the wall time.
 *
 * `npx tsx bench/store-batches.ts [records] [per batch]`
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CheckpointStore } from "../src/store/checkpoint-store.js";
import type { ResultLine } from "../src/types.js";

const n = Number(process.argv[2] ?? 5000);
const perBatch = Number(process.argv[3] ?? 4);
const line = (i: number): ResultLine =>
  ({
    id: `gsm8k-test-${i % 1319}-r${Math.floor(i / 1319)}`,
    task: "gsm8k",
    model: "sim",
    repeat: 0,
    status: "ok",
    input: "Question: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?\nAnswer:",
    response: "Let me work it out step by step. Working through the numbers one step at a time gives the result. So the answer is 18.\n#### 18",
    filtered: { "strict-match": "18", "flexible-extract": "18" },
    target: "18",
    scores: { "exact_match,strict-match": 1, "exact_match,flexible-extract": 1 },
    usage: { prompt_tokens: 73, completion_tokens: 33 },
    cost_usd: null,
    timing: { e2e_ms: 118.03, ttft_ms: 117.32, tpot_ms: 0.02, output_tokens_per_s: 279.59, queue_ms: 0.47, attempts: 1 },
    ended_at: new Date().toISOString(),
  }) as unknown as ResultLine;

const dir = await mkdtemp(join(tmpdir(), "store-batches-"));
try {
  const store = await CheckpointStore.open(dir);
  const run = store.run("bench");
  const lines = Array.from({ length: n }, (_, i) => line(i));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += perBatch) {
    await Promise.all(lines.slice(i, i + perBatch).map((l) => run.record(l, `AbCdEfGhIjKlMnOp.${String(i).padStart(24, "x")}`)));
  }
  await run.flush();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${n} records, ${perBatch} a batch: CPU ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s, wall ${(wall / 1000).toFixed(3)} s`);
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
