import { execFileSync } from "node:child_process";
import { open, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { gsmLine, startContinuous } from "./continuous-child.js";

let sim: SimServer;
let dir: string;
beforeAll(async () => {
  sim = await startSim({ port: 0, accuracy: 1, answerKey: (prompt) => /ANSWER=(\d+)/.exec(prompt)?.[1] });
  dir = await mkdtemp(join(tmpdir(), "streameval-fifo-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe("--continuous reading a FIFO (README's `mkfifo in.pipe` example)", () => {
  it("SIGTERM ends the process while a writer still holds the FIFO open", async () => {
    const fifo = join(dir, "in.pipe");
    execFileSync("mkfifo", [fifo]);
    const run = startContinuous(sim.url, ["--continuous", fifo, "--window", "60s", "--store", join(dir, "store")]);
    // The writer opens the FIFO (this waits for the reader), writes one line and keeps it open.
    const writer = await open(fifo, "w");
    try {
      await writer.write(gsmLine("a", 1, 1));
      await run.until(() => run.results.length === 1);
      run.child.kill("SIGTERM");
      // A read pending on the FIFO used to keep the process alive until the writer closed.
      const [code] = await run.exit;
      expect(code, run.stderr.join("\n")).toBe(0);
      expect(run.stderr.some((l) => l.startsWith('{"type":"window"') && l.includes('"partial":true'))).toBe(true);
    } finally {
      await writer.close();
    }
  }, 60_000);
});
