/**
 * The 50 ms run's timeline, CLI against the bare openai-SDK loop (run by `npm run bench` under BENCH_ONLY=timeline,
 * or alone: `npx tsx bench/timeline.ts` after `npm run build`). Wall time on a shared machine swells with the load;
 * the timeline says where a run's time goes and holds far better. The simulator runs in this process, and Node's
 * own HTTP diagnostics channels stamp every request as it reaches it and every reply as it leaves, on the same clock
 * as each child's spawn and exit:
 * - spawn → first request: start-up, as far as the endpoint can tell;
 * - first request → all C slots busy: the ramp;
 * - the steady stretch (all slots once busy → the last request): the requests in flight on average, and the gap
 *   from each reply to the request that takes its slot;
 * - the last request → the last reply (the same for both: one latency);
 * - the last reply → exit: the shutdown.
 * Options: BENCH_N (default 5000), BENCH_TIMELINE_LATENCY (50), BENCH_TIMELINE_C (32), BENCH_RUNS (3).
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startSim } from "../src/sim/index.js";
import { cli, compiled, datasets, gsm8kLines, type Measured, measured, median, printTable } from "./lib.js";

const n = Number(process.env.BENCH_N ?? 5000);
const latency = Number(process.env.BENCH_TIMELINE_LATENCY ?? 50);
const c = Number(process.env.BENCH_TIMELINE_C ?? 32);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const tmp = await mkdtemp(join(tmpdir(), "streameval-bench-timeline-"));

/** Request arrivals (+1) and replies sent (−1) of completion requests, in ms on this process's clock. */
let marks: [number, 1 | -1][] = [];
const isCompletion = (m: unknown) => (m as { request: IncomingMessage }).request.method === "POST";
subscribe("http.server.request.start", (m) => {
  if (isCompletion(m)) marks.push([performance.now(), 1]);
});
subscribe("http.server.response.finish", (m) => {
  if (isCompletion(m)) marks.push([performance.now(), -1]);
});

interface Timeline {
  readonly startup_ms: number;
  readonly ramp_ms: number;
  readonly steady_s: number;
  readonly mean_in_flight: number;
  /** Slot-seconds left idle in the steady stretch, over C: the seconds it lost against all slots busy. */
  readonly lost_s: number;
  readonly refill_p50_ms: number;
  readonly refill_p90_ms: number;
  readonly refill_max_ms: number;
  readonly drain_ms: number;
  readonly exit_ms: number;
  readonly wall_s: number;
  readonly cpu_s: number;
}

/** The timeline of one child: spawned at `t0`, measured `m`, with the marks the simulator saw meanwhile. */
function timeline(t0: number, m: Measured, ms: [number, 1 | -1][]): Timeline {
  const starts = ms.filter(([, d]) => d === 1).map(([t]) => t);
  const finishes = ms.filter(([, d]) => d === -1).map(([t]) => t);
  if (starts.length !== n || finishes.length !== n) throw new Error(`expected ${n} requests and replies, saw ${starts.length} and ${finishes.length}`);
  const first = starts[0]!;
  const lastStart = starts.at(-1)!;
  const lastFinish = finishes.at(-1)!;
  let inFlight = 0;
  let full: number | undefined;
  let area = 0;
  let prev = 0;
  // Each reply in the steady stretch opens a slot: the time until the next request arrives fills it.
  const refills: number[] = [];
  let open: number[] = [];
  for (const [t, d] of ms) {
    if (full !== undefined && t <= lastStart) area += inFlight * (t - prev);
    prev = t;
    inFlight += d;
    if (full === undefined && inFlight === c) full = t;
    if (full === undefined || t > lastStart) continue;
    if (d === -1) open.push(t);
    else if (open.length) {
      refills.push(t - open.shift()!);
    }
    if (inFlight === c) open = [];
  }
  full ??= lastStart;
  const steady = lastStart - full;
  const q = (p: number) => refills.sort((a, b) => a - b)[Math.min(refills.length - 1, Math.floor(p * refills.length))] ?? 0;
  return {
    startup_ms: first - t0,
    ramp_ms: full - first,
    steady_s: steady / 1000,
    mean_in_flight: steady > 0 ? area / steady : c,
    lost_s: (c * steady - area) / c / 1000,
    refill_p50_ms: q(0.5),
    refill_p90_ms: q(0.9),
    refill_max_ms: q(1),
    drain_ms: lastFinish - lastStart,
    exit_ms: t0 + m.wall_s * 1000 - lastFinish,
    wall_s: m.wall_s,
    cpu_s: m.cpu_s,
  };
}

async function observed(cmd: string, args: string[]): Promise<Timeline> {
  marks = [];
  const t0 = performance.now();
  const m = await measured(cmd, args);
  if (m.code !== 0) throw new Error(`${args[0]} exited ${m.code}: ${m.stderr.slice(-2000)}`);
  return timeline(t0, m, marks);
}

try {
  const sim = await startSim({ latencyMs: latency, answerKeyFile: `${datasets}/gsm8k_test.jsonl` });
  try {
    const input = await gsm8kLines(n, join(tmp, "timeline.jsonl"));
    const bare = await compiled("bare-sdk.ts");
    const cliRuns: Timeline[] = [];
    const bareRuns: Timeline[] = [];
    for (let i = 0; i < runs; i++) {
      const store = join(tmp, `store-${i}`);
      cliRuns.push(await observed(process.execPath, [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", String(c), "-o", "/dev/null", "--no-progress", "--no-cache", "--store", store]));
      bareRuns.push(await observed(process.execPath, [bare, sim.url, String(n), String(c)]));
    }
    const med = (ts: Timeline[], k: keyof Timeline) => median(ts.map((t) => t[k]));
    const row = (label: string, k: keyof Timeline, unit: (x: number) => string) => [label, unit(med(cliRuns, k)), unit(med(bareRuns, k)), unit(med(cliRuns, k) - med(bareRuns, k))];
    const msf = (x: number) => `${x.toFixed(0)} ms`;
    const msf1 = (x: number) => `${x.toFixed(1)} ms`;
    const s = (x: number) => `${x.toFixed(2)} s`;
    printTable(`Timeline at latency ${latency} ms, -c ${c}, ${n} samples (medians of ${runs}; ideal ${((n / c) * latency / 1000).toFixed(2)} s; load ${loadavg()[0]!.toFixed(1)})`, [
      ["", "CLI (run --no-cache, store on)", "bare SDK loop", "CLI − bare"],
      row("spawn → first request", "startup_ms", msf),
      row(`first request → ${c} in flight`, "ramp_ms", msf),
      row("steady stretch (all busy → last request)", "steady_s", s),
      row("  requests in flight, mean", "mean_in_flight", (x) => x.toFixed(2)),
      row("  slot time idle / C", "lost_s", s),
      row("  reply → next request, median", "refill_p50_ms", msf1),
      row("  reply → next request, p90", "refill_p90_ms", msf1),
      row("  reply → next request, max", "refill_max_ms", msf1),
      row("last request → last reply", "drain_ms", msf),
      row("last reply → exit", "exit_ms", msf),
      row("process wall", "wall_s", s),
      row("CPU (user + sys)", "cpu_s", s),
    ]);
  } finally {
    await sim.close();
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
