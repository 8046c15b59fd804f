/**
 * The package's targets (issue 18), each measured beside its baseline in the same run and printed beside its
 * target with the command that reproduces it: start-up against `node -e 0`; memory of `evaluate` with a function
 * model, of the CLI against the bare openai-SDK loop, and of a long input against a short one; throughput and wall
 * time against the bare SDK loop on the same simulator. Children run compiled JavaScript (dist/, and .bench/ for
 * the bench's own scripts), never a TypeScript loader.
 * Options: BENCH_RUNS (default 3), BENCH_N (default 5000), BENCH_STARTUP_RUNS (10), BENCH_MEMORY_N (1000000),
 * BENCH_FLAT_N (200000; the short input is a tenth of it), BENCH_FLAT_NO_STORE=1 (also the long input with --no-store).
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cli, compiled, datasets, gsm8kLines, type Measured, measured, median, printTable, startSimProcess } from "./lib.js";
import { memoryLine } from "./memory-line.js";
import { type RssSplit, sampleRss } from "./rss-split.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const n = Number(process.env.BENCH_N ?? 5000);
const startupRuns = Number(process.env.BENCH_STARTUP_RUNS ?? 10);
const memoryN = Number(process.env.BENCH_MEMORY_N ?? 1_000_000);
const flatN = Number(process.env.BENCH_FLAT_N ?? 200_000);
const only = process.env.BENCH_ONLY?.split(",");
const part = (name: string) => only === undefined || only.includes(name);
const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-targets-"));
const node = process.execPath;
const rows: (string | number)[][] = [["figure", "measured", "baseline (same run)", "ratio", "target", "met", "reproduce"]];
const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
const mb = (x: number) => `${x.toFixed(0)} MB`;
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;

function ok(m: Measured, what: string): Measured {
  if (m.code !== 0) throw new Error(`${what} exited ${m.code}: ${m.stderr.slice(-2000)}`);
  return m;
}

/** Runs A and B in turn, `times` pairs, so a machine that speeds up or slows down favours neither. */
async function pairs(times: number, a: () => Promise<Measured>, b: () => Promise<Measured>): Promise<{ a: Measured[]; b: Measured[] }> {
  const out = { a: [] as Measured[], b: [] as Measured[] };
  for (let i = 0; i < times; i++) {
    out.a.push(await a());
    out.b.push(await b());
  }
  return out;
}
const med = (ms: Measured[], key: "wall_s" | "cpu_s" | "peak_mb") => median(ms.map((m) => m[key]));

try {
  const one = join(tmp, "one.jsonl");
  await writeFile(one, `${JSON.stringify({ id: "a", question: "1 + 1?", answer: "#### 2", target: "2" })}\n`);

  if (part("startup")) {
    const base = () => measured(node, ["-e", "0"]);
    const help = await pairs(startupRuns, () => measured(node, [cli, "--help"]).then((m) => ok(m, "--help")), base);
    const limit0 = ["run", one, "-t", "gsm8k", "-m", "sim", "--base-url", "http://127.0.0.1:59999/v1", "--limit", "0", "--no-store", "-o", "/dev/null"];
    const run0 = await pairs(startupRuns, () => measured(node, [cli, ...limit0]).then((m) => ok(m, "run --limit 0")), base);
    const nodeWall = med([...help.b, ...run0.b], "wall_s");
    rows.push(
      [`start-up: --help, wall (median of ${startupRuns}; ${load()})`, ms(med(help.a, "wall_s")), `node -e 0: ${ms(nodeWall)}`, med(help.a, "wall_s") / nodeWall, "< 150 ms", med(help.a, "wall_s") < 0.15 ? "yes" : "no", "npx streameval --help"],
      ["start-up: --help, CPU", ms(med(help.a, "cpu_s")), `node -e 0: ${ms(med(help.b, "cpu_s"))}`, med(help.a, "cpu_s") / med(help.b, "cpu_s"), "", "", ""],
      [`start-up: run --limit 0, wall (median of ${startupRuns}; ${load()})`, ms(med(run0.a, "wall_s")), `node -e 0: ${ms(nodeWall)}`, med(run0.a, "wall_s") / nodeWall, "< 400 ms", med(run0.a, "wall_s") < 0.4 ? "yes" : "no", "npx streameval run one.jsonl -t gsm8k -m sim --base-url URL --limit 0 --no-store"],
      ["start-up: run --limit 0, CPU", ms(med(run0.a, "cpu_s")), `node -e 0: ${ms(med(run0.b, "cpu_s"))}`, med(run0.a, "cpu_s") / med(run0.b, "cpu_s"), "", "", ""],
    );
  }

  if (part("memory")) {
    const child = await compiled("memory-child.ts");
    const floor = await compiled("memory-floor.ts");
    const m = ok(await measured(node, [child, String(memoryN)]), "memory child");
    const per = (JSON.parse(m.stdout) as { per_s: number }).per_s;
    // The same lines with no library: plain node's floor, with JSON.parse and without parsing (bench/memory-floor.ts).
    const json = ok(await measured(node, [floor, String(memoryN), "json"]), "memory floor");
    const none = ok(await measured(node, [floor, String(memoryN), "none"]), "memory floor");
    const file = join(tmp, "memory.jsonl");
    await writeLines(file, memoryN, memoryLine);
    const fromFile = ok(await measured(node, [child, String(memoryN), file]), "memory child, from a file");
    // The program making its numbers with `${n}` (bench/memory-line.ts `digits`): V8's number-string cache gets one
    // string a line promoted, the program's garbage, not the library's; kept beside the figure.
    const template = ok(await measured(node, [child, String(memoryN)], { MEMORY_NUMBERS: "template" }), "memory child, ${n} numbers");
    rows.push(
      [`lean: evaluate() with a function model (import from "streameval", node's default flags), ${memoryN} lines, peak RSS (${Math.round(per)} samples/s)`, mb(m.peak_mb), `plain node: ${mb(json.peak_mb)}`, m.peak_mb / json.peak_mb, "< 120 MB", m.peak_mb < 120 ? "yes" : "no", `node .bench/memory-child.mjs ${memoryN}`],
      ["lean: the same lines read from a file (openInputs)", mb(fromFile.peak_mb), "", "", "", "", `node .bench/memory-child.mjs ${memoryN} FILE`],
      ["lean: the same, the program writing its numbers with ${n} (promoted by V8's number-string cache)", mb(template.peak_mb), "", "", "", "", `MEMORY_NUMBERS=template node .bench/memory-child.mjs ${memoryN}`],
      ["lean: plain node, the same lines, JSON.parse, an async function each, 64 at a time", mb(json.peak_mb), "", "", "", "", `node .bench/memory-floor.mjs ${memoryN} json`],
      ["lean: plain node, the same without parsing", mb(none.peak_mb), "", "", "", "", `node .bench/memory-floor.mjs ${memoryN} none`],
    );
  }

  // `--no-cache`: the input repeats GSM8K's 1,319 questions, which the response cache would answer without a
  // request; the bare loop sends every one, so the CLI must too for the same work (it still checkpoints each result).
  const bare = part("speed") || part("flat") ? await compiled("bare-sdk.ts") : "";
  const cliRun = (input: string, url: string, c: number, extra: string[] = [], onSpawn?: (child: ChildProcess) => void) =>
    measured(node, [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--no-cache", "--store", join(tmp, `store-${Math.random()}`), ...extra], {}, onSpawn).then((m) => ok(m, "streameval run"));
  const bareRun = (url: string, count: number, c: number) => measured(node, [bare, url, String(count), String(c)]).then((m) => ok(m, "bare SDK loop"));

  if (part("speed")) {
    const input = await gsm8kLines(n, join(tmp, "speed.jsonl"));
    for (const [latency, c] of [[0, 64], [50, 32]] as const) {
      const sim = await startSimProcess(["--latency-ms", String(latency), "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
      try {
        const r = await pairs(runs, () => cliRun(input, sim.url, c), () => bareRun(sim.url, n, c));
        const [h, b] = [med(r.a, "wall_s"), med(r.b, "wall_s")];
        const cmd = `npx streameval sim --latency-ms ${latency} --answer-key gsm8k_test.jsonl; npx streameval run gsm8k-${n}.jsonl -t gsm8k -m sim --base-url URL -c ${c} -o /dev/null --no-cache; node .bench/bare-sdk.mjs URL ${n} ${c}`;
        if (latency === 0) {
          rows.push([`fast: throughput at latency 0, -c ${c}, ${n} samples, process wall incl. start-up (median of ${runs}; ${load()})`, `${(n / h).toFixed(0)}/s (${h.toFixed(2)} s)`, `bare SDK: ${(n / b).toFixed(0)}/s (${b.toFixed(2)} s)`, b / h, ">= 0.95", b / h >= 0.95 ? "yes" : "no", cmd]);
          // CPU-bound at latency 0: CPU seconds per run move far less than wall time on a shared machine.
          rows.push([`fast: CPU seconds of the whole process, CLI vs bare SDK, -c ${c}`, `${med(r.a, "cpu_s").toFixed(2)} s`, `bare SDK: ${med(r.b, "cpu_s").toFixed(2)} s`, med(r.b, "cpu_s") / med(r.a, "cpu_s"), "(bare / CLI)", "", "the same runs"]);
          rows.push([`lean: peak RSS, CLI vs bare SDK, -c ${c}`, mb(med(r.a, "peak_mb")), `bare SDK: ${mb(med(r.b, "peak_mb"))}`, med(r.a, "peak_mb") / med(r.b, "peak_mb"), "<= 1.1", med(r.a, "peak_mb") / med(r.b, "peak_mb") <= 1.1 ? "yes" : "no", "the same runs"]);
        } else {
          rows.push([`fast: wall at latency ${latency} ms, -c ${c}, ${n} samples (median of ${runs}; ${load()})`, `${h.toFixed(2)} s`, `bare SDK: ${b.toFixed(2)} s`, h / b, "<= 1.05", h / b <= 1.05 ? "yes" : "no", cmd]);
        }
      } finally {
        await sim.stop();
      }
    }
  }

  if (part("flat")) {
    const sim = await startSimProcess(["--latency-ms", "0", "--answer-key", `${datasets}/gsm8k_test.jsonl`]);
    // The RSS of each run is also sampled from /proc/PID/status, split into anonymous and file-backed pages
    // (docs/benchmarks.md, "Peak RSS flat in the input").
    const flatRun = async (input: string, extra: string[] = []) => {
      let sampler: ReturnType<typeof sampleRss> | undefined;
      const m = await cliRun(input, sim.url, 64, extra, (child) => (sampler = sampleRss(child.pid!)));
      return { ...m, split: await sampler!.stop() };
    };
    const split = (r: { split: RssSplit }) => `anonymous ${mb(r.split.anon_mb)}, file-backed ${mb(r.split.file_mb)}`;
    const where = ({ split: { atPeak: p } }: { split: RssSplit }) =>
      p ? `V8 and other anonymous ${p.otherAnon.toFixed(1)}, [heap] ${p.brk.toFixed(1)}, thread arenas ${p.arenas.toFixed(1)}, .ldb maps ${p.ldb.toFixed(1)}, other files ${p.files.toFixed(1)} MB` : "no sample";
    try {
      const largeInput = await gsm8kLines(flatN, join(tmp, "flat-large.jsonl"));
      const small = await flatRun(await gsm8kLines(flatN / 10, join(tmp, "flat-small.jsonl")));
      const large = await flatRun(largeInput);
      const cmd = `npx streameval run gsm8k-${flatN}.jsonl -t gsm8k -m sim --base-url URL -c 64 -o /dev/null --no-cache`;
      rows.push([`lean: CLI peak RSS, ${flatN} lines vs ${flatN / 10} (-c 64, latency 0)`, mb(large.peak_mb), `${flatN / 10} lines: ${mb(small.peak_mb)}`, large.peak_mb / small.peak_mb, "<= 1.1", large.peak_mb / small.peak_mb <= 1.1 ? "yes" : "no", cmd]);
      rows.push([`flat: highest RSS sampled every 200 ms, ${flatN} lines vs ${flatN / 10}`, split(large), split(small), large.split.rss_mb / small.split.rss_mb, "", "", "the same runs"]);
      rows.push([`flat: at the highest sample, ${flatN} lines vs ${flatN / 10} (/proc/PID/smaps)`, where(large), where(small), "", "", "", "the same runs"]);
      if (process.env.BENCH_FLAT_NO_STORE === "1") {
        const bare = await flatRun(largeInput, ["--no-store"]);
        rows.push([`flat: the ${flatN}-line run with --no-store (the store's share)`, mb(bare.peak_mb), `with the store: ${mb(large.peak_mb)}`, bare.peak_mb / small.peak_mb, "", "", `${cmd} --no-store; ${split(bare)}`]);
      }
    } finally {
      await sim.stop();
    }
  }

  printTable(`Targets (issue 18): each figure beside its baseline, measured in the same run; ${execFileSync("nproc").toString().trim()} cores, ${load()} at the end`, rows);
} finally {
  await rm(tmp, { recursive: true, force: true });
}

/** Writes lines `line(0)` … `line(count - 1)` to `path`, a megabyte at a time. */
async function writeLines(path: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  let text = "";
  for (let i = 0; i < count; i++) {
    text += `${line(i)}\n`;
    if (text.length < 1 << 20) continue;
    const more = out.write(text);
    text = "";
    if (!more) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  out.end(text);
  await finished(out);
}
