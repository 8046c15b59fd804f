/**
 * The checkpoint store alone: N result lines (GSM8K-shaped, distinct ids) recorded through RunStore in batches of
 * 32, as a `-c 64` run commits them, with no graph around it. Prints the highest RSS (/proc/self/status), V8's heap
 * and the rest of the anonymous memory (native: LevelDB's memtables, index blocks, malloc's arenas), sampled every
 * 2,000 records. docs/benchmarks.md, "Peak RSS flat in the input".
 *   npx esbuild bench/store-memory.ts --bundle --packages=external --platform=node --format=esm \
 *     --outfile=.bench/store-memory.mjs && node .bench/store-memory.mjs 200000 [cacheMB]
 * Under `valgrind --tool=massif node .bench/store-memory.mjs 100000` it gives LevelDB's live allocations.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckpointStore } from "../src/index.js";
import type { ResultLine } from "../src/types.js";

const n = Number(process.argv[2] ?? 200_000);
const cacheMB = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const dir = await mkdtemp(join(tmpdir(), "streameval-store-memory-"));
const line = (i: number): ResultLine =>
  ({
    id: `gsm8k-test-${i % 1319}-r${Math.floor(i / 1319)}`,
    task: "gsm8k",
    model: "sim",
    repeat: 0,
    status: "ok",
    input: `Question: question ${i % 1319} of the test split, as its prompt renders it, with its numbers and its words.\nAnswer:`,
    response: `Let me work it out step by step. Working through the numbers one step at a time gives the result. So the answer is ${i % 97}.\n#### ${i % 97}`,
    filtered: { "strict-match": String(i % 97), "flexible-extract": String(i % 97) },
    target: String(i % 89),
    scores: { "exact_match,strict-match": Number(i % 97 === i % 89), "exact_match,flexible-extract": Number(i % 97 === i % 89) },
    usage: { prompt_tokens: 73, completion_tokens: 33 },
    cost_usd: null,
    timing: { e2e_ms: Math.random() * 400, ttft_ms: Math.random() * 400, tpot_ms: 0.03, output_tokens_per_s: 83.68, queue_ms: Math.random() * 3, attempts: 1 },
    fingerprint: "sha256:fed17fd461718114a5109f8cd50eec0d",
    ended_at: new Date().toISOString(),
  }) as unknown as ResultLine;

const highest = { rss: 0, anon: 0, file: 0, heap: 0, native: 0 };
const sample = () => {
  const status = readFileSync("/proc/self/status", "utf8");
  const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0) / 1024;
  const heap = process.memoryUsage().heapTotal / 1048576;
  const now = { rss: mb("VmRSS"), anon: mb("RssAnon"), file: mb("RssFile"), heap, native: mb("RssAnon") - heap };
  for (const k of Object.keys(highest) as (keyof typeof highest)[]) highest[k] = Math.max(highest[k], now[k]);
};

const store = await CheckpointStore.open(dir, cacheMB === undefined ? {} : { cacheMB });
try {
  const run = store.run("store-memory");
  for (let i = 0; i < n; i += 32) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + 32); j++) batch.push(run.record(line(j), `source${j % 97}.x`));
    await Promise.all(batch);
    if (i % 2000 === 0) sample();
  }
  await run.flush();
  sample();
  console.log(JSON.stringify({ records: n, counts: await run.counts(), highest_mb: Object.fromEntries(Object.entries(highest).map(([k, v]) => [k, Math.round(v)])) }));
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
