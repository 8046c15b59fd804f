/**
 * Fault soak: the whole CLI (`streameval run`, gsm8k, -c 64) against the bundled simulator while the
 * simulator misbehaves — 10% 429 (Retry-After: 1), 5% 5xx, 1% hangs, 2% dropped streams and one
 * 5-second outage (every request answered 503) — next to a fault-free run of the same input.
 * Reports completed (must equal N), lost (must be 0), attempts, requests sent during the outage,
 * replies that differ from the fault-free run, and wall time against the fault-free run.
 *
 * `npm run bench` runs it after the core benchmarks; alone: `npx tsx bench/fault-soak.ts`.
 * Options: SOAK_N (default 5000), SOAK_LATENCY_MS (default 50), SOAK_OUTAGE_AT_S (default 2).
 */
import { readFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Fault, type SimServer, startSim } from "../src/sim/index.js";
import { cli, datasets, gsm8kLines, printTable, timed } from "./lib.js";
import { mulberry32 } from "../src/stats/mulberry32.js";

const n = Number(process.env.SOAK_N ?? 5000);
const latencyMs = Number(process.env.SOAK_LATENCY_MS ?? 50);
const outageAtS = Number(process.env.SOAK_OUTAGE_AT_S ?? 2);
const OUTAGE_MS = 5000;
const c = 64;

interface Soak {
  readonly sim: SimServer;
  faults: boolean;
  first: number | undefined;
  duringOutage: number;
  readonly injected: Record<string, number>;
}

async function startSoakSim(): Promise<Soak> {
  const random = mulberry32(42);
  const soak: Soak = { sim: undefined as unknown as SimServer, faults: false, first: undefined, duringOutage: 0, injected: {} };
  const count = (k: string) => (soak.injected[k] = (soak.injected[k] ?? 0) + 1);
  const pick = (): Fault | undefined => {
    const now = performance.now();
    soak.first ??= now;
    const t = now - soak.first;
    if (t >= outageAtS * 1000 && t < outageAtS * 1000 + OUTAGE_MS) {
      soak.duringOutage++;
      count("outage 503");
      return { status: 503 };
    }
    const r = random();
    if (r < 0.1) return count("429"), { status: 429, headers: { "retry-after": "1" } };
    if (r < 0.15) return count("5xx"), { status: [500, 502, 503][Math.floor(random() * 3)] as number };
    if (r < 0.16) return count("hang"), { hang: true };
    if (r < 0.18) return count("dropped stream"), { dropAfterChunks: 1 + Math.floor(random() * 4) };
    return undefined;
  };
  const sim = await startSim({
    latencyMs,
    answerKeyFile: `${datasets}/gsm8k_test.jsonl`,
    faults: () => (soak.faults ? pick() : undefined),
  });
  return Object.assign(soak, { sim });
}

interface RunFigures {
  readonly wall_s: number;
  readonly code: number | null;
  readonly lines: number;
  readonly unique: number;
  readonly ok: number;
  readonly attempts: number;
  readonly requests: number;
  readonly responses: Map<string, string>;
}

async function run(soak: Soak, input: string, dir: string, label: string): Promise<RunFigures> {
  const before = soak.sim.stats().requests;
  const out = join(dir, `${label}.jsonl`);
  const args = [cli, "run", input, "-t", "gsm8k", "-m", "sim", "--base-url", soak.sim.url, "-c", String(c), "-o", out, "--no-progress"];
  args.push("--store", join(dir, `store-${label}`), "--summary", join(dir, `${label}-summary.json`));
  // Hangs are cut at 5 s to the first chunk; the fault-free run takes the same flags.
  args.push("--timeout", "30", "--ttft-timeout", "5", "--idle-timeout", "5", "--max-retries", "10");
  const t = await timed(process.execPath, args);
  if (t.code !== 0) process.stderr.write(`${label} run exited ${t.code}: ${t.stderr.slice(-2000)}\n`);
  const responses = new Map<string, string>();
  let lines = 0;
  let ok = 0;
  let attempts = 0;
  for (const text of (await readFile(out, "utf8")).split("\n")) {
    if (!text) continue;
    lines++;
    const line = JSON.parse(text) as { id: string; status: string; response?: string; timing?: { attempts: number }; error?: { attempts: number } };
    if (line.status === "ok") ok++;
    attempts += line.timing?.attempts ?? line.error?.attempts ?? 0;
    responses.set(line.id, line.response ?? `<${line.status}>`);
  }
  return { wall_s: t.wall_s, code: t.code, lines, unique: responses.size, ok, attempts, requests: soak.sim.stats().requests - before, responses };
}

const dir = await mkdtemp(join(tmpdir(), "streameval-soak-"));
const input = await gsm8kLines(n, join(dir, "gsm8k.jsonl"));
const soak = await startSoakSim();
try {
  const clean = await run(soak, input, dir, "fault-free");
  soak.faults = true;
  const faulty = await run(soak, input, dir, "faults");
  let differ = 0;
  for (const [id, response] of clean.responses) if (faulty.responses.get(id) !== response) differ++;
  printTable(`Fault soak: ${n} gsm8k samples, -c ${c}, sim latency ${latencyMs} ms`, [
    ["run", "exit", "result lines", "completed (ok)", "lost", "attempts", "requests seen by sim", "during 5 s outage", "replies ≠ fault-free", "wall s", "wall / fault-free"],
    ["fault-free", clean.code ?? "-", clean.lines, clean.ok, n - clean.unique, clean.attempts, clean.requests, "-", "-", clean.wall_s, 1],
    ["faults", faulty.code ?? "-", faulty.lines, faulty.ok, n - faulty.unique, faulty.attempts, faulty.requests, soak.duringOutage, differ, faulty.wall_s, faulty.wall_s / clean.wall_s],
  ]);
  printTable("Faults injected", [["fault", "count"], ...Object.entries(soak.injected).sort()]);
} finally {
  await soak.sim.close();
}
