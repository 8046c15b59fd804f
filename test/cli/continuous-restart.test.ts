import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { answerOf, gsmLine, startContinuous } from "./continuous-child.js";

let sim: SimServer;
let store: string;
/** Requests the sim saw, per line (by the number its question carries). */
const requests = new Map<string, number>();

beforeAll(async () => {
  store = join(await mkdtemp(join(tmpdir(), "streameval-continuous-restart-")), "store");
  sim = await startSim({
    port: 0,
    accuracy: 1,
    answerKey: (prompt) => /ANSWER=(\d+)/.exec(prompt)?.[1],
    faults: (req) => {
      const n = answerOf(req.body);
      if (n !== undefined) requests.set(n, (requests.get(n) ?? 0) + 1);
      return undefined;
    },
  });
});
afterAll(async () => {
  await sim.close();
});

/** Lines `from`..`to` (id `aN` asks for N). */
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => gsmLine(`a${from + i}`, from + i, from + i)).join("");
const counts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => requests.get(String(from + i)) ?? 0);

describe("a restarted streameval run --continuous (child processes over a pipe, one store)", () => {
  it("does not request the ids it already scored, requests the new ones, and with --retain N again those pruned", async () => {
    // --no-cache: what is pruned must be requested again, not answered from the response cache.
    const args = ["--continuous", "--window", "100", "--store", store, "--no-cache"];

    // Session 1: four lines scored, then killed outright (kill -9: no shutdown at all).
    const first = startContinuous(sim.url, args);
    first.write(lines(1, 4));
    await first.until(() => first.results.length >= 4);
    first.child.kill("SIGKILL");
    await first.exit;
    expect(counts(1, 4)).toEqual([1, 1, 1, 1]);

    // Session 2, the same command over the same lines plus four new ones: only the new ones are sent.
    const second = startContinuous(sim.url, args);
    second.write(lines(1, 8));
    const fresh = (r: ResultLine) => r.resumed !== true;
    await second.until(() => second.results.filter(fresh).length >= 4);
    expect(second.stderr.join("\n")).toMatch(/resuming run gsm8k-\w+ \(crashed\): 4 recorded result\(s\) are reused/);
    second.child.kill("SIGTERM");
    expect((await second.exit)[0]).toBe(0);
    expect(second.results.filter(fresh).map((r) => r.id)).toEqual(["a5", "a6", "a7", "a8"]);
    // The output covers every sample: those reused from the store come out too, marked.
    expect(second.results.filter((r) => !fresh(r)).map((r) => r.id)).toEqual(["a1", "a2", "a3", "a4"]);
    expect(counts(1, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);

    // Session 3 keeps the newest 6 records: a1 and a2 are pruned before it starts, so they are sent
    // again (with the two new lines); a3…a8 are still skipped.
    const third = startContinuous(sim.url, [...args, "--retain", "6"]);
    third.write(lines(1, 10));
    await third.until(() => third.results.filter(fresh).length >= 4);
    third.child.kill("SIGTERM");
    expect((await third.exit)[0]).toBe(0);
    expect(third.results.filter(fresh).map((r) => r.id)).toEqual(["a1", "a2", "a9", "a10"]);
    expect(counts(1, 10)).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
  }, 120_000);
});
