import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fault, type SimRequest, type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";
import { cliArgs, root } from "../support/cli.js";

/**
 * A conversation cut by kill -9 between its turns, end to end: a real `streameval run --task mt_bench`
 * process whose second turns hang on the simulator is killed once every sample's second turn has gone
 * out (each first turn is saved before the second is sent), then the same command runs again.
 */
const IDS = ["mtbench-81", "mtbench-82", "mtbench-83", "mtbench-84"];
type Body = { model: string; messages: { role: string; content: string }[] };

let sim: SimServer;
let dir: string;
let input: string;
let hangSecondTurns = true;
/** Chat requests seen, per phase: the model's, by turn (user messages in the request), and the judge's. */
let seen: { turn1: number; turn2: number; judge: number } = { turn1: 0, turn2: 0, judge: 0 };
let onSecondTurn: (() => void) | undefined;

function watch(req: SimRequest): Fault | undefined {
  const body = req.body as Body | undefined;
  if (!body?.messages) return undefined;
  if (body.model === "judge") {
    seen.judge++;
    return undefined;
  }
  const userTurns = body.messages.filter((m) => m.role === "user").length;
  if (userTurns === 1) seen.turn1++;
  else {
    seen.turn2++;
    onSecondTurn?.();
    if (hangSecondTurns) return { hang: true };
  }
  return undefined;
}

beforeAll(async () => {
  sim = await startSim({ ttftMs: 2, itlMs: 1, seed: 5, faults: watch });
  dir = await mkdtemp(join(tmpdir(), "streameval-conversation-resume-"));
  const questions = (await readFile(datasetPath("mtbench_questions.jsonl"), "utf8")).trim().split("\n");
  input = join(dir, "mt_bench.jsonl");
  await writeFile(input, `${questions.filter((l) => IDS.includes((JSON.parse(l) as { id: string }).id)).join("\n")}\n`);
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<[number | null, NodeJS.Signals | null]> } {
  const args = [...cliArgs, "run", input, "-t", "mt_bench", "-m", "sim", "--judge-model", "judge", "--base-url", sim.url, "-c", "4", "--store", join(dir, "store"), "--no-progress"];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err, exit: once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]> };
}

describe("mt_bench killed with SIGKILL between turns (real process, loopback simulator)", () => {
  it("the rerun continues each conversation at its second turn and sends no first turn again", async () => {
    const first = cli();
    const allSecondTurnsOut = new Promise<void>((resolve) => (onSecondTurn = () => seen.turn2 >= IDS.length && resolve()));
    await Promise.race([allSecondTurnsOut, first.exit.then(([code]) => Promise.reject(new Error(`exited ${code}: ${first.err()}`)))]);
    first.child.kill("SIGKILL");
    expect((await first.exit)[1]).toBe("SIGKILL");
    expect(seen.turn1).toBe(IDS.length);
    expect(first.out()).toBe(""); // no conversation finished

    hangSecondTurns = false;
    onSecondTurn = undefined;
    seen = { turn1: 0, turn2: 0, judge: 0 };
    const second = cli();
    const [code] = await second.exit;
    expect(code, second.err()).toBe(0);
    expect(seen).toEqual({ turn1: 0, turn2: IDS.length, judge: expect.any(Number) as number });
    const lines = second.out().trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
    expect(lines.map((l) => l.id).sort()).toEqual(IDS);
    for (const line of lines) {
      expect(line).toMatchObject({ status: "ok", resumed_turns: 1 });
      expect(line.turns as unknown[]).toHaveLength(2);
    }
  }, 90_000);
});
