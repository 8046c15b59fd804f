/**
 * Source memory and throughput: N generated JSONL lines through readLines → parse (→ detectDuplicates)
 * → a consumer that finishes each item on a later microtask, read through pullSource with Demand(64).
 * Memory must not grow with N: compare peak RSS at 100k and 1M lines. With detectDuplicates the
 * growth is its id map, per distinct id.
 *
 * Each case runs in its own child process, so peak RSS is that case's alone.
 *
 *   npx tsx bench/source-memory.ts                  # 100k and 1M lines, both pipelines
 *   npx tsx bench/source-memory.ts --lines 5000000  # other sizes
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { finalize, from, lastValueFrom, mergeMap, tap, type Observable } from "rxjs";
import { Demand, pullSource } from "../src/io/demand.js";
import { readLines } from "../src/io/read-lines.js";
import { detectDuplicates } from "../src/operators/detect-duplicates.js";
import { parse } from "../src/operators/parse.js";
import type { SourceItem } from "../src/types.js";

type Pipeline = "parse" | "parse+dedupe";

interface CaseResult {
  lines: number;
  pipeline: Pipeline;
  samples: number;
  rejects: number;
  seconds: number;
  rssStartMb: number;
  rssPeakMb: number;
  heapPeakMb: number;
  /** Heap still in use after a full GC at the end, with the pipeline's state still reachable. */
  heapRetainedMb: number;
}

/** ~64 KiB chunks of generated lines: 1 in 10 without an id (hashed), 1 in 1000 blank, 1 in 10000 bad. */
async function* generate(lines: number): AsyncGenerator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (let i = 0; i < lines; i++) {
    let line: string;
    if (i % 10_000 === 9_999) line = `{"id":"s-${i}","question":`;
    else if (i % 1_000 === 999) line = "";
    else if (i % 10 === 9) line = `{"question":"What is ${i} + ${i}?","target":"${2 * i}"}`;
    else line = `{"id":"s-${i}","question":"What is ${i} + ${i}?","target":"${2 * i}","meta":{"n":${i},"tags":["a","b"]}}`;
    parts.push(line, "\n");
    size += line.length + 1;
    if (size >= 64 * 1024) {
      // A file read completes on a later turn of the event loop; so does this chunk.
      await new Promise((resolve) => setImmediate(resolve));
      yield Buffer.from(parts.join(""));
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(""));
}

async function runCase(lines: number, pipeline: Pipeline): Promise<CaseResult> {
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  let heapPeak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 20);

  const demand = new Demand(64);
  let samples = 0;
  let rejects = 0;
  let duplicates = 0;
  const started = performance.now();
  let heapRetained = 0;
  let items: Observable<SourceItem> = pullSource(readLines(generate(lines), "generated.jsonl"), demand).pipe(parse());
  if (pipeline === "parse+dedupe") items = items.pipe(detectDuplicates({ onDuplicate: () => duplicates++ }));
  await lastValueFrom(
    items.pipe(
      mergeMap((item) => from(Promise.resolve(item)).pipe(finalize(() => demand.release()))),
      tap((item) => (item.kind === "sample" ? samples++ : rejects++)),
      // Measured before completion, while detectDuplicates' map is still alive.
      tap({ complete: () => (heapRetained = retainedHeap()) }),
    ),
    { defaultValue: undefined },
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (duplicates > 0) throw new Error(`unexpected duplicates: ${duplicates}`);
  const mb = (b: number) => b / 1024 / 1024;
  return {
    lines,
    pipeline,
    samples,
    rejects,
    seconds,
    rssStartMb: mb(rssStart),
    rssPeakMb: Math.max(mb(rssPeak), process.resourceUsage().maxRSS / 1024),
    heapPeakMb: mb(heapPeak),
    heapRetainedMb: mb(heapRetained),
  };
}

/** heapUsed after a full GC (the child runs with --expose-gc). */
function retainedHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Runs every case in a child process and prints a table; returns the results. */
export function runSourceMemoryBench(sizes: readonly number[] = [100_000, 1_000_000]): CaseResult[] {
  const self = fileURLToPath(import.meta.url);
  const results: CaseResult[] = [];
  for (const pipeline of ["parse", "parse+dedupe"] as const) {
    for (const lines of sizes) {
      const child = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", self, "--case", String(lines), pipeline], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      if (child.status !== 0) throw new Error(`case ${lines} ${pipeline} failed (exit ${child.status})`);
      results.push(JSON.parse(child.stdout.trim().split("\n").pop()!) as CaseResult);
    }
  }
  printTable(results);
  return results;
}

function printTable(results: readonly CaseResult[]): void {
  const rows = results.map((r) => [
    r.lines.toLocaleString("en-US"),
    r.pipeline,
    r.samples.toLocaleString("en-US"),
    r.rejects.toLocaleString("en-US"),
    r.seconds.toFixed(2),
    Math.round(r.lines / r.seconds).toLocaleString("en-US"),
    r.rssStartMb.toFixed(0),
    r.rssPeakMb.toFixed(0),
    r.heapPeakMb.toFixed(0),
    r.heapRetainedMb.toFixed(1),
  ]);
  const head = ["lines", "pipeline", "samples", "rejects", "seconds", "lines/s", "RSS start MB", "RSS peak MB", "heap peak MB", "heap kept MB"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log("source memory: readLines → parse [→ detectDuplicates] → async consumer, Demand(64)");
  console.log(fmt(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(fmt(r));
  console.log("heap kept: heapUsed after a full GC at completion, pipeline state still alive (dedupe: its id map).");
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === "--case") {
    const result = await runCase(Number(args[1]), args[2] as Pipeline);
    console.log(JSON.stringify(result));
  } else {
    const at = args.indexOf("--lines");
    runSourceMemoryBench(at === -1 ? undefined : [Number(args[at + 1])]);
  }
}
