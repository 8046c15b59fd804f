import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/run-command.js";
import { resolveRunConfig } from "../../src/config/run-config.js";
import { startSim } from "../../src/sim/index.js";
import { memoryIO } from "../support/command-io.js";

const sample = fileURLToPath(new URL("../../examples/gsm8k-sample.jsonl", import.meta.url));

describe("run: signals", () => {
  it("a third signal leaves at once through io.exit(130); the first two stop, then cancel", async () => {
    let arrived: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    const sim = await startSim({ faults: () => (arrived(), { hang: true }) });
    const dir = await mkdtemp(join(tmpdir(), "streameval-signals-"));
    try {
      let handler: () => void = () => undefined;
      const exits: number[] = [];
      const io = { ...memoryIO(), onSignal: (h: () => void) => ((handler = h), () => undefined), exit: (code: number) => void exits.push(code) };
      const run = runCommand(resolveRunConfig([sample], { task: ["gsm8k"], model: ["sim"], baseUrl: sim.url, store: join(dir, "store"), concurrency: "2" }, {}), io);
      await first;
      handler();
      expect(exits).toEqual([]);
      handler();
      handler();
      expect(exits).toEqual([130]);
      expect(io.err()).toContain("third signal: leaving now");
      expect(await run).toBe(130); // the cancelled run still ends as interrupted
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
