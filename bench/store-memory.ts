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
import { gsm8kResultLine } from "./gsm8k-result-line.js";

const n = Number(process.argv[2] ?? 200_000);
const cacheMB = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const dir = await mkdtemp(join(tmpdir(), "streameval-store-memory-"));

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
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(n, i + 32); j++) batch.push(run.record(gsm8kResultLine(j), `source${j % 97}.x`));
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
