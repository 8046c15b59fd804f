/**
 * Soak: an endless-style evaluation held for minutes. SOAK_N (default 2,000,000) generated GSM8K-like
 * lines go through the whole graph with an in-process function model, as `--continuous` runs it
 * (bounded, forgetting duplicate detection; 1-second time windows with an alert). RSS is read at each
 * window's end, i.e. every second. Memory is flat when the peak RSS of the last minute is within 10%
 * of the first minute's peak.
 *
 * Usage: tsx bench/soak.ts (or `npm run bench -- --soak`). Prints a table and exits 1 when not flat.
 */
import { parseAlert } from "../src/continuous/alert-expression.js";
import { CONTINUOUS_MAX_IDS } from "../src/continuous/limits.js";
import { startWindowMonitor } from "../src/continuous/window-monitor.js";
import { windowScope } from "../src/continuous/window-stats.js";
import { functionModel } from "../src/models/function-model.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { loadTask } from "../src/tasks/load.js";
import { printTable } from "./lib.js";
import { contentText } from "../src/media/content-parts.js";

const n = Number(process.env.SOAK_N ?? 2_000_000);
const MB = 1024 * 1024;

/** Like a pipe, the input arrives in chunks through the event loop, so timers (the windows) get their turn. */
async function* lines() {
  for (let i = 0; i < n; i++) {
    if (i % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const doc = { id: `s${i}`, question: `Tom has ${i} apples and buys 3 more. How many apples does he have?`, answer: `#### ${i + 3}`, target: String(i + 3) };
    yield { text: JSON.stringify(doc), line: i + 1, file: "<soak>" };
  }
}
// Right 90% of the time, so the windows have a metric with a stderr.
const model = functionModel("fn", (req) => {
  const k = Number(/has (\d+)/.exec(contentText(req.messages[0]?.content))?.[1]);
  const answer = k % 10 === 7 ? k : k + 3;
  return { text: `He has ${answer} apples. #### ${answer}`, usage: { prompt_tokens: 30, completion_tokens: 12 } };
});

const task = await loadTask("gsm8k");
const readings: { second: number; samples: number; rss_mb: number; heap_mb: number; em: number | null }[] = [];
let alertsFired = 0;
const monitor = startWindowMonitor({
  window: { kind: "time", sizeMs: 1000, slideMs: 1000 },
  scope: windowScope([task], ["fn"]),
  alerts: [parseAlert("exact_match,strict-match < 0.5")],
  onWindow: (w) => {
    const mem = process.memoryUsage();
    readings.push({ second: w.index + 1, samples: w.samples.total, rss_mb: mem.rss / MB, heap_mb: mem.heapUsed / MB, em: w.models.fn?.metrics["exact_match,strict-match"]?.value ?? null });
  },
  onAlert: () => alertsFired++,
});

const t0 = performance.now();
const summary = await runEvaluation({
  input: lines(),
  tasks: [task],
  models: [{ client: model, concurrency: 64 }],
  duplicates: { maxIds: CONTINUOUS_MAX_IDS, forget: true },
  onEvent: (e) => monitor.add(e),
});
monitor.end();
const wall = (performance.now() - t0) / 1000;
const done = summary.models.fn?.samples.ok ?? 0;
if (done !== n) throw new Error(`expected ${n} scored, got ${done}`);

const full = readings.filter((r) => !Number.isNaN(r.rss_mb));
const peak = (rs: typeof full) => Math.max(...rs.map((r) => r.rss_mb));
const firstMinute = full.slice(0, 60);
const lastMinute = full.slice(-60);
const ratio = peak(lastMinute) / peak(firstMinute);
const every = Math.max(1, Math.round(full.length / 20));
printTable(`Soak: ${n.toLocaleString("en")} samples, continuous mode, 1 s windows (RSS read at each window's end; every ${every}th shown)`, [
  ["second", "samples in window", "exact_match", "RSS MB", "heap used MB"],
  ...full.filter((_, i) => i % every === 0 || i === full.length - 1).map((r) => [r.second, r.samples, r.em ?? "-", r.rss_mb, r.heap_mb]),
]);
printTable("Flatness", [
  ["samples", "wall s", "samples/s", "windows", "first minute peak RSS MB", "last minute peak RSS MB", "last / first", "verdict (<= 1.10)"],
  [n, wall, n / wall, full.length, peak(firstMinute), peak(lastMinute), ratio, ratio <= 1.1 ? "flat" : "GROWING"],
]);
if (full.length < 120) console.log(`\nnote: the run lasted ${full.length} s; the first and last minutes overlap (raise SOAK_N for a longer soak).`);
if (alertsFired !== 0) console.log(`\nunexpected: ${alertsFired} alert(s) fired`);
process.exitCode = ratio <= 1.1 ? 0 : 1;
