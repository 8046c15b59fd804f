/**
 * Prototype: N GSM8K-shaped records written in batches of 32 under one of several LevelDB layouts, with the
 * highest RSS (VmHWM) and the highest resident `.ldb` pages (/proc/self/smaps, sampled every 1,000 records).
 *   npx esbuild bench/store-layouts.ts --bundle --packages=external --platform=node --format=esm \
 *     --outfile=.bench/store-layouts.mjs && node .bench/store-layouts.mjs LAYOUT N
 * LAYOUT: old (work key → record), same (seq → record, work key → seq after it, one db), before (the index
 * sorting before the records), two (records in a second LevelDB keyed by seq, the index in the first).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { encodeDoneLine } from "../src/store/done-record.js";
import { gsm8kResultLine } from "./gsm8k-result-line.js";

const layout = process.argv[2] ?? "old";
const n = Number(process.argv[3] ?? 200_000);
const dir = await mkdtemp(join(tmpdir(), "streameval-layouts-"));

let ldbPeak = 0;
let arenaPeak = 0;
const sample = () => {
  let kb = 0;
  let arenas = 0;
  let kind = "";
  for (const l of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
    if (head) kind = head[2]!.endsWith(".ldb") ? "ldb" : head[2] === "" && BigInt(`0x${head[1]}`) % 0x4000000n === 0n ? "arena" : "";
    else if (l.startsWith("Rss:")) {
      const v = Number(/(\d+)/.exec(l)![1]);
      if (kind === "ldb") kb += v;
      else if (kind === "arena") arenas += v;
    }
  }
  ldbPeak = Math.max(ldbPeak, kb / 1024);
  arenaPeak = Math.max(arenaPeak, arenas / 1024);
};

const mbEnv = (name: string) => (process.env[name] ? { writeBufferSize: Number(process.env[name]) * 1048576 } : {});
const db = new Level<string, string>(join(dir, "a"), { valueEncoding: "utf8", cacheSize: 32 << 20, ...mbEnv("IDX_WB") });
const recordsDb = layout === "two" ? new Level<string, string>(join(dir, "b"), { valueEncoding: "utf8", cacheSize: 32 << 20, ...mbEnv("REC_WB") }) : undefined;
await db.open();
await recordsDb?.open();
const run = "run:flat-bench";
const sub = (d: Level<string, string>, part: string) => d.sublevel<string, string>([run, part], { valueEncoding: "utf8" });
const done = sub(db, "d");
const records = sub(recordsDb ?? db, "r");
const index = sub(db, layout === "before" ? "a" : "x");
const seqKey = (s: number) => s.toString(36).padStart(8, "0");
const started = process.cpuUsage();
try {
  let seq = 0;
  for (let i = 0; i < n; i += 32) {
    const ops: { type: "put"; key: string; value: string; sublevel: typeof done }[] = [];
    const recOps: typeof ops = [];
    for (let j = i; j < Math.min(n, i + 32); j++) {
      const l = gsm8kResultLine(j);
      const key = JSON.stringify([l.task, l.id, l.model, l.repeat]);
      const text = encodeDoneLine(l, `source${j % 97}.x`);
      if (layout === "old") ops.push({ type: "put", sublevel: done, key, value: text });
      else {
        const s = seqKey(++seq);
        (layout === "two" ? recOps : ops).push({ type: "put", sublevel: records, key: s, value: text });
        ops.push({ type: "put", sublevel: index, key, value: s });
      }
    }
    if (recOps.length > 0) await recordsDb!.batch(recOps as never);
    await db.batch(ops as never);
    if (i % 1000 < 32) sample();
  }
  sample();
  const status = readFileSync("/proc/self/status", "utf8");
  const mb = (f: string) => Math.round(Number(new RegExp(`^${f}:\\s+(\\d+)`, "m").exec(status)![1]) / 102.4) / 10;
  const cpu = process.cpuUsage(started);
  const heap = Math.round(process.memoryUsage().heapTotal / 104857.6) / 10;
  console.log(JSON.stringify({ layout, n, heap, anon: mb("RssAnon"), file: mb("RssFile"), hwm: mb("VmHWM"), rss: mb("VmRSS"), ldbPeak: Math.round(ldbPeak * 10) / 10, arenaPeak: Math.round(arenaPeak * 10) / 10, cpu_s: Math.round((cpu.user + cpu.system) / 1e4) / 100 }));
} finally {
  await db.close();
  await recordsDb?.close();
  await rm(dir, { recursive: true, force: true });
}
